package protocol

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// flaky answers the first fails requests with status, then ok.
func flaky(t *testing.T, fails int32, status int, ok string) (*recorder, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	bot := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		if n.Add(1) <= fails {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"error": "busy"}`)
			return
		}
		_, _ = io.WriteString(w, ok)
	})
	return bot, &n
}

// Every protocol honours target.retries: a 5xx is tried again until the
// retries run out, a 4xx never, and the turn records its attempts.
func TestRetriesForEveryProtocol(t *testing.T) {
	t.Parallel()
	targets := map[string]struct {
		ok     string
		target func(url string, retries int) string
		rcv    bool
	}{
		"http": {
			ok: `{"text": "Olá!"}`,
			target: func(url string, retries int) string {
				return fmt.Sprintf(`
target "bot" {
  protocol = "http"
  retries  = %d
  request {
    url  = "%s/chat"
    body = { text = message }
  }
  response { text = "body.text" }
}`, retries, url)
			},
		},
		"openai": {
			ok: `{"choices": [{"message": {"role": "assistant", "content": "Olá!"}}]}`,
			target: func(url string, retries int) string {
				return fmt.Sprintf(`
target "bot" {
  protocol = "openai"
  url      = "%s/v1"
  model    = "m"
  retries  = %d
}`, url, retries)
			},
		},
		"webhook": {
			ok: `{"accepted": true}`,
			target: func(url string, retries int) string {
				return fmt.Sprintf(`
target "bot" {
  protocol = "webhook"
  retries  = %d
  request {
    url  = "%s/messages"
    body = { text = message, hook = callback.url }
  }
}`, retries, url)
			},
			rcv: true,
		},
	}
	for name, tt := range targets {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			exchange := func(fails int32, status, retries int) (Turn, error, int32) {
				bot, n := flaky(t, fails, status, tt.ok)
				p := loadTarget(t, tt.target(bot.srv.URL, retries))
				var rcv = listen(t)
				if !tt.rcv {
					rcv = nil
				}
				proto, err := FromPlan(p, rcv, &http.Client{})
				if err != nil {
					t.Fatal(err)
				}
				setBackoff(proto)
				s := proto.Open(conversation())
				defer s.Close()
				ctx, cancel := context.WithCancel(context.Background())
				if tt.rcv { // the bot calls nobody back: the wait after a send that went through is cut short
					ctx, cancel = context.WithTimeout(context.Background(), 2*time.Second)
				}
				defer cancel()
				turn, err := s.Exchange(ctx, 1, "Olá")
				return turn, err, n.Load()
			}

			turn, err, reqs := exchange(2, http.StatusServiceUnavailable, 2)
			if reqs != 3 || turn.Attempts != 3 || turn.Status != 200 {
				t.Errorf("two 503s with retries = 2: %d requests, turn %+v, err %v; want success on the third", reqs, turn, err)
			}
			if !tt.rcv && err != nil {
				t.Errorf("err %v", err)
			}

			turn, err, reqs = exchange(5, http.StatusBadGateway, 1)
			se, ok := errors.AsType[*SendError](err)
			if reqs != 2 || turn.Attempts != 2 || !ok || se.Status != http.StatusBadGateway {
				t.Errorf("502s with retries = 1: %d requests, turn %+v, err %v; want a 502 SendError after 2", reqs, turn, err)
			}

			turn, err, reqs = exchange(5, http.StatusTooManyRequests, 3)
			if se, ok := errors.AsType[*SendError](err); reqs != 1 || turn.Attempts != 1 || !ok || se.Status != http.StatusTooManyRequests {
				t.Errorf("a 4xx with retries = 3: %d requests, turn %+v, err %v; want one attempt", reqs, turn, err)
			}
		})
	}
}

// setBackoff makes retries quick in tests.
func setBackoff(p Protocol) {
	switch x := p.(type) {
	case *HTTP:
		x.Retry.Backoff = 1
	case *OpenAI:
		x.Retry.Backoff = 1
	case *Webhook:
		x.Retry.Backoff = 1
	}
}
