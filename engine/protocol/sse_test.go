package protocol

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func sseTarget(url, events string) string {
	return fmt.Sprintf(`
target "bot" {
  protocol = "sse"
  request {
    url     = "%s/chat"
    headers = { Authorization = "Bearer ${env("KEY")}" }
    body    = jsonencode({ conversation_id = conversation.id, message = message })
  }
  %s
}`, url, events)
}

// TestSSEReadsEventsWithExpressions: the events block picks the text and
// media out of each event and says which one ends the reply; text chunks
// join into one item.
func TestSSEReadsEventsWithExpressions(t *testing.T) {
	t.Parallel()
	bot := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		sseBody(w, "event: status\ndata: thinking\n\n", "event: token\ndata: {\"t\":\"Oi, \"}\n\n",
			"event: token\ndata: {\"t\":\"tudo bem?\"}\n\n", "event: image\ndata: https://x/y.jpg\n\n",
			"event: end\ndata: {}\n\n", "event: token\ndata: {\"t\":\"after the end\"}\n\n")
	})
	p := loadTarget(t, sseTarget(bot.srv.URL, `events {
    text  = "event == 'token' ? data.t : nil"
    media = "event == 'image' ? data : nil"
    end   = "event == 'end'"
  }`))
	x, err := open(t, p, nil).Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Messages) != 2 || x.Messages[0].Text != "Oi, tudo bem?" || x.Messages[1].Link != "https://x/y.jpg" {
		t.Errorf("messages %+v", x.Messages)
	}
	if st := x.Stream; st.Chunks != 5 || st.Content != 3 || st.FirstToken <= 0 || x.Reply < st.Last() {
		t.Errorf("stream %+v reply %s", st, x.Reply)
	}
	if got := bot.last.Load(); !strings.Contains(string(got.body), `"message":"Olá"`) || got.header.Get("Accept") != "text/event-stream" {
		t.Errorf("request %s %v", got.body, got.header)
	}
}

// TestSSESettlesWithoutAnEndEvent: with no end expression a reply is
// whole when the stream ends, or after reply_settle of quiet — the stream
// held open (released when the test ends) does not hang the turn.
func TestSSESettlesWithoutAnEndEvent(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	bot := newRecorder(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		sseBody(w, "data: {\"text\":\"Oi!\"}\n\n")
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	p := loadTarget(t, sseTarget(bot.srv.URL, ""))
	start := time.Now()
	x, err := open(t, p, nil).Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Messages) != 1 || x.Messages[0].Text != "Oi!" || time.Since(start) > 3*time.Second {
		t.Errorf("messages %+v after %s: want the text, settled after 200ms", x.Messages, time.Since(start))
	}
	if x.Reply != x.Stream.FirstToken {
		t.Errorf("reply %s, want the last content chunk's time %s", x.Reply, x.Stream.FirstToken)
	}
}

// TestSSEBadInput: a stream cut before its end event, an HTML page with
// 200 and a broken expression fail the turn with what went wrong.
func TestSSEBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, events string
		handle       func(w http.ResponseWriter)
		want         string
		incomplete   bool
	}{
		{"cut", `events { end = "event == 'done'" }`, func(w http.ResponseWriter) { sseBody(w, "data: {\"text\":\"Oi\"}\n\n") }, "ended without its end marker", true},
		{"html", "", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, "<!doctype html><h1>502</h1>")
		}, "not an event stream (Content-Type text/html; charset=utf-8)", false},
		{"expression", `events { text = "data.t.u" }`, func(w http.ResponseWriter) { sseBody(w, "data: {\"t\":1}\n\n") }, "cannot read event 1", false},
		{"malformed", "", func(w http.ResponseWriter) { sseBody(w, "dat: x\n\n") }, "malformed event-stream line 1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bot := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { tt.handle(w) })
			_, err := open(t, loadTarget(t, sseTarget(bot.srv.URL, tt.events)), nil).Exchange(context.Background(), 1, "Olá")
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrStreamIncomplete) != tt.incomplete {
				t.Fatalf("error %v, want %q (incomplete %v)", err, tt.want, tt.incomplete)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the key: %v", err)
			}
		})
	}
}
