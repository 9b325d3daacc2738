// Package tunnel makes the webhook receiver reachable from the internet: a
// Tunnel is a public URL whose connections arrive on a net.Listener, which
// the receiver serves (webhook.Receiver.Serve) exactly like its own.
//
// Ngrok opens one in process with golang.ngrok.com/ngrok/v2 — no ngrok
// binary — and bounds its start, since the agent retries forever when it is
// offline or its token is refused. Loopback is a stand-in on a second
// loopback address, for tests of the wiring.
//
// It owns opening and closing tunnels only: it never routes callbacks
// (engine/webhook does) and never decides whether a plan needs one
// (engine/run does). Tokens never appear in its errors or its log.
package tunnel
