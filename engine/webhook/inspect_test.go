package webhook

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// postWith sends a callback with extra headers and returns the status.
func postWith(t *testing.T, c *http.Client, url, body string, headers map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestInspectorKeepsCallbacksWithSecretsMasked(t *testing.T) {
	t.Parallel()
	r := listen(t)
	insp := NewInspector(10)
	sent := time.Now()
	insp.SetLatency(func(conv string, turn int, at time.Time) (time.Duration, bool) {
		if conv != "conv-1" || turn != 1 {
			return 0, false
		}
		return at.Sub(sent), true
	})
	r.SetInspector(insp)
	m := r.Open("conv-1")
	defer m.Close()
	c := newClient()

	body := `{"messages":[{"role":"assistant","type":"text","text":"Olá!"}],"api_key":"sk-live-123","meta":{"session_token":"abc\"def"}}`
	secrets := map[string]string{
		"Authorization": "Bearer sk-live-123", "Cookie": "sid=abc", "X-Api-Key": "k-456",
		"X-Hub-Signature-256": "sha256=789", "X-Trace": "visible-trace",
	}
	if code := postWith(t, c, m.URL(1), body, secrets); code != 200 {
		t.Fatalf("callback answered %d", code)
	}
	if code := postWith(t, c, m.URL(1), body, nil); code != 200 { // the same body again
		t.Fatalf("duplicate answered %d", code)
	}
	postWith(t, c, m.URL(2), `not json`, nil)
	postWith(t, c, strings.Replace(m.URL(3), "conv-1", "stranger", 1), body, nil)
	if code, _ := do(t, c, http.MethodGet, m.URL(4), ""); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET answered %d", code)
	}
	wrong := "http://" + r.Addr() + "/hooks/00000000000000000000000000000000/conv-1/1"
	postWith(t, c, wrong, body, nil) // not this run's: never kept

	got := insp.Recent("", 0)
	want := []struct {
		conv        string
		turn        int
		status      int
		disposition string
	}{
		{"conv-1", 1, 200, Delivered}, {"conv-1", 1, 200, Duplicate}, {"conv-1", 2, 400, Malformed},
		{"stranger", 3, 200, Unmatched}, {"conv-1", 4, 405, Rejected},
	}
	if len(got) != len(want) {
		t.Fatalf("%d callbacks kept; want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Seq != uint64(i+1) || g.Conversation != w.conv || g.Turn != w.turn || g.Status != w.status || g.Disposition != w.disposition {
			t.Errorf("callback %d = seq %d %s/%d %d %s; want %+v", i, g.Seq, g.Conversation, g.Turn, g.Status, g.Disposition, w)
		}
	}
	first := got[0]
	for name := range secrets {
		v := first.Headers[http.CanonicalHeaderKey(name)]
		if name == "X-Trace" {
			if v != "visible-trace" {
				t.Errorf("header %s = %q; want it as sent", name, v)
			}
		} else if v != masked {
			t.Errorf("header %s = %q; want it masked", name, v)
		}
	}
	for _, leak := range []string{"sk-live-123", "abc", "789", "k-456"} {
		for _, cb := range got {
			for name, v := range cb.Headers {
				if strings.Contains(v, leak) {
					t.Errorf("header %s leaks %q", name, leak)
				}
			}
			if strings.Contains(cb.Body, leak) {
				t.Errorf("body leaks %q:\n%s", leak, cb.Body)
			}
		}
	}
	wantBody := `{
  "messages": [
    {
      "role": "assistant",
      "type": "text",
      "text": "Olá!"
    }
  ],
  "api_key": "[masked]",
  "meta": {
    "session_token": "[masked]"
  }
}`
	if first.Body != wantBody {
		t.Errorf("body =\n%s\nwant (indented, in order, secrets masked)\n%s", first.Body, wantBody)
	}
	if got[2].Body != "not json" || first.Size != len(body) {
		t.Errorf("non-JSON body %q; size %d of %d", got[2].Body, first.Size, len(body))
	}
	if first.LatencyMS == nil || *first.LatencyMS <= 0 || got[2].LatencyMS != nil {
		t.Errorf("latency: first %v, turn 2 %v; want the first timed only", first.LatencyMS, got[2].LatencyMS)
	}
	if n := len(insp.Recent("stranger", 0)); n != 1 {
		t.Errorf("filtered by conversation: %d; want 1", n)
	}
	if n := len(insp.Recent("", 3)); n != 2 || insp.Last() != 5 {
		t.Errorf("after seq 3: %d; last %d", n, insp.Last())
	}
}

func TestInspectorIsBounded(t *testing.T) {
	t.Parallel()
	r := listen(t)
	insp := NewInspector(3)
	r.SetInspector(insp)
	m := r.Open("c")
	defer m.Close()
	c := newClient()
	for turn := 1; turn <= 7; turn++ {
		post(t, c, m.URL(turn), `{"text":"oi"}`)
	}
	big := `{"text":"` + strings.Repeat("x", MaxInspectedBody) + `"}`
	post(t, c, m.URL(8), big)
	got := insp.Recent("", 0)
	if len(got) != 3 || got[0].Seq != 6 || got[2].Seq != 8 || got[1].Turn != 7 {
		t.Fatalf("kept %+v; want the last 3 (seq 6..8)", got)
	}
	if !got[2].Truncated || len(got[2].Body) != MaxInspectedBody || got[2].Size != len(big) {
		t.Errorf("big body: truncated %v, kept %d of %d", got[2].Truncated, len(got[2].Body), got[2].Size)
	}
	r.SetInspector(nil)
	post(t, c, m.URL(9), `{"text":"oi"}`)
	if insp.Last() != 8 {
		t.Errorf("a removed inspector still records: last %d", insp.Last())
	}
}
