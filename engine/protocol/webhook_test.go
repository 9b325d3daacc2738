package protocol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/voyplan/voyplan/engine/webhook"
)

// callbackBot accepts a message and calls back what reply returns, each
// body a callback of its own, to the URL found in the request's "hook".
// With answerAfter set, it starts calling back that long before it answers
// the request: a fast assistant whose callback overtakes its answer.
type callbackBot struct {
	wg          sync.WaitGroup
	answerAfter time.Duration
}

func (b *callbackBot) handler(t *testing.T, status int, accept string, reply func(req map[string]any) []string) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, _ *http.Request, body []byte) {
		var req map[string]any
		if err := json.Unmarshal(body, &req); err != nil {
			t.Errorf("bot: request is not JSON: %v", err)
		}
		hook, _ := req["hook"].(string)
		if status >= 300 {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, accept)
			return
		}
		defer func() {
			time.Sleep(b.answerAfter)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, accept)
		}()
		bodies := reply(req)
		b.wg.Go(func() {
			for _, body := range bodies {
				resp, err := http.Post(hook, "application/json", bytes.NewReader([]byte(body)))
				if err != nil {
					t.Errorf("bot: callback: %v", err)
					return
				}
				_ = resp.Body.Close()
			}
		})
	}
}

func listen(t *testing.T) *webhook.Receiver {
	t.Helper()
	rcv, err := webhook.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rcv.Close(context.Background()) })
	return rcv
}

func TestWebhookByPath(t *testing.T) {
	t.Parallel()
	bot := &callbackBot{}
	defer bot.wg.Wait()
	srv := newRecorder(t, bot.handler(t, http.StatusAccepted, `{"ok": true}`, func(req map[string]any) []string {
		return []string{
			fmt.Sprintf(`{"out": {"say": "eco: %s"}}`, req["text"]),
			`{"out": {"pic": "https://x/p.jpg"}}`,
		}
	}))
	rcv := listen(t)
	p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "webhook"
  request {
    url  = "%s/messages"
    body = { conversation_id = conversation.id, text = message, hook = callback.url }
  }
  callback {
    text  = "body.out.say"
    media = "body.out.pic"
  }
}`, srv.srv.URL))
	s := open(t, p, rcv)
	turn, err := s.Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	if turn.Status != 202 || turn.Callbacks != 2 || len(turn.Messages) != 2 ||
		turn.Messages[0].Text != "eco: Olá" || turn.Messages[1].Link != "https://x/p.jpg" {
		t.Fatalf("turn %+v: want both callbacks gathered into the turn", turn)
	}
	if turn.Reply <= 0 {
		t.Errorf("reply %s: want the time from the request to the first callback", turn.Reply)
	}
	var req map[string]any
	_ = json.Unmarshal(srv.last.Load().body, &req)
	hook, _ := req["hook"].(string)
	if !strings.HasPrefix(hook, "http://"+rcv.Addr()+"/hooks/") || !strings.HasSuffix(hook, "/conv-1/1") {
		t.Errorf("callback URL %q: want the conversation's URL for turn 1", hook)
	}
}

func TestWebhookByBodyField(t *testing.T) {
	t.Parallel()
	// The callbacks name the id the bot assigns in its answer, and overtake it.
	bot := &callbackBot{answerAfter: 100 * time.Millisecond}
	defer bot.wg.Wait()
	srv := newRecorder(t, bot.handler(t, http.StatusOK, `{"session": "srv-42"}`, func(req map[string]any) []string {
		return []string{
			`{"session": "srv-42", "text": "ours"}`,
			`not json`,
			`{"session": "someone-else", "text": "not ours"}`,
		}
	}))
	rcv := listen(t)
	p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "webhook"
  request {
    url  = "%s/messages"
    body = { conversation_id = session.id, text = message }
  }
  session { id_from = "body.session" }
  callback {
    url_field = "hook"
    match     = "body.session"
    text      = "body.text"
  }
}`, srv.srv.URL))
	proto, err := FromPlan(p, rcv, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	proto.(*Webhook).AssignGrace = time.Second
	s := proto.Open(conversation())
	defer s.Close()
	turn, err := s.Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	var req map[string]any
	_ = json.Unmarshal(srv.last.Load().body, &req)
	if req["hook"] != rcv.SharedURL() || req["conversation_id"] != "conv-1" {
		t.Errorf("request %v: want the shared URL at hook and the conversation id", req)
	}
	if len(turn.Messages) != 1 || turn.Messages[0].Text != "ours" || turn.Callbacks != 1 {
		t.Errorf("turn %+v: want only the callback naming the assigned id", turn)
	}
	if turn.Reply >= turn.Send {
		t.Errorf("reply %s, send %s: the callback that overtook the answer is timed at its arrival", turn.Reply, turn.Send)
	}
	bot.wg.Wait()
	if st := rcv.Stats(); st.Received != 3 || st.Unmatched != 1 || st.Malformed != 1 {
		t.Errorf("receiver %+v: want 3 received, the foreign one unmatched and the bad JSON malformed", st)
	}
}

func TestWebhookRefusedSend(t *testing.T) {
	t.Parallel()
	bot := &callbackBot{}
	srv := newRecorder(t, bot.handler(t, http.StatusTooManyRequests, `{"error": "slow down"}`, nil))
	p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "webhook"
  request {
    url  = "%s/messages"
    body = { conversation_id = conversation.id, text = message, hook = callback.url }
  }
}`, srv.srv.URL))
	start := time.Now()
	turn, err := open(t, p, listen(t)).Exchange(context.Background(), 1, "Olá")
	se, ok := errors.AsType[*SendError](err)
	if !ok || se.Status != 429 || turn.Status != 429 || time.Since(start) > 2*time.Second { // the reply timeout is 5 s
		t.Errorf("err %v, turn %+v: want a 429 SendError at once, without waiting for a reply", err, turn)
	}
}

// With body matching, a callback names its conversation but not its turn;
// an assistant that echoes the turn lets callback.turn file a late reply to
// turn 1 under turn 1, instead of mixing it into turn 2's reply.
func TestWebhookCallbackTurn(t *testing.T) {
	t.Parallel()
	for _, withTurn := range []bool{true, false} {
		t.Run(fmt.Sprintf("turn expression %v", withTurn), func(t *testing.T) {
			t.Parallel()
			var wg sync.WaitGroup
			defer wg.Wait()
			srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, body []byte) {
				var req struct {
					Conv string `json:"conversation_id"`
					Turn int    `json:"turn"`
					Hook string `json:"hook"`
				}
				if err := json.Unmarshal(body, &req); err != nil {
					t.Errorf("bot: %v", err)
				}
				w.WriteHeader(http.StatusAccepted)
				if req.Turn != 2 { // turn 1's reply comes late, just before turn 2's
					return
				}
				wg.Go(func() {
					for _, cb := range []string{
						fmt.Sprintf(`{"conversation_id": %q, "turn": 1, "text": "resposta do turno 1"}`, req.Conv),
						fmt.Sprintf(`{"conversation_id": %q, "turn": "2", "text": "resposta do turno 2"}`, req.Conv),
					} {
						resp, err := http.Post(req.Hook, "application/json", strings.NewReader(cb))
						if err != nil {
							t.Errorf("bot: callback: %v", err)
							return
						}
						_ = resp.Body.Close()
					}
				})
			})
			turnAttr := ""
			if withTurn {
				turnAttr = `turn = "body.turn"`
			}
			p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "webhook"
  request {
    url  = "%s/messages"
    body = { conversation_id = conversation.id, text = message, hook = callback.url, turn = turn }
  }
  callback {
    match = "body.conversation_id"
    text  = "body.text"
    %s
  }
}`, srv.srv.URL, turnAttr))
			s := open(t, p, listen(t))
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if _, err := s.Exchange(ctx, 1, "Olá"); err == nil {
				t.Fatal("turn 1 got a reply; the bot sends none until turn 2")
			}
			turn, err := s.Exchange(context.Background(), 2, "Ana")
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, m := range turn.Messages {
				texts = append(texts, m.Text)
			}
			late := s.Late()[1]
			switch {
			case withTurn && (strings.Join(texts, "|") != "resposta do turno 2" || len(late) != 1 || late[0].Text != "resposta do turno 1"):
				t.Errorf("turn 2 %q, late for turn 1 %+v: want each reply under its own turn", texts, late)
			case !withTurn && len(texts) != 2:
				t.Errorf("turn 2 %q: without a turn expression both callbacks go to the turn in flight", texts)
			}
		})
	}
}

// TestWebhookCallbackTraceParent: with traceparent = true, the callback
// URL carries the turn's trace context in its query (the callback still
// reaches its turn); untraced, or without the attribute, it carries none.
func TestWebhookCallbackTraceParent(t *testing.T) {
	t.Parallel()
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	state, _ := trace.ParseTraceState("voyplan=t1")
	traced := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, TraceState: state}))
	tests := []struct {
		name, attr string
		ctx        context.Context
		want       string // the callback URL's query
	}{
		{"traced", "traceparent = true", traced, "traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01&tracestate=voyplan%3Dt1"},
		{"not traced", "traceparent = true", context.Background(), ""},
		{"not asked", "", traced, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bot := &callbackBot{}
			defer bot.wg.Wait()
			srv := newRecorder(t, bot.handler(t, http.StatusAccepted, `{}`, func(map[string]any) []string {
				return []string{`{"out": {"say": "oi"}}`}
			}))
			rcv := listen(t)
			p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "webhook"
  request {
    url  = "%s/messages"
    body = { text = message, hook = callback.url }
  }
  callback {
    text = "body.out.say"
    %s
  }
}`, srv.srv.URL, tt.attr))
			s := open(t, p, rcv)
			turn, err := s.Exchange(tt.ctx, 1, "Olá")
			if err != nil || len(turn.Messages) != 1 {
				t.Fatalf("turn %+v, %v: want the callback in the turn", turn, err)
			}
			var req map[string]any
			_ = json.Unmarshal(srv.last.Load().body, &req)
			hook, _ := req["hook"].(string)
			u, err := url.Parse(hook)
			if err != nil || u.RawQuery != tt.want || !strings.HasSuffix(u.Path, "/conv-1/1") {
				t.Errorf("callback URL %q: want the turn's path and query %q", hook, tt.want)
			}
		})
	}
}
