// Package whatsapp is the WhatsApp Business Cloud API's wire format, seen
// from Meta's side, and the Graph API stand-in a bot under test calls.
//
// Inbound (inbound.go): a customer message becomes the messages webhook
// Meta POSTs to the bot — object "whatsapp_business_account", entry[]
// .changes[] with field "messages", value.metadata, value.contacts and
// value.messages[] — signed with HMAC-SHA256 of the raw body under the
// app secret in X-Hub-Signature-256: sha256=<hex>; a statuses webhook
// (sent, delivered, read) has the same envelope with value.statuses[].
//
// Outbound (send.go, graph.go): Graph serves POST /{version}/{phone number
// id}/messages as Meta does: it checks the bearer token (401,
// OAuthException code 190), the phone number id (400, code 100 subcode
// 33), the body (400 code 100 for malformed JSON or a missing field, 413
// past 1 MiB) and the recipient (400, code 131030 for a `to` no
// conversation holds), answers a message with {"messaging_product",
// "contacts", "messages":[{"id"}]} and a read mark with {"success":true},
// and hands each message's items (text, media links, interactive buttons
// and list rows, templates) to the conversation its `to` names.
//
// A refused call whose body names its recipient is told to that
// conversation (Recipients.Refused), others are counted apart
// (Unattributed), so a turn without a reply can say why.
//
// It owns the payload shapes and the stand-in's answers and counters. It
// never opens a listener (engine/rig does, through the webhook receiver,
// whose limits, connection budget and body memory the stand-in shares),
// never sends a delivery (engine/protocol's WhatsApp session does) and
// never decides which conversation a wa_id is (its Recipients does).
package whatsapp
