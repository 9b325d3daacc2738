// Package target speaks the assistant's widget protocol (VOYAGER.md §1):
// Voyager.Send posts one customer message, and ParsePayload turns any known
// shape of a reply callback into []Message.
//
// It owns the wire format on both sides of the assistant and nothing else: it
// never waits for replies (engine/webhook does), never times turns or records
// metrics (engine/run and engine/metrics do), and never decides whether a
// conversation is complete (the plan's complete_when does). A failed send is
// returned as data — a status and an error — for the caller to count.
package target
