package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/expr-lang/expr"

	"github.com/voyplan/voyplan/engine/plan/target"
	"github.com/voyplan/voyplan/engine/protocol/sse"
	"github.com/voyplan/voyplan/engine/transcript"
)

// SSE is a chat API that answers each message with a Server-Sent-Events
// stream: the request is built as HTTP's is, the reply read event by event
// with the plan's events expressions, until the end event, the end of the
// stream (no end expression), or reply_settle of quiet after the last
// content. Each request runs under the reply timeout.
type SSE struct {
	API    *target.API
	Client *http.Client
	Wait   ReplyWait
	Retry  Retrying
	// Origin, when set (a plan that starts the simulator), replaces the
	// scheme and host of every request's URL.
	Origin string
}

// Open implements Protocol.
func (p *SSE) Open(c Conversation) Session {
	return &sseSession{p: p, conn: newAPIConn(p.API, c, p.Client, p.Retry)}
}

type sseSession struct {
	p    *SSE
	conn *apiConn
}

// streamItem is what the reader goroutine hands over: an event and when
// it came, or the error that ended the stream.
type streamItem struct {
	ev    sse.Event
	at    time.Duration
	bytes int64 // read so far
	err   error
}

// Exchange implements Session. Send is the time to the response's
// headers; Reply the time to the end of the reply.
func (s *sseSession) Exchange(ctx context.Context, n int, text string) (Turn, error) {
	t := Turn{SentAt: time.Now(), Attempts: 1, Stream: &Stream{}}
	o, err := s.conn.request(n, text, "")
	if err != nil {
		return t, &SendError{Err: err}
	}
	o.url = onOrigin(o.url, s.p.Origin)
	rctx, cancel := context.WithTimeout(ctx, s.p.Wait.Timeout)
	defer cancel()
	resp, r, attempts, err := s.p.Retry.openStream(rctx, s.conn.client, o)
	t.Send, t.Status, t.Attempts = time.Since(t.SentAt), r.status, attempts
	if err := syncFailure(ctx, s.p.Wait, r, o, err); err != nil {
		return t, err
	}
	var wg sync.WaitGroup
	defer wg.Wait()         // last: the reader has returned
	defer resp.Body.Close() // then: a read in progress fails
	if err := notEventStream(resp, r, o); err != nil {
		return t, err
	}
	items := make(chan streamItem)
	done := make(chan struct{})
	defer close(done) // first: the reader's next send gives up
	read := sse.NewReader(resp.Body, maxEvent)
	wg.Add(1)
	go func() { // only the reader touches read; the turn is gather's
		defer wg.Done()
		for {
			ev, err := read.Next()
			select {
			case items <- streamItem{ev, time.Since(t.SentAt), read.Bytes(), err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	x, err := s.gather(ctx, t, r.status, o, items) // t stays the reader's to read
	redactMessages(x.Messages, o.headers)          // as the http and openai protocols do
	x.Stream.NoUsage = s.p.API.Events.Usage != nil && x.Usage == nil
	return x, err
}

// gather reads the events into the turn until the reply ends.
func (s *sseSession) gather(ctx context.Context, t Turn, status int, o outgoing, items <-chan streamItem) (Turn, error) {
	ev := s.p.API.Events
	var settle <-chan time.Time
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		select {
		case <-settle: // quiet for reply_settle after the last content: the reply is whole
			t.Reply = t.Stream.Last()
			return t, nil
		case it := <-items:
			t.Stream.Bytes = it.bytes
			if it.err == nil {
				t.Stream.Chunks++
			}
			if it.err != nil {
				if ev.End == nil && errors.Is(it.err, io.EOF) && t.Stream.Content > 0 {
					t.Reply = it.at // no end event is defined: the stream's end is the reply's
					return t, nil
				}
				t.Stream.Incomplete = true
				return t, streamEnd(ctx, s.p.Wait, status, it.err, o)
			}
			msgs, end, err := readEvent(ev, it.ev)
			if err != nil {
				return t, &SendError{Status: status, Err: fmt.Errorf("cannot read event %d: %s", t.Stream.Chunks, redact(err.Error(), o.headers))}
			}
			if u, err := readUsage(ev.Usage, eventEnv(it.ev)); err != nil {
				return t, &SendError{Status: status, Err: fmt.Errorf("cannot read event %d: %s", t.Stream.Chunks, redact(err.Error(), o.headers))}
			} else if u != nil {
				t.Usage = u
			}
			if len(msgs) > 0 {
				if t.Stream.Content == 0 {
					t.ReplySentAt = sentStamp(it.ev.Data)
				}
				t.Stream.content(it.at)
				t.Messages = appendMessages(t.Messages, msgs)
			}
			if end {
				t.Reply = it.at
				return t, nil
			}
			if len(msgs) > 0 && ev.End == nil && s.p.Wait.Settle > 0 {
				if timer == nil {
					timer = time.NewTimer(s.p.Wait.Settle)
				} else {
					timer.Reset(s.p.Wait.Settle)
				}
				settle = timer.C
			}
		}
	}
}

// appendMessages adds a chunk's items to a reply: text joins the text
// item being streamed, media items follow it.
func appendMessages(out, msgs []transcript.Message) []transcript.Message {
	for _, m := range msgs {
		if n := len(out); m.Type == transcript.TypeText && n > 0 && out[n-1].Type == transcript.TypeText {
			out[n-1].Text += m.Text
			continue
		}
		out = append(out, m)
	}
	return out
}

// readEvent reads one event with the plan's expressions: its items and
// whether it ends the reply.
func readEvent(x *target.Events, ev sse.Event) ([]transcript.Message, bool, error) {
	env := eventEnv(ev)
	var texts, links []string
	var err error
	if x.Text != nil {
		texts, err = runStrings(x.Text, env, "text")
	} else {
		texts = defaultField(env, "text")
	}
	if err != nil {
		return nil, false, err
	}
	if x.Media != nil {
		links, err = runStrings(x.Media, env, "media")
	} else {
		links = defaultField(env, "link")
	}
	if err != nil {
		return nil, false, err
	}
	end := env.Event == "done" || ev.Data == "[DONE]"
	if x.End != nil {
		v, err := expr.Run(x.End.Program, env)
		if err != nil {
			return nil, false, fmt.Errorf("cannot tell whether the event ends the reply with %q: %w", x.End.Source, err)
		}
		end, _ = v.(bool)
	}
	return replyItems(texts, links), end, nil
}

// eventEnv is an event for expressions: data decoded when it is JSON.
func eventEnv(ev sse.Event) target.EventEnv {
	env := target.EventEnv{Event: ev.Type, ID: ev.ID, Data: ev.Data}
	if env.Event == "" {
		env.Event = "message"
	}
	var v any
	if json.Unmarshal([]byte(ev.Data), &v) == nil { // checks the whole of data before decoding any of it
		env.Data = v
	}
	return env
}

// defaultField is what an event carries without an expression: field of
// a JSON object's data; nothing from an end event.
func defaultField(env target.EventEnv, field string) []string {
	if env.Event == "done" {
		return nil
	}
	if m, ok := env.Data.(map[string]any); ok {
		if s, ok := m[field].(string); ok && s != "" {
			return []string{s}
		}
	}
	return nil
}

// onOrigin is u with origin's scheme and host; u when origin is "".
func onOrigin(u, origin string) string {
	if origin == "" {
		return u
	}
	o, err1 := url.Parse(origin)
	p, err2 := url.Parse(u)
	if err1 != nil || err2 != nil {
		return u
	}
	p.Scheme, p.Host = o.Scheme, o.Host
	return p.String()
}

// Late implements Session: a streamed reply is never late.
func (s *sseSession) Late() map[int][]transcript.Message { return nil }

// Close implements Session.
func (s *sseSession) Close() {}
