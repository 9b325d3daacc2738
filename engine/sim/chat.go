package sim

import "time"

// Dialogue is one conversation with the simulated assistant answered at
// once, in the caller's goroutine, instead of through a webhook: the same
// flow, park images (ImageEvery) and payment links as the widget endpoint,
// with none of the delivery faults. Loopback assistants that speak other
// protocols are built on it (engine/protocol/protocoltest). A Dialogue is
// not safe for concurrent use.
type Dialogue struct {
	s       *Server
	d       dialogue
	replies int
}

// ChatItem is one item of a Dialogue's reply.
type ChatItem struct {
	Type string // "text" or "media"
	Text string // text items
	Link string // media items: an image URL
}

// NewDialogue starts a conversation with s's assistant. s needs no
// listener: New(opts).NewDialogue() is enough.
func (s *Server) NewDialogue() *Dialogue {
	s.stats.conversations.Add(1)
	return &Dialogue{s: s}
}

// Reply runs one customer message through the dialogue and returns the
// assistant's reply.
func (d *Dialogue) Reply(text string) []ChatItem {
	out := d.d.step(text, env{now: time.Now(), link: d.s.paymentLink})
	if out.paid {
		d.s.stats.completed.Add(1)
	}
	d.replies++
	items := d.s.items(d.replies, out.texts)
	chat := make([]ChatItem, len(items))
	for i, it := range items {
		chat[i] = ChatItem{Type: it.Type, Text: it.Text}
		if it.Media != nil {
			chat[i].Link = it.Media.Link
		}
	}
	return chat
}
