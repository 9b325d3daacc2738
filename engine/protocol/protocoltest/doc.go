// Package protocoltest serves loopback assistants that speak the target
// protocols other than Voyager's widget API, for the engine's end-to-end
// tests and the example plans in plans/examples: a synchronous JSON bot
// (http), an asynchronous bot that calls back (webhook) and an
// OpenAI-compatible chat completions endpoint (openai). Each one answers
// with the built-in simulator's Portuguese dialogue (sim.Dialogue), so the
// same scripted personas and thresholds that pass against the simulator
// pass against every protocol.
//
// Like net/http/httptest it is for tests: servers bind 127.0.0.1:0 unless
// told otherwise, and Close stops everything they started, callbacks in
// flight included. The bots check what a real assistant would: a bearer
// token when one is set, the conversation's key, the callback URL, and (for
// openai) that the history sent each turn is the conversation so far.
package protocoltest
