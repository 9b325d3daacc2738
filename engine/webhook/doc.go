// Package webhook is the in-process receiver for the assistant's reply
// callbacks: it binds the listen address, serves
// POST /hooks/<token>/<convID>/<turn>, and hands each callback to the
// conversation's Mailbox, where the waiting virtual user is woken by a
// channel. The token is 128 random bits drawn per run, so only URLs this run
// handed out reach a mailbox.
//
// Timing: a callback's arrival is when its bytes reached this machine — on
// Linux the kernel's receive timestamp of what the server read last before
// the handler (SO_TIMESTAMPNS), elsewhere the moment the handler starts —
// carried on the monotonic clock, so Reply.First minus the moment the
// message was sent is the reply latency, and a busy voyplan (the scheduler,
// a GC pause) does not add its own delay to it (arrival.go; BENCH.md).
//
// An Inspector (SetInspector, inspect.go) keeps the last callbacks with
// their headers (secrets masked) and bodies for a live view, in bounded
// memory; without one the receiver does none of that work.
//
// It knows no payload format: the protocol that hands out its URLs installs
// a Parser for the bodies its assistant calls back with (SetParser), or a
// Decoder (SetDecoder) that also routes those POSTed to the one SharedURL,
// /hooks/<token>/shared, by a field of their body.
//
// A protocol whose assistant answers by calling an API of its own shape
// rather than a callback URL (WhatsApp's Graph API) installs that API
// (SetAPI, api.go): the paths that are not hook paths go to it, on the
// same listener, timeouts and connection budget; it reads bodies within
// the receiver's limits (ReadBody) and hands replies to mailboxes
// (Deliver), knowing the payloads itself.
//
// It owns the receiving side only. It never sends messages (engine/protocol
// does), never decides what a reply means (the plan's predicates do), and
// records no metrics beyond its own Stats counters. A tunnel (engine/tunnel)
// reaches it by handing its listener to Serve and its public URL to
// SetPublicBase; the receiver is also an http.Handler.
package webhook
