package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

func TestOpenAISendsTheHistoryAndReadsUsage(t *testing.T) {
	t.Parallel()
	replies := []string{
		`{"choices": [{"message": {"role": "assistant", "content": "Oi! Como se chama?"}}], "usage": {"prompt_tokens": 12, "completion_tokens": 5}}`,
		`{"choices": [{"message": {"role": "assistant", "content": [{"type": "text", "text": "Prazer,"}, {"type": "text", "text": "Ana!"}]}}]}`,
	}
	n := 0
	bot := newRecorder(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		_, _ = io.WriteString(w, replies[n])
		n++
	})
	p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "openai"
  url      = "%s/v1"
  model    = "m1"
  system   = "Seja breve."
  api_key  = env("KEY")
  headers  = { "X-Tenant" = "parque" }
}`, bot.srv.URL))
	s := open(t, p, nil)
	first, err := s.Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	if first.Usage == nil || *first.Usage != (transcript.Usage{InputTokens: 12, OutputTokens: 5}) || first.Messages[0].Text != "Oi! Como se chama?" {
		t.Errorf("first turn %+v usage %v", first, first.Usage)
	}
	second, err := s.Exchange(context.Background(), 2, "Ana")
	if err != nil {
		t.Fatal(err)
	}
	if second.Usage != nil || len(second.Messages) != 1 || second.Messages[0].Text != "Prazer,\nAna!" {
		t.Errorf("second turn %+v: content parts joined, no usage reported", second)
	}
	got := bot.last.Load()
	if got.path != "/v1/chat/completions" || got.header.Get("Authorization") != "Bearer "+secret || got.header.Get("X-Tenant") != "parque" {
		t.Errorf("request %s %v", got.path, got.header)
	}
	var req chatRequest
	if err := json.Unmarshal(got.body, &req); err != nil {
		t.Fatal(err)
	}
	want := []chatMessage{
		{"system", "Seja breve."}, {"user", "Olá"}, {"assistant", "Oi! Como se chama?"}, {"user", "Ana"},
	}
	if req.Model != "m1" || req.User != "conv-1" || fmt.Sprint(req.Messages) != fmt.Sprint(want) {
		t.Errorf("request %+v, want the whole history %v", req, want)
	}
}

func TestOpenAIFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"an error status", `{"error": {"message": "model m1 not found"}}`, 404, "HTTP 404: {\"error\": {\"message\": \"model m1 not found\"}}"},
		{"no choices", `{"choices": []}`, 200, "no choices"},
		{"not a completion", `<html>`, 200, "not a chat completion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bot := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "openai"
  url      = "%s"
  model    = "m1"
}`, bot.srv.URL))
			s := open(t, p, nil)
			_, err := s.Exchange(context.Background(), 1, "Olá")
			if se, ok := errors.AsType[*SendError](err); !ok || se.Status != tt.status || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want a SendError with status %d saying %q", err, tt.status, tt.want)
			}
			// A failed turn leaves the history as it was.
			if h := s.(*openaiSession).history; len(h) != 0 {
				t.Errorf("history %v after a failure, want it unchanged", h)
			}
		})
	}
}

// Image parts of a reply are media items, as a Voyager image is; the text
// alone goes back into the history.
func TestOpenAIImageParts(t *testing.T) {
	t.Parallel()
	bot := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		_, _ = io.WriteString(w, `{"choices": [{"message": {"role": "assistant", "content": [
			{"type": "text", "text": "Veja o mapa do parque:"},
			{"type": "image_url", "image_url": {"url": "https://cdn.example/mapa.jpg"}},
			{"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA"}}
		]}}]}`)
	})
	p := loadTarget(t, fmt.Sprintf(`
target "bot" {
  protocol = "openai"
  url      = "%s"
  model    = "m1"
}`, bot.srv.URL))
	s := open(t, p, nil)
	turn, err := s.Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	want := []transcript.Message{
		{Role: "assistant", Type: "text", Text: "Veja o mapa do parque:"},
		{Role: "assistant", Type: "media", Link: "https://cdn.example/mapa.jpg"},
		{Role: "assistant", Type: "media", Link: "data:image/png;base64,…"},
	}
	if fmt.Sprint(turn.Messages) != fmt.Sprint(want) {
		t.Errorf("messages %+v, want %+v", turn.Messages, want)
	}
	if h := s.(*openaiSession).history; len(h) != 2 || h[1].Content != "Veja o mapa do parque:" {
		t.Errorf("history %v: want the reply's text only", h)
	}
}
