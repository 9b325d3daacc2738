package protocol

import (
	"context"

	"github.com/voyplan/voyplan/engine/webhook"
)

// Parker is a Session that awaits a reply without a goroutine: the widget
// API (voyager) and the generic webhook API, whose replies come through
// the receiver's mailbox (webhook.Mailbox.Park). A conversation waiting on
// one holds a record, not a goroutine's stack (BENCH.md, memory).
type Parker interface {
	Session
	// Start is Exchange in two halves. It sends turn n's message on the
	// calling goroutine and, when the reply is to come later, returns
	// parked: done will be called exactly once, with the error Exchange
	// would have returned and *t filled as its Turn, on a goroutine of its
	// own that done may keep. Otherwise the exchange is over (the send
	// failed, or the session had to wait in place): *t and err are its
	// result, and done is never called.
	Start(ctx context.Context, n int, text string, t *Turn, done func(error)) (parked bool, err error)
	// Parks reports whether Start parks every turn whose send went out:
	// then its caller's goroutine never waits on the session, and Start
	// sends on that goroutine's own stack (its caller ends it when the
	// turn parks).
	Parks() bool
}

// parkedReply is a turn whose reply is awaited on a mailbox, with no
// goroutine: what the reply's arrival needs to fill the turn.
type parkedReply struct {
	ctx  context.Context
	w    ReplyWait
	t    *Turn
	done func(error)
}

// parkReply is awaitReply without a waiting goroutine: done gets what
// awaitReply would have returned, t filled, when the reply is in.
func parkReply(ctx context.Context, mb *webhook.Mailbox, n int, w ReplyWait, t *Turn, done func(error)) {
	p := &parkedReply{ctx: ctx, w: w, t: t, done: done}
	mb.Park(ctx, n, w.Timeout, w.Settle, p.replied)
}

// replied fills the turn from the reply the mailbox gathered.
func (p *parkedReply) replied(reply webhook.Reply, err error) {
	p.done(p.t.replied(p.ctx, p.w, &reply, err))
}

// Start implements Parker.
func (s *voyagerSession) Start(ctx context.Context, n int, text string, t *Turn, done func(error)) (bool, error) {
	if err := s.send(ctx, n, text, t, true); err != nil {
		return false, err
	}
	parkReply(ctx, s.mailbox, n, s.v.Wait, t, done)
	return true, nil
}

// Parks implements Parker.
func (s *voyagerSession) Parks() bool { return true }

// Parks implements Parker: a channel with faults waits in place.
func (s *webhookSession) Parks() bool { return s.cc == nil }

// Start implements Parker. A channel with faults waits in place: its
// re-deliveries follow the reply.
func (s *webhookSession) Start(ctx context.Context, n int, text string, t *Turn, done func(error)) (bool, error) {
	if s.cc != nil {
		var err error
		*t, err = s.exchangeFaulty(ctx, n, text)
		return false, err
	}
	sent, err := s.send(ctx, n, text)
	*t = sent
	if err != nil {
		return false, err
	}
	parkReply(ctx, s.mailbox, n, s.w.Wait, t, done)
	return true, nil
}
