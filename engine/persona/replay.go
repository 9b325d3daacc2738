package persona

import (
	"context"
	"strings"

	"github.com/voyplan/voyplan/engine/internal/fold"
	"github.com/voyplan/voyplan/engine/transcript"
)

// mediaToken stands for a media item in a reply's tokens: an image counts
// as one word, whatever its URL (a CDN's signed links differ every time).
const mediaToken = "\x00media"

// Similarity is how alike two assistant replies are, from 0 (no word in
// common) to 1 (the same words, as often): the Dice coefficient of their
// words as multisets, 2·|a∩b| / (|a|+|b|), after folding case and accents
// (fold) and keeping letters and digits (squash). Each media item is one
// word. Two empty replies are alike (1). Cheap and deterministic: a
// replay judges every reply with it.
func Similarity(a, b []transcript.Message) float64 {
	ta, tb := tokens(a), tokens(b)
	if len(ta) == 0 && len(tb) == 0 {
		return 1
	}
	counts := make(map[string]int, len(ta))
	for _, w := range ta {
		counts[w]++
	}
	common := 0
	for _, w := range tb {
		if counts[w] > 0 {
			counts[w]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(ta)+len(tb))
}

// tokens are a reply's words: each text item folded and squashed, and one
// mediaToken per media item.
func tokens(reply []transcript.Message) []string {
	var out []string
	for _, m := range reply {
		if m.Text != "" {
			out = append(out, strings.Fields(squash(fold.String(m.Text)))...)
			continue
		}
		if m.Type == "media" || m.Link != "" {
			out = append(out, mediaToken)
		}
	}
	return out
}

// Replay plays a recorded conversation's customer again: its messages in
// order, one a turn, as long as the assistant's replies stay like the
// recorded ones. The run judges each reply (Judge); from the first that
// diverged, Next hands over to the driver takeover builds (the
// on_divergence persona, told the history so far), or stops when there is
// none. A recording whose customer gave up (abandoned) ends the same way
// once its messages are said; one that ran out otherwise ends as
// ErrExhausted.
type Replay struct {
	rec      *transcript.Conversation
	below    float64
	takeover func() Driver // nil: end at the divergence
	sent     int
	diverged int // the turn that diverged; 0 while every reply matched
	next     Driver
}

// NewReplay returns the driver replaying rec. A reply whose Similarity to
// the recorded one is below threshold diverged; takeover, nil to end the
// conversation there, builds the driver that carries on after it.
func NewReplay(rec *transcript.Conversation, threshold float64, takeover func() Driver) *Replay {
	return &Replay{rec: rec, below: threshold, takeover: takeover}
}

// Judge compares the assistant's reply to turn n with the recorded reply
// of that turn. It returns nil once the conversation has diverged, and for
// a turn the recording does not have: nothing to compare. The first
// divergence keeps the recorded reply in the result, for the report.
func (d *Replay) Judge(n int, reply []transcript.Message) *transcript.TurnReplay {
	if d.diverged > 0 || n < 1 || n > len(d.rec.Turns) {
		return nil
	}
	recorded := d.rec.Turns[n-1].Messages
	sim := Similarity(recorded, reply)
	t := &transcript.TurnReplay{Similarity: round3(sim), Matched: sim >= d.below}
	if !t.Matched {
		d.diverged = n
		t.Recorded = recorded
	}
	return t
}

// DivergedAt is the turn whose reply diverged, 0 while none has.
func (d *Replay) DivergedAt() int { return d.diverged }

// Next implements Driver.
func (d *Replay) Next(ctx context.Context, reply []transcript.Message) (Step, error) {
	if d.diverged > 0 {
		if d.takeover == nil {
			return Step{Stop: true}, nil
		}
		if d.next == nil {
			d.next = d.takeover()
		}
		return d.next.Next(ctx, reply)
	}
	if d.sent >= len(d.rec.Turns) {
		if d.rec.Outcome == transcript.Abandoned {
			return Step{Stop: true}, nil
		}
		return Step{}, ErrExhausted
	}
	d.sent++
	return Step{Text: d.rec.Turns[d.sent-1].Sent}, nil
}

// History renders a conversation's turns as what an LLM persona taking it
// over is told happened: alternately the assistant's reply (as ForModel
// renders it, the model's "user" side) and the customer's next message
// (the model's own side), from the first reply to the last message sent.
// The reply to the last turn is not in it: it is what the model answers
// next. The opening, which no model wrote, is left out, as for a persona
// that held the conversation from its start.
func History(turns []transcript.Turn) []string {
	out := make([]string, 0, 2*len(turns))
	for i := 1; i < len(turns); i++ {
		out = append(out, ForModel(turns[i-1].Messages), turns[i].Sent)
	}
	return out
}

// Resume returns an LLM driver for a conversation already under way: its
// opening was sent, so every Next asks model (whose chat holds History).
func Resume(model Model) *LLM { return &LLM{model: model, started: true} }

// Skip makes a rules driver carry on a conversation in which sent
// messages were already said by someone else (a replay it took over).
func (d *Rules) Skip(sent int) *Rules {
	d.sent = sent
	return d
}

// round3 rounds a similarity to three decimals for the record.
func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }
