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
// and reply payloads, VOYAGER.md §1), sse (text/event-stream), ws (the
// WebSocket connection of protocol websocket), whatsapp (the Cloud API's
// webhooks and the Graph API stand-in) and retry (how a failed request is
// tried again).
//
// WhatsApp (whatsapp.go) plays Meta: it delivers each message to the bot
// as a signed messages webhook, installs the Graph API stand-in on the
// receiver (webhook.API) and finds a send's conversation by its `to`
// (its turn by context.message_id), makes the verify_token handshake
// (Verify), sends the statuses webhooks of each message the bot sent, and
// re-delivers a delivery the bot did not answer in time.
//
// Channel faults (channel.go, for whatsapp and webhook targets) break the
// channel on the customer's side: re-delivery of a message after its reply
// (the same id or Idempotency-Key; the bot's answers to the copy are
// duplicate replies), delay, and reorder — each conversation's deliveries
// carry the order they became due in, so one posted after a later one is
// counted out of order. The draws come from the plan's seed (Seeded).
//
// SendBurst (burst.go) sends one customer thought as several messages: the
// callback protocols send each to the turn's mailbox and count every
// callback against the message it followed; the request-response ones
// make one exchange per fragment. Turn.Burst says how it went.
//
// A protocol whose reply comes in pieces (openai with stream = true, sse)
// fills Turn.Stream as the chunks arrive — first token, stall, chunks,
// bytes, incomplete, no usage — and returns a StreamIncompleteError, with
// the partial reply in the Turn, for a stream that ended before its end
// marker. The websocket protocol fills the same fields, and Stream.Link
// with how its connection fared (opened, closed with which code,
// reconnected, pings); a reply its connection cut, or a frame it cannot
// read, is a ReplyError (connection_lost, bad_frame) with the partial
// reply in the Turn.
package protocol
