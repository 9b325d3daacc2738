package protocol

import (
	"context"
	"errors"
	"time"

	"github.com/voyplan/voyplan/engine/internal/wait"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/webhook"
)

// Burst is one customer thought typed as people type it (issue 14 §2):
// several messages, a gap apart, and maybe a follow-up written while the
// reply is still coming.
type Burst struct {
	Fragments []string        // the messages, in order; at least one
	Gaps      []time.Duration // Gaps[i] is the pause before Fragments[i+1]
	// FollowUp, when not "", is sent once the reply has begun, while it
	// settles ("?", "oi?", the last message again): a double text.
	FollowUp string
}

// Fragment is one message of a burst as it was sent.
type Fragment struct {
	Text   string
	SentAt time.Time     // the start of its request, monotonic
	Send   time.Duration // its request
	// Replies counts the reply's callbacks (or, for request-response
	// protocols, its answer) that came after this message and before
	// the next: the bot answering it.
	Replies  int
	FollowUp bool // the double text, sent while the reply settled
}

// BurstSent is what a burst's exchange adds to its Turn. The Turn's SentAt,
// Send and Reply are its last fragment's (the follow-up aside): the reply
// to a thought is timed from when the customer finished it.
type BurstSent struct {
	Fragments []Fragment // the follow-up, if sent, last
	// Answers is how many of the thought's messages the bot answered
	// before the next one came (or, for the last, at all): 1 for a bot
	// that waits for the burst to end, more for one that answers each
	// fragment.
	Answers int
	// ReplyFromFirst runs from the first fragment's request to the
	// reply's first callback; zero when no reply came.
	ReplyFromFirst time.Duration
}

// burster is a Session that sends a burst itself: the asynchronous
// protocols, whose fragments all go to one turn's mailbox.
type burster interface {
	burst(ctx context.Context, n int, b Burst) (Turn, error)
}

// SendBurst sends turn n's thought as b says and returns the reply, as
// Exchange does, with Turn.Burst saying how the fragments went. The
// callback protocols (voyager, webhook, whatsapp) send every fragment to
// the turn and gather what the bot sends meanwhile and after; the
// request-response ones (http, openai, sse, websocket) make one exchange
// per fragment, each answered — as such an API must.
func SendBurst(ctx context.Context, s Session, n int, b Burst) (Turn, error) {
	if bs, ok := s.(burster); ok {
		return bs.burst(ctx, n, b)
	}
	return sequentialBurst(ctx, s, n, b)
}

// sendOne sends one message of turn n's thought to an asynchronous
// assistant, without waiting for the reply: the Turn has SentAt, Send,
// Status and Attempts.
type sendOne func(ctx context.Context, text string) (Turn, error)

// asyncBurst sends b's fragments one by one, its gaps apart, then waits
// on mb for turn n's reply as awaitReply does; with a follow-up, it waits
// for the reply to begin, sends it, and gathers the rest.
func asyncBurst(ctx context.Context, mb *webhook.Mailbox, n int, w ReplyWait, b Burst, send sendOne) (Turn, error) {
	var t Turn
	sent := &BurstSent{}
	for i, text := range b.Fragments {
		if i > 0 && !wait.For(ctx, b.Gaps[i-1]) {
			t.Burst = sent
			return t, ctx.Err()
		}
		x, err := send(ctx, text)
		t.SentAt, t.Send, t.Status, t.Attempts = x.SentAt, x.Send, x.Status, t.Attempts+x.Attempts
		sent.Fragments = append(sent.Fragments, Fragment{Text: text, SentAt: x.SentAt, Send: x.Send})
		if err != nil {
			t.Burst = sent
			return t, err
		}
	}
	// The customer waits for an answer to the whole thought: a callback
	// after its last message, or, when none comes in time, what came
	// before it.
	timeout := w.Timeout
	switch err := mb.AwaitAfter(ctx, n, t.SentAt, w.Timeout); {
	case errors.Is(err, webhook.ErrTimeout):
		timeout = 0
	case err == nil && b.FollowUp != "":
		if x, err := send(ctx, b.FollowUp); err == nil || x.Status != 0 { // refused: the turn goes on
			sent.Fragments = append(sent.Fragments, Fragment{Text: b.FollowUp, SentAt: x.SentAt, Send: x.Send, FollowUp: true})
			t.Attempts += x.Attempts
		}
	}
	reply, err := mb.Wait(ctx, n, timeout, w.Settle)
	t.Messages, t.Callbacks, t.Duplicates, t.ReplySentAt = reply.Messages, reply.Callbacks, reply.Duplicates, reply.SentAt
	if !reply.First.IsZero() {
		arrivals := append([]time.Time{reply.First}, reply.Later...)
		var after bool
		if t.Reply, after = sent.file(arrivals); !after {
			// Every callback came before the customer finished: nothing
			// answered their last message in the whole wait. The reply is
			// timed at that wait (a lower bound, as a timed-out sample
			// is), never at 0 — an early answer is not an instant one.
			t.Reply = time.Since(t.SentAt)
		}
	}
	t.Burst = sent
	return t, w.waitError(ctx, err)
}

// file counts each callback (its arrival time) against the message it
// followed — those after the follow-up against none — sets Answers and
// ReplyFromFirst, and returns the reply's latency from the last fragment:
// to the first callback after it; after is false when every callback came
// before it (the bot answered before the customer finished).
func (s *BurstSent) file(arrivals []time.Time) (reply time.Duration, after bool) {
	frags, cut := s.Fragments, time.Time{}
	if last := len(frags) - 1; last > 0 && frags[last].FollowUp {
		frags, cut = frags[:last], frags[last].SentAt
	}
	lastSent := frags[len(frags)-1].SentAt
	reply = -1
	for _, at := range arrivals {
		if !cut.IsZero() && !at.Before(cut) {
			continue
		}
		i := len(frags) - 1
		for i > 0 && at.Before(frags[i].SentAt) {
			i--
		}
		frags[i].Replies++
		if i == len(frags)-1 && reply < 0 {
			reply = at.Sub(lastSent)
		}
	}
	s.ReplyFromFirst = arrivals[0].Sub(frags[0].SentAt)
	s.Answers = answered(frags)
	return max(reply, 0), reply >= 0
}

// answered counts the fragments that got a reply.
func answered(frags []Fragment) int {
	n := 0
	for _, f := range frags {
		if f.Replies > 0 && !f.FollowUp {
			n++
		}
	}
	return n
}

// sequentialBurst is a burst over a request-response protocol: one
// exchange per fragment, the gap after its answer, all in turn n; the
// follow-up, if any, once the last is answered. The Turn gathers their
// messages; its timings are the last fragment's.
func sequentialBurst(ctx context.Context, s Session, n int, b Burst) (Turn, error) {
	var t Turn
	sent := &BurstSent{}
	for i, text := range b.Fragments {
		if i > 0 && !wait.For(ctx, b.Gaps[i-1]) {
			t.Burst = sent
			return t, ctx.Err()
		}
		x, err := s.Exchange(ctx, n, text)
		t = merge(t, x, sent)
		sent.Fragments = append(sent.Fragments, Fragment{Text: text, SentAt: x.SentAt, Send: x.Send, Replies: replied(x)})
		if err != nil {
			t.Burst = sent
			sent.Answers = answered(sent.Fragments)
			return t, err
		}
	}
	reply := t.Reply
	if b.FollowUp != "" {
		x, err := s.Exchange(ctx, n, b.FollowUp)
		if err == nil || len(x.Messages) > 0 {
			t.Messages = append(t.Messages, x.Messages...)
			t.Callbacks += x.Callbacks
			sent.Fragments = append(sent.Fragments, Fragment{Text: b.FollowUp, SentAt: x.SentAt, Send: x.Send, FollowUp: true, Replies: replied(x)})
		}
	}
	t.Reply, t.Burst = reply, sent
	sent.Answers = answered(sent.Fragments)
	return t, nil
}

// merge adds exchange x of a sequential burst to t: x's timings replace
// t's, its messages and counts add up, and the first answer sets
// ReplyFromFirst.
func merge(t, x Turn, sent *BurstSent) Turn {
	if sent.ReplyFromFirst == 0 && len(x.Messages) > 0 {
		first := x.SentAt
		if len(sent.Fragments) > 0 {
			first = sent.Fragments[0].SentAt
		}
		sent.ReplyFromFirst = x.SentAt.Add(x.Reply).Sub(first)
	}
	msgs := append(t.Messages, x.Messages...)
	callbacks, dups, attempts := t.Callbacks+x.Callbacks, t.Duplicates+x.Duplicates, t.Attempts+x.Attempts
	usage := t.Usage
	if x.Usage != nil {
		if usage == nil {
			usage = &transcript.Usage{}
		}
		usage.Add(*x.Usage)
	}
	t = x
	t.Messages, t.Callbacks, t.Duplicates, t.Attempts, t.Usage = msgs, callbacks, dups, attempts, usage
	return t
}

// replied is 1 when an exchange brought an answer, else 0.
func replied(x Turn) int {
	if len(x.Messages) > 0 {
		return 1
	}
	return 0
}
