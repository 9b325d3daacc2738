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

// streamTarget is an openai target with stream = true at url.
func streamTarget(url string) string {
	return fmt.Sprintf(`
target "bot" {
  protocol = "openai"
  url      = "%s/v1"
  model    = "m1"
  stream   = true
  api_key  = env("KEY")
}`, url)
}

// sseBody writes events as an event stream, flushing each.
func sseBody(w http.ResponseWriter, events ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, e := range events {
		_, _ = io.WriteString(w, e)
		w.(http.Flusher).Flush()
	}
}

const (
	roleChunk  = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
	usageChunk = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4}}\n\n"
	doneChunk  = "data: [DONE]\n\n"
)

func textChunk(s string) string {
	b, _ := json.Marshal(s)
	return fmt.Sprintf("data: {\"choices\":[{\"delta\":{\"content\":%s}}]}\n\n", b)
}

// TestOpenAIStreamAssemblesTheReply: stream = true asks for a stream with
// its usage, assembles the text from the deltas, times the first content
// chunk (not the role-only one) and counts chunks and bytes.
func TestOpenAIStreamAssemblesTheReply(t *testing.T) {
	t.Parallel()
	events := []string{roleChunk, textChunk("Oi! "), ": keep-alive\n\n", textChunk("Como se chama?"), usageChunk, doneChunk}
	bot := newRecorder(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { sseBody(w, events...) })
	s := open(t, loadTarget(t, streamTarget(bot.srv.URL)), nil)
	x, err := s.Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Messages) != 1 || x.Messages[0].Text != "Oi! Como se chama?" {
		t.Errorf("messages %+v", x.Messages)
	}
	if x.Usage == nil || *x.Usage != (transcript.Usage{InputTokens: 9, OutputTokens: 4}) {
		t.Errorf("usage %v", x.Usage)
	}
	st := x.Stream
	wantBytes := int64(len(strings.Join(events, "")))
	if st == nil || st.Chunks != 5 || st.Content != 2 || st.Bytes != wantBytes || st.Incomplete || st.NoUsage ||
		st.FirstToken <= 0 || st.FirstToken > st.Last() || x.Reply < st.Last() {
		t.Errorf("stream %+v (reply %s), want 5 chunks, 2 with content, %d bytes", st, x.Reply, wantBytes)
	}
	var req struct {
		Stream        bool `json:"stream"`
		StreamOptions struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	got := bot.last.Load()
	if err := json.Unmarshal(got.body, &req); err != nil || !req.Stream || !req.StreamOptions.IncludeUsage {
		t.Errorf("request %s: want stream and include_usage", got.body)
	}
	if got.header.Get("Accept") != "text/event-stream" {
		t.Errorf("Accept %q", got.header.Get("Accept"))
	}
	// the history goes on with the assembled reply
	if _, err := s.Exchange(context.Background(), 2, "Ana"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(bot.last.Load().body), `"content":"Oi! Como se chama?"`) {
		t.Errorf("second request %s lacks the first reply", bot.last.Load().body)
	}
}

// TestOpenAIStreamBadInput: what a broken assistant streams is a failed
// turn with a reason that says what was wrong — never a hang, never a
// silent zero.
func TestOpenAIStreamBadInput(t *testing.T) {
	t.Parallel()
	big := "data: {\"choices\":[{\"delta\":{\"content\":\"" + strings.Repeat("x", 10<<20) + "\"}}]}\n\n"
	tests := []struct {
		name       string
		handle     func(w http.ResponseWriter)
		incomplete bool   // a StreamIncompleteError, the partial text kept
		errWant    string // else the SendError's message contains this; "" is success
		noUsage    bool
	}{
		{"cut before done", func(w http.ResponseWriter) { sseBody(w, roleChunk, textChunk("Oi, tud")) }, true, "ended without its end marker", true},
		{"no usage", func(w http.ResponseWriter) { sseBody(w, roleChunk, textChunk("Oi"), doneChunk) }, false, "", true},
		{"not JSON", func(w http.ResponseWriter) { sseBody(w, roleChunk, "data: oops\n\n", doneChunk) }, false, "chunk 2 is not a chat completion chunk", false},
		{"malformed line", func(w http.ResponseWriter) { sseBody(w, roleChunk, "garbage here\n\n", doneChunk) }, false, `malformed event-stream line 3: "garbage here"`, false},
		{"html with 200", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><body>Bad gateway</body></html>")
		}, false, "not an event stream (Content-Type text/html): <html><body>Bad gateway", false},
		{"10 MB event", func(w http.ResponseWriter) { sseBody(w, roleChunk, big, doneChunk) }, false, "an event is larger than 1 MiB", false},
		{"error event", func(w http.ResponseWriter) { sseBody(w, "data: {\"error\":{\"message\":\"overloaded\"}}\n\n") }, false, "error in its stream: overloaded", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bot := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { tt.handle(w) })
			s := open(t, loadTarget(t, streamTarget(bot.srv.URL)), nil)
			x, err := s.Exchange(context.Background(), 1, "Olá")
			switch {
			case tt.incomplete:
				if !errors.Is(err, ErrStreamIncomplete) || !strings.Contains(err.Error(), tt.errWant) {
					t.Fatalf("error %v, want stream_incomplete: %s", err, tt.errWant)
				}
				if len(x.Messages) != 1 || x.Messages[0].Text != "Oi, tud" || !x.Stream.Incomplete {
					t.Errorf("partial reply %+v stream %+v", x.Messages, x.Stream)
				}
			case tt.errWant == "":
				if err != nil {
					t.Fatal(err)
				}
			default:
				se, ok := errors.AsType[*SendError](err)
				if !ok || !strings.Contains(se.Error(), tt.errWant) {
					t.Fatalf("error %v, want a SendError with %q", err, tt.errWant)
				}
				if strings.Contains(se.Error(), secret) {
					t.Errorf("error quotes the key: %v", se)
				}
			}
			if x.Stream != nil && x.Stream.NoUsage != tt.noUsage && (tt.incomplete || tt.errWant == "") {
				t.Errorf("no_usage %v, want %v", x.Stream.NoUsage, tt.noUsage)
			}
		})
	}
}

// A streamed reply that echoes the API key, whole or upper-cased, is
// recorded redacted, as a reply read in one piece is.
func TestOpenAIStreamRedactsEchoedSecrets(t *testing.T) {
	t.Parallel()
	events := []string{roleChunk, textChunk("sua chave: " + secret), textChunk(" e " + strings.ToUpper(secret)), usageChunk, doneChunk}
	bot := newRecorder(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { sseBody(w, events...) })
	s := open(t, loadTarget(t, streamTarget(bot.srv.URL)), nil)
	x, err := s.Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Messages) != 1 || !strings.HasPrefix(x.Messages[0].Text, "sua chave: ") {
		t.Fatalf("messages %+v", x.Messages)
	}
	if got := strings.ToLower(x.Messages[0].Text); strings.Contains(got, secret[:12]) {
		t.Errorf("the streamed reply holds the key: %q", x.Messages[0].Text)
	}
}
