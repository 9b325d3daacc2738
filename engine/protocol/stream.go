package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/protocol/retry"
	"github.com/voyplan/voyplan/engine/protocol/sse"
)

// maxEvent bounds one event of a stream: a larger one fails the turn
// rather than growing a buffer without bound.
const maxEvent = 1 << 20

// openStream sends o as rt says and returns the response of the last
// attempt with its body unread, once its status is 2xx; a failing status
// is read (bounded) into r.body, its body closed. The caller closes a
// returned stream's body.
func (rt Retrying) openStream(ctx context.Context, client *http.Client, o outgoing) (*http.Response, response, int, error) {
	var resp *http.Response
	var r response
	attempts, err := retry.Do(ctx, rt.Retries, rt.Backoff, func() (int, string, error) {
		var err error
		resp, r, err = startStream(ctx, client, o)
		if err == nil && !r.ok() {
			return r.status, r.header.Get("Retry-After"), errStatus
		}
		return r.status, "", err
	})
	if errors.Is(err, errStatus) {
		err = nil
	}
	return resp, r, attempts, err
}

// startStream makes one request asking for an event stream.
func startStream(ctx context.Context, client *http.Client, o outgoing) (*http.Response, response, error) {
	req, err := newRequest(ctx, o, "text/event-stream")
	if err != nil {
		return nil, response{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, response{}, transportError(err, o)
	}
	r := response{status: resp.StatusCode, header: resp.Header}
	if !r.ok() {
		r.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxSnippet*4))
		resp.Body.Close()
		return nil, r, nil
	}
	return resp, r, nil
}

// notEventStream is the failure of a 2xx response that is not an event
// stream (an HTML error page served with 200), quoting its start.
func notEventStream(resp *http.Response, r response, o outgoing) error {
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "text/event-stream" {
		return nil
	}
	r.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxSnippet*4))
	e := statusError(r, o)
	if ct == "" {
		ct = "none"
	}
	e.Err = fmt.Errorf("the reply is not an event stream (Content-Type %s)%s", ct,
		strings.TrimPrefix(e.Err.Error(), fmt.Sprintf("assistant answered HTTP %d", r.status)))
	return e
}

// sentStamp reads the send stamp the built-in simulator puts in the first
// content chunk of a stream (x_voyplan_sent_at, Unix ns: sim.StampField),
// as Turn.ReplySentAt; zero when data has none.
func sentStamp(data string) time.Time {
	var v struct {
		SentAt int64 `json:"x_voyplan_sent_at"`
	}
	if !strings.Contains(data, "x_voyplan_sent_at") || json.Unmarshal([]byte(data), &v) != nil || v.SentAt <= 0 {
		return time.Time{}
	}
	return time.Unix(0, v.SentAt)
}

// streamRead is one stream being read: the events as they come, each
// stamped on the monotonic clock from the start of the request.
type streamRead struct {
	r     *sse.Reader
	start time.Time
	st    *Stream
}

func newStreamRead(body io.Reader, start time.Time, st *Stream) *streamRead {
	return &streamRead{r: sse.NewReader(body, maxEvent), start: start, st: st}
}

// next reads an event and when it came; it counts the event and the bytes.
func (s *streamRead) next() (sse.Event, time.Duration, error) {
	ev, err := s.r.Next()
	at := time.Since(s.start)
	s.st.Bytes = s.r.Bytes()
	if err == nil {
		s.st.Chunks++
	}
	return ev, at, err
}

// streamEnd is how a stream that stopped before its end marker failed: a
// cancelled ctx, the reply timeout running out (NoReplyError), a broken
// event (SendError) or a stream ended or cut (StreamIncompleteError).
func streamEnd(ctx context.Context, w ReplyWait, status int, err error, o outgoing) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if isTimeout(err) {
		return w.noReply()
	}
	if se, ok := errors.AsType[*sse.SyntaxError](err); ok {
		return &SendError{Status: status, Err: fmt.Errorf("cannot read the reply: %s", redact(se.Error(), o.headers))}
	}
	if errors.Is(err, sse.ErrTooLarge) {
		return &SendError{Status: status, Err: fmt.Errorf("cannot read the reply: an event is larger than %d MiB", maxEvent>>20)}
	}
	if errors.Is(err, io.EOF) {
		return &StreamIncompleteError{Cause: "it ended without its end marker"}
	}
	return &StreamIncompleteError{Cause: "the connection broke: " + redact(err.Error(), o.headers)}
}
