package protocol

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/internal/wait"
)

// IdempotencyHeader names a webhook target's message when it has channel
// faults: the conversation id and the turn, the same on a re-delivered
// copy, so the assistant can tell a copy from a new message.
const IdempotencyHeader = "Idempotency-Key"

// exchangeFaulty is Exchange through the target's channel_faults: the
// message carries an Idempotency-Key, may be held back (delay), and once
// its reply came may be re-delivered, at once or after the customer's next
// message (reorder). The turn is timed from the request, after the delay.
func (s *webhookSession) exchangeFaulty(ctx context.Context, n int, text string) (Turn, error) {
	t := Turn{SentAt: time.Now(), Attempts: 1}
	s.turn.Store(int64(n))
	o, err := s.conn.request(n, text, s.callbackURL(ctx, n))
	if err != nil {
		return t, &SendError{Err: err}
	}
	if !hasHeader(o.headers, IdempotencyHeader) {
		o.headers = withHeader(o.headers, IdempotencyHeader, s.conn.conv.ID+"-"+strconv.Itoa(n))
	}
	seq, ok := s.cc.hold(ctx, &s.cc.msgs, 0, false)
	if !ok {
		return t, ctx.Err()
	}
	t.SentAt = time.Now()
	s.cc.post(seq)
	r, attempts, err := s.conn.retry.send(ctx, s.conn.client, o)
	t.Send, t.Status, t.Attempts = time.Since(t.SentAt), r.status, attempts
	t, err = s.afterSend(ctx, n, t, r, o, err)
	if err == nil {
		t, err = s.await(ctx, n, t)
	}
	f := s.w.API.Faults
	if err == nil && s.cc.msgs.chance(f.RedeliverRate) {
		c := copyOf{turn: n, o: o, due: t.SentAt.Add(f.RedeliverAfter), reorder: s.cc.msgs.chance(f.ReorderRate)}
		if !c.reorder {
			s.redeliver(ctx, c)
		} else {
			if time.Until(c.due) <= 0 { // due now: before the customer's next message
				c.seq = s.cc.next()
			}
			s.cc.async(func() { s.redeliver(s.cc.ctx, c) })
		}
	}
	return t, err
}

// copyOf is a message the channel delivers again.
type copyOf struct {
	turn    int
	o       outgoing
	due     time.Time // RedeliverAfter after the first delivery
	reorder bool      // held back until the customer's next message went out
	seq     uint64    // its place in the channel's order, once due; 0 before
}

// redeliver posts a copy once it is due, through the channel's faults. A
// reordered copy still held when the conversation ends is never sent.
func (s *webhookSession) redeliver(ctx context.Context, c copyOf) {
	if d := time.Until(c.due); d > 0 && !wait.For(ctx, d) {
		return
	}
	seq, ok := s.cc.hold(ctx, &s.cc.msgs, c.seq, c.reorder)
	if !ok {
		return
	}
	s.copied.Store(c.turn, true)
	s.w.ch.redelivered.Add(1)
	s.cc.post(seq)
	_, _ = roundTrip(ctx, s.conn.client, c.o) // the turn went through; what the bot does with the copy is what counts
}

// closedTurn is told of a callback for a closed turn: an answer to a
// re-delivered copy when that turn's message was.
func (s *webhookSession) closedTurn(turn int) {
	if _, ok := s.copied.Load(turn); ok {
		s.w.ch.duplicateReplies.Add(1)
	}
}

func hasHeader(h map[string]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}
