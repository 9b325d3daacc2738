package protocol

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/voyplan/voyplan/engine/plan/target"
	"github.com/voyplan/voyplan/engine/transcript"
)

// HTTP is a synchronous JSON API: each message is one request, and the
// reply is its response, read by the plan's response expressions. The
// request runs under the reply timeout: running out of it is ErrNoReply.
type HTTP struct {
	API    *target.API
	Client *http.Client
	Wait   ReplyWait // its Timeout bounds each request, retries included
	Retry  Retrying  // a 5xx or a broken connection tried again
}

// Open implements Protocol.
func (h *HTTP) Open(c Conversation) Session {
	return &httpSession{h: h, conn: newAPIConn(h.API, c, h.Client, h.Retry)}
}

type httpSession struct {
	h    *HTTP
	conn *apiConn
}

// Exchange implements Session. Send and Reply are both the whole request,
// its response body included.
func (s *httpSession) Exchange(ctx context.Context, n int, text string) (Turn, error) {
	t := Turn{SentAt: time.Now(), Attempts: 1}
	rctx, cancel := context.WithTimeout(ctx, s.h.Wait.Timeout)
	defer cancel()
	r, o, attempts, err := s.conn.send(rctx, n, text, "")
	t.Send, t.Status, t.Attempts = time.Since(t.SentAt), r.status, attempts
	if err := syncFailure(ctx, s.h.Wait, r, o, err); err != nil {
		return t, err
	}
	s.conn.capture(r)
	msgs, err := readItems(s.h.API.Response, r.body, responseEnv(r))
	if err != nil {
		return t, &SendError{Status: r.status, Err: fmt.Errorf("cannot read the reply: %s", redact(err.Error(), o.headers))}
	}
	redactMessages(msgs, o.headers)
	t.Reply, t.Messages = t.Send, msgs
	return t, nil
}

// Late implements Session: a synchronous reply is never late.
func (s *httpSession) Late() map[int][]transcript.Message { return nil }

// Close implements Session.
func (s *httpSession) Close() {}
