package protocol

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/voyplan/voyplan/engine/internal/offstack"
	"github.com/voyplan/voyplan/engine/protocol/widget"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/webhook"
)

// Voyager is the widget API (VOYAGER.md §1): each message is POSTed with a
// per-turn webhook URL, and the reply arrives later on the receiver.
type Voyager struct {
	Client   *widget.Voyager
	Receiver *webhook.Receiver
	Wait     ReplyWait
}

// Open implements Protocol.
func (v *Voyager) Open(c Conversation) Session {
	return &voyagerSession{v: v, client: c.ClientIdentifier, mailbox: v.Receiver.Open(c.ID)}
}

type voyagerSession struct {
	v       *Voyager
	client  string
	mailbox *webhook.Mailbox
}

// Exchange implements Session.
func (s *voyagerSession) Exchange(ctx context.Context, n int, text string) (Turn, error) {
	var t Turn
	if err := s.send(ctx, n, text, &t, false); err != nil {
		return t, err
	}
	err := awaitReply(ctx, s.mailbox, n, s.v.Wait, &t)
	return t, err
}

// burst sends a thought as several messages to turn n (burst.go).
func (s *voyagerSession) burst(ctx context.Context, n int, b Burst) (Turn, error) {
	return asyncBurst(ctx, s.mailbox, n, s.v.Wait, b, func(ctx context.Context, text string) (Turn, error) {
		var t Turn
		err := s.send(ctx, n, text, &t, false)
		return t, err
	})
}

// send POSTs one message of turn n, its reply to come on the turn's hook,
// into t: on the calling goroutine's stack when direct (Start), else off
// it. (Not inlined: Exchange, which a waiting user is inside of, keeps a
// small frame.)
//
//go:noinline
func (s *voyagerSession) send(ctx context.Context, n int, text string, t *Turn, direct bool) error {
	t.SentAt = time.Now()
	hook := s.mailbox.URL(n)
	var sent widget.Sent
	var err error
	if direct {
		sent, err = s.v.Client.SendMessage(ctx, s.client, text, hook)
	} else {
		sent, err = offstack.Call(func() (widget.Sent, error) { return s.v.Client.SendMessage(ctx, s.client, text, hook) })
	}
	t.Send, t.Status, t.Attempts = time.Since(t.SentAt), sent.Status, sent.Attempts
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &SendError{Status: sent.Status, Err: err}
	}
	return nil
}

// awaitReply waits on mb for turn n's callbacks and fills t with the reply
// and its latency from t.SentAt: the asynchronous half of an exchange,
// shared by the Voyager, generic webhook and WhatsApp protocols.
func awaitReply(ctx context.Context, mb *webhook.Mailbox, n int, w ReplyWait, t *Turn) error {
	var reply webhook.Reply
	err := mb.WaitInto(ctx, n, w.Timeout, w.Settle, &reply)
	return t.replied(ctx, w, &reply, err)
}

// replied fills t with the reply awaitReply waited for.
//
//go:noinline
func (t *Turn) replied(ctx context.Context, w ReplyWait, reply *webhook.Reply, err error) error {
	if !reply.First.IsZero() {
		t.Reply = reply.First.Sub(t.SentAt)
	}
	t.Messages, t.Callbacks, t.Duplicates = reply.Messages, reply.Callbacks, reply.Duplicates
	t.ReplySentAt = reply.SentAt
	return w.waitError(ctx, err)
}

// waitError is what a turn returns when waiting on its mailbox ended in
// err: a NoReplyError for the timeout, the context's error when it ended
// the wait; nil for nil.
func (w ReplyWait) waitError(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, webhook.ErrTimeout):
		return w.noReply()
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return fmt.Errorf("cannot wait for the reply: %w", err)
	}
	return nil
}

// Late implements Session.
func (s *voyagerSession) Late() map[int][]transcript.Message { return s.mailbox.Late() }

// Close implements Session.
func (s *voyagerSession) Close() { s.mailbox.Close() }
