package sim

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// streamEvent is one event of a stream, with when it was read.
type streamEvent struct {
	typ, data string
	at        time.Duration
}

// readStream POSTs body to path and reads the whole event stream.
func readStream(t *testing.T, url, body string) (int, []streamEvent) {
	t.Helper()
	start := time.Now()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []streamEvent
	var ev streamEvent
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			ev.at = time.Since(start)
			out = append(out, ev)
			ev = streamEvent{}
		case strings.HasPrefix(line, "event: "):
			ev.typ = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data = strings.TrimPrefix(line, "data: ")
		}
	}
	return resp.StatusCode, out
}

func listen(t *testing.T, o Options) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// flushRecorder is an http.ResponseWriter that cuts what was written into
// events at each Flush, timed on the clock of the bubble it runs in.
type flushRecorder struct {
	header http.Header
	buf    strings.Builder
	start  time.Time
	events []streamEvent
	status int
}

func (f *flushRecorder) Header() http.Header { return f.header }
func (f *flushRecorder) WriteHeader(code int) {
	f.status = code
}
func (f *flushRecorder) Write(b []byte) (int, error) {
	if f.status == 0 {
		f.status = http.StatusOK
	}
	return f.buf.Write(b)
}

// Flush records each whole event written since the last flush.
func (f *flushRecorder) Flush() {
	for _, block := range strings.Split(f.buf.String(), "\n\n") {
		if block == "" {
			continue
		}
		ev := streamEvent{at: time.Since(f.start)}
		for line := range strings.SplitSeq(block, "\n") {
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				ev.typ = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok {
				ev.data = v
			}
		}
		f.events = append(f.events, ev)
	}
	f.buf.Reset()
}

// TestStreamedCompletion: "stream": true gets a role-only chunk at once,
// the greeting in ChunkSize pieces after FirstChunk, a stall on every
// StallEvery-th chunk, the usage and [DONE]; the first content chunk
// carries the send stamp. The handler runs in a synctest bubble, so the
// pacing is read on its own clock, exactly, however loaded the machine
// (the loopback path is TestStreamedCompletionOverHTTP's).
func TestStreamedCompletion(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := New(Options{FirstChunk: 30 * time.Millisecond, ChunkInterval: time.Millisecond, ChunkSize: 10, StallEvery: 3, Stall: 20 * time.Millisecond})
		defer s.Close()
		body := `{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Olá"}]}`
		w := &flushRecorder{header: http.Header{}, start: time.Now()}
		s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, CompletionsPath, strings.NewReader(body)))
		evs := w.events
		if w.status != 200 || len(evs) < 5 || evs[len(evs)-1].data != "[DONE]" {
			t.Fatalf("status %d events %+v", w.status, evs)
		}
		if evs[0].at != 0 || !strings.Contains(evs[0].data, `"role":"assistant"`) {
			t.Errorf("role chunk %+v: want it at once", evs[0])
		}
		if evs[1].at != 30*time.Millisecond || !strings.Contains(evs[1].data, StampField) {
			t.Errorf("first content chunk %+v: want it at 30ms, stamped", evs[1])
		}
		content := evs[1 : len(evs)-2]
		for i := 1; i < len(content); i++ {
			want := time.Millisecond
			if i%3 == 0 {
				want = 20 * time.Millisecond
			}
			if gap := content[i].at - content[i-1].at; gap != want {
				t.Errorf("content chunk %d came %v after the one before, want %v", i, gap, want)
			}
		}
		if text := completionText(t, content); !strings.Contains(text, "Ana") {
			t.Errorf("text %q: want the greeting", text)
		}
		if !strings.Contains(evs[len(evs)-2].data, `"completion_tokens"`) {
			t.Errorf("no usage chunk: %+v", evs[len(evs)-2])
		}
	})
}

// TestStreamedCompletionOverHTTP: the same stream read over loopback —
// the events, their order and the stamp; the pacing is
// TestStreamedCompletion's, on a clock the machine's load cannot move.
func TestStreamedCompletionOverHTTP(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{FirstChunk: 30 * time.Millisecond, ChunkInterval: time.Millisecond, ChunkSize: 10, StallEvery: 3, Stall: 20 * time.Millisecond})
	status, evs := readStream(t, s.BaseURL()+CompletionsPath,
		`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Olá"}]}`)
	if status != 200 || len(evs) < 5 || evs[len(evs)-1].data != "[DONE]" {
		t.Fatalf("status %d events %+v", status, evs)
	}
	if !strings.Contains(evs[0].data, `"role":"assistant"`) || !strings.Contains(evs[1].data, StampField) {
		t.Errorf("role chunk %+v, first content chunk %+v", evs[0], evs[1])
	}
	if evs[1].at < 30*time.Millisecond {
		t.Errorf("first content chunk after %v, want at least 30ms", evs[1].at)
	}
	if text := completionText(t, evs[1:len(evs)-2]); !strings.Contains(text, "Ana") {
		t.Errorf("text %q: want the greeting", text)
	}
}

// completionText joins the content deltas of chat.completion.chunk events.
func completionText(t *testing.T, evs []streamEvent) string {
	t.Helper()
	var text strings.Builder
	for _, e := range evs {
		var c struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(e.data), &c); err != nil {
			t.Fatal(err)
		}
		text.WriteString(c.Choices[0].Delta.Content)
	}
	return text.String()
}

// TestSSEEndpoint: the SSE endpoint keeps a dialogue per conversation_id,
// streams delta events and ends with done; at cut_rate 1 it stops half way
// with no done.
func TestSSEEndpoint(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{ChunkSize: 8})
	_, evs := readStream(t, s.BaseURL()+SSEPath, `{"conversation_id":"c1","message":"Olá"}`)
	if len(evs) < 3 || evs[0].typ != "delta" || evs[len(evs)-1].typ != "done" {
		t.Fatalf("events %+v", evs)
	}
	_, evs = readStream(t, s.BaseURL()+SSEPath, `{"conversation_id":"c1","message":"Me chamo Bia"}`)
	var text strings.Builder
	for _, e := range evs {
		var d struct{ Text string }
		_ = json.Unmarshal([]byte(e.data), &d)
		text.WriteString(d.Text)
	}
	if !strings.Contains(text.String(), "Bia") {
		t.Errorf("second reply %q: want the name, the dialogue kept", text.String())
	}
	cut := listen(t, Options{ChunkSize: 8, CutRate: 1})
	_, evs = readStream(t, cut.BaseURL()+SSEPath, `{"conversation_id":"c1","message":"Olá"}`)
	if len(evs) == 0 || evs[len(evs)-1].typ == "done" {
		t.Errorf("cut stream %+v: want some deltas and no done", evs)
	}
	if status, _ := readStream(t, s.BaseURL()+SSEPath, `{"message":"Olá"}`); status != http.StatusBadRequest {
		t.Errorf("no conversation_id: status %d", status)
	}
}
