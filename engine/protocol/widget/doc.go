// Package widget is the Voyager widget API's wire format (VOYAGER.md §1):
// Voyager.SendMessage posts one customer message (with retries, see
// engine/protocol/retry), and ParsePayload turns any known shape of a reply
// callback into []transcript.Message.
//
// It owns the wire format on both sides of the assistant and nothing else: it
// never waits for replies (engine/webhook does), never times turns or records
// metrics (engine/run and engine/metrics do), and never decides whether a
// conversation is complete (the plan's complete_when does). A failed send is
// returned as data — a status and an error — for the caller to count.
package widget
