package results

import (
	"bufio"
	"fmt"
	"os"

	"github.com/voyplan/voyplan/engine/transcript"
)

// Skimming: the reports read every conversation of a run back at its end
// (for the timings, the leaks, the divergences) but show only some
// (report.DefaultMaxConversations). A conversation they do not show needs
// none of its texts, which are most of a line's bytes and most of what
// decoding it allocates (issue 16: the read-back was ~2.4 % of a run's CPU
// at saturation). ScanConversationsSkimmed decodes each line without them,
// and decodes it whole only when asked.

// skipped is a JSON value read past and not kept.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// skimConversation is a conversation line decoded without its texts: the
// fields of the same JSON name here win over the embedded ones.
type skimConversation struct {
	transcript.Conversation
	Data             skipped    `json:"data"`
	ClientIdentifier skipped    `json:"client_identifier"`
	Turns            []skimTurn `json:"turns"`
}

type skimTurn struct {
	transcript.Turn
	Sent     skipped `json:"sent"`
	Messages skipped `json:"messages"`
	Late     skipped `json:"late"`
}

// ScanConversationsSkimmed calls fn with each conversation of
// conversations.jsonl without its texts: no data, client identifier,
// messages sent or received (Sent, Messages and Late are empty); the
// rest is as ScanConversations gives it. whole decodes the same line in
// full. Lines are read as ScanConversations reads them.
func (d *Dir) ScanConversationsSkimmed(fn func(c *transcript.Conversation, whole func() (*transcript.Conversation, error)) error) error {
	path := d.File(ConversationsFile)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read the conversations file: %w", err)
	}
	defer f.Close()
	var (
		line  []byte
		s     skimConversation
		turns []transcript.Turn // reused: fn keeps no skimmed conversation
	)
	whole := func() (*transcript.Conversation, error) {
		var c transcript.Conversation
		if err := decodeLine(line, &c); err != nil {
			return nil, err
		}
		return &c, nil
	}
	decode := func(raw []byte) error {
		line, s = raw, skimConversation{} // not reused: a decoder leaves a reused element's absent fields as they were
		return decodeLine(raw, &s)
	}
	return scanLinesAt(path, "conversation", bufio.NewReaderSize(f, 64<<10), decode, func(jsonLine) error {
		c := s.Conversation
		if s.Turns != nil {
			turns = turns[:0]
			for i := range s.Turns {
				turns = append(turns, s.Turns[i].Turn)
			}
			c.Turns = turns
		}
		return fn(&c, whole)
	})
}
