package run

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/transcript"
)

// exchangeBurst sends turn n's message as the customer types it: whole,
// or as the fragments and follow-up drawn for it (protocol.SendBurst). A
// plan without bursts sends it whole (conversation.turn).
func (c *conversation) exchangeBurst(ctx context.Context, n int, text string) (protocol.Turn, error) {
	b := c.r.plan.Conversation.Burst
	if c.v.waits.burst == nil {
		c.v.waits.burst = datagen.ForUserStream(c.r.plan.Seed, c.v.n, datagen.StreamBurst)
	}
	burst := drawBurst(b, text, c.v.waits.burst)
	if len(burst.Fragments) == 1 && burst.FollowUp == "" {
		return c.session.Exchange(ctx, n, text)
	}
	return protocol.SendBurst(ctx, c.session, n, burst)
}

// followUps are what a customer writes again while the reply is coming;
// the last stands for the message repeated.
var followUps = []string{"?", "oi?", ""}

// drawBurst draws how text is typed: how many messages (from b's range),
// the gaps between them, and whether a follow-up comes and which. The
// draws are the same whatever the text, so a seed gives each user the
// same bursts whether or not a message was long enough to split.
func drawBurst(b plan.Burst, text string, r *rand.Rand) protocol.Burst {
	n := b.Min
	if b.Max > b.Min {
		n += r.IntN(b.Max - b.Min + 1)
	}
	gaps := make([]time.Duration, max(b.Max-1, 0))
	for i := range gaps {
		gaps[i] = b.Gap.Draw(r)
	}
	out := protocol.Burst{Fragments: splitThought(text, n)}
	out.Gaps = gaps[:len(out.Fragments)-1]
	follow := r.Float64() < b.DoubleText
	which := followUps[r.IntN(len(followUps))]
	if follow {
		out.FollowUp = which
		if which == "" {
			out.FollowUp = out.Fragments[len(out.Fragments)-1]
		}
	}
	return out
}

// splitThought cuts text into at most n messages, as a person types one
// thought in a few: at sentence ends first, then clause breaks (a comma,
// a semicolon, a colon, a dash), then between words — never inside one —
// choosing the cuts nearest to even lengths. A message shorter than
// minSplit runes, or of one word, is sent whole; fewer cuts than asked are
// made when there is not room for them.
func splitThought(text string, n int) []string {
	text = strings.TrimSpace(text)
	if n <= 1 || utf8.RuneCountInString(text) < minSplit {
		return []string{text}
	}
	cuts := pickCuts(text, cutPoints(text), n-1)
	out := make([]string, 0, len(cuts)+1)
	from := 0
	for _, at := range cuts {
		out = append(out, strings.TrimSpace(text[from:at]))
		from = at
	}
	return append(out, strings.TrimSpace(text[from:]))
}

// minSplit is the shortest message split: "Olá" or "Sim" goes whole.
const minSplit = 8

// Kinds of cut, the strongest first.
const (
	cutSentence = iota
	cutClause
	cutWord
	cutKinds
)

// cut is a place text may be split: the byte offset of the space after
// which the next message begins, and how strong a break it is.
type cut struct{ at, kind int }

// cutPoints lists every space of text that ends a word, with the kind of
// break before it; none leaves a fragment without a letter or digit.
func cutPoints(text string) []cut {
	var out []cut
	for i, r := range text {
		if !unicode.IsSpace(r) || i == 0 {
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(text[:i])
		if unicode.IsSpace(prev) {
			continue
		}
		kind := cutWord
		switch {
		case strings.ContainsRune(".!?…\n", prev) || r == '\n':
			kind = cutSentence
		case strings.ContainsRune(",;:—–-", prev):
			kind = cutClause
		}
		if hasWord(text[:i]) && hasWord(text[i:]) {
			out = append(out, cut{at: i, kind: kind})
		}
	}
	return out
}

// hasWord reports whether s has a letter or a digit.
func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// pickCuts chooses want cuts from points: of the strongest kind that has
// enough, else all of the stronger kinds and the rest from the next;
// within a kind, those nearest to cutting text into even parts. The cuts
// come back in text order, each used once.
func pickCuts(text string, points []cut, want int) []int {
	var chosen []int
	for kind := range cutKinds {
		if len(chosen) == want {
			break
		}
		var ofKind []int
		for _, p := range points {
			if p.kind == kind {
				ofKind = append(ofKind, p.at)
			}
		}
		chosen = append(chosen, nearestEven(len(text), ofKind, want-len(chosen), want+1)...)
	}
	slices.Sort(chosen)
	return chosen
}

// nearestEven picks up to k of offsets (sorted), each the nearest to one
// of the even cuts of a text of length size into parts parts, each offset
// used once.
func nearestEven(size int, offsets []int, k, parts int) []int {
	used := make([]bool, len(offsets))
	var out []int
	for j := 1; j < parts && len(out) < k; j++ {
		target, best := size*j/parts, -1
		for i, at := range offsets {
			if !used[i] && (best < 0 || abs(at-target) < abs(offsets[best]-target)) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		out = append(out, offsets[best])
	}
	return out
}

func abs(n int) int { return max(n, -n) }

// burstOf is how a thought's fragments went, as the transcript keeps it;
// nil for a message sent whole.
func burstOf(x protocol.Turn) *transcript.Burst {
	b := x.Burst
	if b == nil {
		return nil
	}
	out := &transcript.Burst{Fragments: make([]transcript.Fragment, 0, len(b.Fragments)), Answers: b.Answers}
	for _, f := range b.Fragments {
		out.Fragments = append(out.Fragments, transcript.Fragment{Text: f.Text, SentAt: f.SentAt, SendMS: transcript.Ms(f.Send),
			Replies: f.Replies, FollowUp: f.FollowUp})
	}
	if len(x.Messages) > 0 {
		ms := transcript.Ms(b.ReplyFromFirst)
		out.ReplyFromFirstMS = &ms
	}
	return out
}

// recordThought hands the metrics what a sent thought's reply was from
// its first message (reply_from_first: for a message sent whole, the
// reply itself) and, for a burst, how it was answered. A reply the run
// cut is left out, as reply leaves it.
func (c *conversation) recordThought(ctx context.Context, x protocol.Turn, b *transcript.Burst, err error, returned time.Time) {
	rec := c.r.rec
	first, d := x.SentAt, x.Reply
	if x.Burst != nil && len(x.Burst.Fragments) > 0 {
		first, d = x.Burst.Fragments[0].SentAt, x.Burst.ReplyFromFirst
	}
	noReply, timedOut := errors.AsType[*protocol.NoReplyError](err)
	switch {
	case timedOut:
		rec.ReplyFromFirstTimedOut(max(returned.Sub(first), noReply.Timeout))
	case err == nil:
		rec.ReplyFromFirst(d, true)
	case ctx.Err() == nil: // the reply broke (a stream cut, a connection lost)
		rec.ReplyFromFirst(d, false)
	default:
		return
	}
	rec.Burst(b)
}
