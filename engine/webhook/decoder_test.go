package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// keyDecoder reads {"conv": "...", "say": "..."} and routes by conv to the
// turn set in turns.
type keyDecoder struct {
	mu    sync.Mutex
	turns map[string]int
}

func (d *keyDecoder) Parse(body []byte) ([]transcript.Message, error) {
	var b struct{ Say *string }
	if err := json.Unmarshal(body, &b); err != nil || b.Say == nil {
		return nil, errors.New("no say")
	}
	return []transcript.Message{{Role: "assistant", Type: "text", Text: *b.Say}}, nil
}

func (d *keyDecoder) Route(body []byte) (string, int, bool) {
	var b struct{ Conv string }
	_ = json.Unmarshal(body, &b)
	d.mu.Lock()
	defer d.mu.Unlock()
	turn, ok := d.turns[b.Conv]
	return b.Conv, turn, ok
}

func postShared(t *testing.T, url, body string) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestSharedURLNeedsADecoder(t *testing.T) {
	t.Parallel()
	r, err := listenWidget("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	if code := postShared(t, r.SharedURL(), `{"conv": "a", "say": "x"}`); code != http.StatusNotFound {
		t.Errorf("shared URL without a decoder: %d, want 404", code)
	}
	if st := r.Stats(); st.Received != 0 {
		t.Errorf("stats %+v: a 404 is not a received callback", st)
	}
}

func TestDecoderRoutesByBodyAndParses(t *testing.T) {
	t.Parallel()
	r, err := listenWidget("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	d := &keyDecoder{turns: map[string]int{"a": 1}}
	r.SetDecoder(d)
	m := r.Open("a")
	defer m.Close()

	shared := r.SharedURL()
	if !strings.HasPrefix(shared, "http://"+r.Addr()+"/hooks/") || !strings.HasSuffix(shared, "/shared") {
		t.Fatalf("shared URL %q", shared)
	}
	tests := []struct {
		url, body string
		want      int
	}{
		{shared, `{"conv": "a", "say": "one"}`, 200},
		{shared, `{"conv": "a", "say": "one"}`, 200},   // byte-identical: a duplicate
		{shared, `{"conv": "b", "say": "who?"}`, 200},  // no such conversation: unmatched
		{shared, `{"conv": "a"}`, 400},                 // the decoder cannot parse it
		{m.URL(1), `{"conv": "a", "say": "two"}`, 200}, // per-turn paths use the decoder too
		{m.URL(1), `{"messages": []}`, 400},            // ... and no longer take Voyager payloads
		{shared + "x", `{"conv": "a", "say": "x"}`, 404},
	}
	for _, tt := range tests {
		if code := postShared(t, tt.url, tt.body); code != tt.want {
			t.Errorf("POST %s %s: %d, want %d", tt.url, tt.body, code, tt.want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, shared, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET on the shared URL: %v %v, want 405", resp.StatusCode, err)
	}
	reply, err := m.Wait(context.Background(), 1, time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(reply.Messages) != 2 || reply.Messages[0].Text != "one" || reply.Messages[1].Text != "two" || reply.Duplicates != 1 {
		t.Errorf("reply %+v: want one, two and a duplicate", reply)
	}
	st := r.Stats()
	if st.Received != 6 || st.Duplicates != 1 || st.Unmatched != 1 || st.Malformed != 2 {
		t.Errorf("stats %+v: want 6 received, 1 duplicate, 1 unmatched, 2 malformed", st)
	}
}

func TestSharedBodyTooLarge(t *testing.T) {
	t.Parallel()
	r, err := listenWidget("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	r.SetDecoder(&keyDecoder{})
	big := bytes.Repeat([]byte("x"), maxBody+1)
	resp, err := http.Post(r.SharedURL(), "application/json", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || r.Stats().Malformed != 1 {
		t.Errorf("status %d stats %+v: want 413, counted malformed", resp.StatusCode, r.Stats())
	}
}
