package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
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

// TestStreamedCompletion: "stream": true gets a role-only chunk at once,
// the greeting in ChunkSize pieces after FirstChunk, the usage and
// [DONE]; the first content chunk carries the send stamp.
//
// The events are timed where the test reads them, so a reader the machine
// did not schedule for a while sees them bunched: the pacing is read up to
// three times, and must show in one of them (a server that does not pace
// its chunks fails all three).
func TestStreamedCompletion(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{FirstChunk: 30 * time.Millisecond, ChunkInterval: time.Millisecond, ChunkSize: 10, StallEvery: 3, Stall: 20 * time.Millisecond})
	var problems []string
	for range 3 {
		if problems = streamedCompletion(t, s); len(problems) == 0 {
			return
		}
	}
	t.Error(strings.Join(problems, "\n"))
}

// streamedCompletion reads one streamed completion from s and says what
// is wrong with it.
func streamedCompletion(t *testing.T, s *Server) []string {
	status, evs := readStream(t, s.BaseURL()+CompletionsPath,
		`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Olá"}]}`)
	if status != 200 || len(evs) < 5 || evs[len(evs)-1].data != "[DONE]" {
		t.Fatalf("status %d events %+v", status, evs)
	}
	var problems []string
	if evs[0].at > 25*time.Millisecond || !strings.Contains(evs[0].data, `"role":"assistant"`) {
		problems = append(problems, fmt.Sprintf("role chunk %+v: want it at once", evs[0]))
	}
	if evs[1].at < 30*time.Millisecond || !strings.Contains(evs[1].data, StampField) {
		problems = append(problems, fmt.Sprintf("first content chunk %+v: want it after 30ms, stamped", evs[1]))
	}
	var text strings.Builder
	stalls := 0
	for i, e := range evs[1 : len(evs)-2] {
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
		if i > 0 && e.at-evs[i].at >= 20*time.Millisecond {
			stalls++
		}
	}
	if !strings.Contains(text.String(), "Ana") || stalls == 0 {
		problems = append(problems, fmt.Sprintf("text %q with %d stalls: want the greeting and a stall", text.String(), stalls))
	}
	if !strings.Contains(evs[len(evs)-2].data, `"completion_tokens"`) {
		problems = append(problems, fmt.Sprintf("no usage chunk: %+v", evs[len(evs)-2]))
	}
	return problems
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
