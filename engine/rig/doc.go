// Package rig opens and closes what a run talks to: the built-in
// simulator (when the plan has one), the webhook receiver (when the
// target's protocol is answered through callbacks), the tunnel that
// exposes the receiver (ngrok, or a tunnel.Opener stand-in), the HTTP
// client and the protocol the conversations speak, and one LLM client per
// llm block a persona plays through. Check says beforehand what would stop
// a plan from running: an ngrok tunnel without a token, or more concurrent
// users than the open-file limit allows. Given a tracing.Tracer, it wraps
// the HTTP client's transport so that every request made within a turn's
// span carries its traceparent (engine/tracing).
//
// It opens things and hands them out; it does not schedule users, run
// conversations or record metrics (engine/run does, on an opened Rig), and
// it does not parse plans (engine/plan) or write results. It must not
// import engine/run, engine/metrics, engine/verdict, engine/report,
// engine/results or engine/dashboard: data flows from the rig into the
// run, never back.
package rig
