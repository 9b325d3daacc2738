package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/webhook"
)

const secret = "sk-live-0123456789abcdef"

// loadTarget loads a plan around target and returns it.
func loadTarget(t *testing.T, target string) *plan.Plan {
	t.Helper()
	src := fmt.Sprintf(`
data "customer" {
  name = "Ana Souza"
  cpf  = "529.982.247-25"
}
%s
persona "p" { script = ["Olá"] }
conversation {
  reply_timeout = "5s"
  reply_settle  = "200ms"
}
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`, target)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "p.hcl"), plan.Options{Env: map[string]string{"KEY": secret}})
	if diags.HasErrors() {
		t.Fatalf("plan does not load: %s", diags.Error())
	}
	return p
}

func conversation() Conversation {
	return Conversation{ID: "conv-1", User: 4, Persona: "p", Data: map[string]map[string]string{
		"customer": {"name": "Ana Souza", "cpf": "529.982.247-25"},
	}}
}

// recorder is a loopback assistant that answers with handle and keeps the
// last request it saw.
type recorder struct {
	srv  *httptest.Server
	last atomic.Pointer[seen]
}

type seen struct {
	method, path string
	header       http.Header
	body         []byte
}

func newRecorder(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.last.Store(&seen{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
		handle(w, r, body)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func open(t *testing.T, p *plan.Plan, rcv *webhook.Receiver) Session {
	t.Helper()
	proto, err := FromPlan(p, rcv, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	s := proto.Open(conversation())
	t.Cleanup(s.Close)
	return s
}

func TestHTTPRendersTheRequestAndReadsTheReply(t *testing.T) {
	t.Parallel()
	bot := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("X-Trace", "abc")
		_, _ = io.WriteString(w, `{"data": {"answer": "Olá, Ana!", "extra": [null, "Tudo bem?"], "pics": ["https://x/1.jpg"]}}`)
	})
	p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "http"
  request {
    method  = "put"
    url     = "%s/conversations/${conversation.id}/turns/${turn}"
    headers = { "X-Api-Key" = env("KEY"), "X-User" = "${conversation.user}" }
    body    = <<EOT
{"text": ${jsonencode(message)}, "cpf": "${data.customer.cpf}", "persona": "${conversation.persona}"}
EOT
  }
  response {
    text  = "[body.data.answer, body.data.extra[0], body.data.extra[1], headers['x-trace'] == 'abc' && status == 200 ? nil : 'bad']"
    media = "body.data.pics"
  }
}`, bot.srv.URL))
	turn, err := open(t, p, nil).Exchange(context.Background(), 3, `Quero "2" ingressos`)
	if err != nil {
		t.Fatal(err)
	}
	got := bot.last.Load()
	if got.method != "PUT" || got.path != "/conversations/conv-1/turns/3" {
		t.Errorf("request %s %s", got.method, got.path)
	}
	if got.header.Get("X-Api-Key") != secret || got.header.Get("X-User") != "4" || got.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", got.header)
	}
	var body map[string]string
	if err := json.Unmarshal(got.body, &body); err != nil || body["text"] != `Quero "2" ingressos` || body["cpf"] != "529.982.247-25" || body["persona"] != "p" {
		t.Errorf("body %s (%v)", got.body, err)
	}
	want := []transcript.Message{
		{Role: "assistant", Type: "text", Text: "Olá, Ana!"},
		{Role: "assistant", Type: "text", Text: "Tudo bem?"},
		{Role: "assistant", Type: "media", Link: "https://x/1.jpg"},
	}
	if fmt.Sprint(turn.Messages) != fmt.Sprint(want) {
		t.Errorf("messages %+v, want %+v", turn.Messages, want)
	}
	if turn.Status != 200 || turn.Attempts != 1 || turn.Reply <= 0 || turn.Reply != turn.Send {
		t.Errorf("turn %+v", turn)
	}
}

func TestHTTPDefaultReadingIsTheVoyagerPayload(t *testing.T) {
	t.Parallel()
	bot := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		_, _ = io.WriteString(w, `{"messages": [{"text": "Oi"}, {"type": "media", "media": {"type": "image", "link": "https://x/2.jpg"}}]}`)
	})
	p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "http"
  request {
    url  = "%s/chat"
    body = { conversation_id = conversation.id, text = message }
  }
}`, bot.srv.URL))
	turn, err := open(t, p, nil).Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	if len(turn.Messages) != 2 || turn.Messages[0].Text != "Oi" || turn.Messages[1].Link != "https://x/2.jpg" {
		t.Errorf("messages %+v", turn.Messages)
	}
	if b := string(bot.last.Load().body); b != `{"conversation_id":"conv-1","text":"Olá"}` {
		t.Errorf("body %s: an object body is sent as JSON", b)
	}
}

func TestHTTPFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		handle func(w http.ResponseWriter, r *http.Request, body []byte)
		check  func(t *testing.T, turn Turn, err error)
	}{
		{
			name: "an error status quotes the body without the secret",
			handle: func(w http.ResponseWriter, r *http.Request, _ []byte) {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprintf(w, `{"error": "key %s is revoked"}`, r.Header.Get("Authorization"))
			},
			check: func(t *testing.T, turn Turn, err error) {
				se, ok := errors.AsType[*SendError](err)
				if !ok || se.Status != 403 || turn.Status != 403 {
					t.Fatalf("err %v, status %d: want a 403 SendError", err, turn.Status)
				}
				if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "revoked") {
					t.Errorf("error %q: want the body quoted, the key redacted", err)
				}
			},
		},
		{
			name: "an unreadable reply is a failed send",
			handle: func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				_, _ = io.WriteString(w, `{"data": {"answer": 42}}`)
			},
			check: func(t *testing.T, _ Turn, err error) {
				if _, ok := errors.AsType[*SendError](err); !ok || !strings.Contains(err.Error(), "want a string") {
					t.Errorf("err %v: want a SendError saying what the expression yielded", err)
				}
			},
		},
		{
			name: "no answer within the reply timeout",
			handle: func(w http.ResponseWriter, r *http.Request, _ []byte) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			},
			check: func(t *testing.T, turn Turn, err error) {
				if !errors.Is(err, ErrNoReply) || turn.Reply != 0 || turn.Send < 300*time.Millisecond {
					t.Errorf("err %v, turn %+v: want ErrNoReply after the 300ms reply timeout", err, turn)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bot := newRecorder(t, tt.handle)
			p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "http"
  request {
    url     = "%s/chat?api_key=${env("KEY")}"
    headers = { Authorization = "Bearer ${env("KEY")}" }
    body    = { conversation_id = conversation.id, text = message }
  }
  response { text = "body.data.answer" }
}`, bot.srv.URL))
			p.Conversation.ReplyTimeout = 300 * time.Millisecond
			turn, err := open(t, p, nil).Exchange(context.Background(), 1, "Olá")
			tt.check(t, turn, err)
		})
	}
}

func TestTransportErrorsNameNoSecret(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "http"
  request {
    url  = "%s/chat?key=${env("KEY")}"
    body = { conversation_id = conversation.id, text = message }
  }
}`, url))
	turn, err := open(t, p, nil).Exchange(context.Background(), 1, "Olá")
	se, ok := errors.AsType[*SendError](err)
	if !ok || se.Status != 0 || turn.Status != 0 {
		t.Fatalf("err %v: want a transport SendError", err)
	}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), url+"/chat") {
		t.Errorf("error %q: want the URL without its query", err)
	}
}

func TestCancelledExchangeReturnsTheContextError(t *testing.T) {
	t.Parallel()
	bot := newRecorder(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { <-r.Context().Done() })
	p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "http"
  request {
    url  = "%s/chat"
    body = { conversation_id = conversation.id }
  }
}`, bot.srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := open(t, p, nil).Exchange(ctx, 1, "Olá"); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

func TestSetField(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, path, want string }{
		{`{"a": 1}`, "reply_to", `{"a":1,"reply_to":"U"}`},
		{`{"a": 1.50, "hook": {"x": true}}`, "hook.url", `{"a":1.50,"hook":{"url":"U","x":true}}`},
		{`{"hook": "old"}`, "hook.url", `{"hook":{"url":"U"}}`},
		{`{"q": "a&b"}`, "r", `{"q":"a&b","r":"U"}`},
	}
	for _, tt := range tests {
		got, err := setField([]byte(tt.body), tt.path, "U")
		if err != nil || string(got) != tt.want {
			t.Errorf("setField(%s, %s) = %s, %v; want %s", tt.body, tt.path, got, err, tt.want)
		}
	}
	for _, bad := range []string{`[1]`, `"s"`, `null`, `{`} {
		if _, err := setField([]byte(bad), "x", "U"); err == nil {
			t.Errorf("setField(%s) accepted a body that is not a JSON object", bad)
		}
	}
}

func TestStringsOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      any
		want    []string
		wantErr bool
	}{
		{nil, nil, false},
		{"", nil, false},
		{"a", []string{"a"}, false},
		{[]any{"a", nil, "", "b"}, []string{"a", "b"}, false},
		{[]string{"a"}, []string{"a"}, false},
		{[]any{"a", 1.0}, nil, true},
		{map[string]any{}, nil, true},
		{true, nil, true},
	}
	for _, tt := range tests {
		got, err := stringsOf(tt.in)
		if (err != nil) != tt.wantErr || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("stringsOf(%#v) = %q, %v", tt.in, got, err)
		}
	}
}
