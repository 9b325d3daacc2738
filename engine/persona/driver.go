package persona

import (
	"context"
	"errors"

	"github.com/voyplan/voyplan/engine/transcript"
)

// Driver produces a virtual customer's messages. One Driver serves one
// conversation and is not shared between goroutines.
type Driver interface {
	// Next returns the customer's next message. reply is nil before the
	// first message; afterwards it is the assistant's whole reply to the
	// previous message (text and media items, in arrival order).
	Next(ctx context.Context, reply []transcript.Message) (Step, error)
}

// Step is one customer message.
type Step struct {
	Text string
	// Stop means the persona ended the conversation on purpose; Text is not
	// sent and the conversation's outcome is abandoned.
	Stop bool
	// LLM is the generation that produced Text, nil for drivers without a
	// model. It is set when a generation failed too (Next's error), and
	// when it produced a stop: it may have been billed.
	LLM *transcript.LLMCall
	// Drift and DataMismatch are set by Watch: how the message broke
	// character, and which personal data it disclosed that differs from the
	// user's (see Drift and Watch).
	Drift        []string
	DataMismatch []string
}

// ErrExhausted ends a conversation whose script ran out of lines (outcome
// failed, reason script_exhausted).
var ErrExhausted = errors.New("persona script exhausted")

// Script replays fixed lines in order, the first message included: the old
// tool's no-LLM mode. It never looks at the replies.
type Script struct {
	lines []string
	next  int
}

// NewScript returns a driver that says lines in order.
func NewScript(lines []string) *Script { return &Script{lines: lines} }

// Next implements Driver.
func (s *Script) Next(_ context.Context, _ []transcript.Message) (Step, error) {
	if s.next >= len(s.lines) {
		return Step{}, ErrExhausted
	}
	s.next++
	return Step{Text: s.lines[s.next-1]}, nil
}
