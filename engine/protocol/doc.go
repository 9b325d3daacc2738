// Package protocol is the seam between the conversation loop and the
// assistant under test: a Protocol opens a Session per conversation, and a
// Session turns (turn number, customer message) into the assistant's reply
// with its timings. The loop, metrics, reports and thresholds never know
// which protocol ran.
//
// It owns the request/response shape of each protocol and nothing else: it
// does not pick what the customer says (engine/persona), judge replies
// (the plan's predicates) or record metrics (engine/run does, from Turn).
//
// Each protocol that is answered through callbacks installs the Parser of
// its payloads on the webhook receiver (FromTarget): the receiver itself
// knows no payload format. Its subpackages are the wire formats and
// policies the protocols share: widget (the Voyager widget API's message
// and reply payloads, VOYAGER.md §1) and retry (how a failed request is
// tried again).
package protocol
