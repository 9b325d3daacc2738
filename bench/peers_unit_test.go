package bench

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestParseLocustTurns: the locustfile's turns file gives Locust's reported
// latency and, from the simulator's stamp, the true one and the error, per
// turn; a turn without a stamp counts as reported only.
func TestParseLocustTurns(t *testing.T) {
	t.Parallel()
	in := `{"send_errors": 1, "missing_replies": 2, "conversations": 3, "completed": 1}
{"sent_at":1796522763.000000,"reported_s":0.575000,"sim_sent_at_ns":1796522763100000000}
{"sent_at":1796522764.500000,"reported_s":0.501000,"sim_sent_at_ns":0}
`
	lt, err := ParseLocustTurns(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if lt.SendErrors != 1 || lt.NoReply != 2 || lt.Conversations != 3 || lt.Completed != 1 {
		t.Errorf("counts = %+v", lt)
	}
	if len(lt.Reported) != 2 || len(lt.True) != 1 || len(lt.Errors) != 1 {
		t.Fatalf("got %d reported, %d true, %d errors; want 2, 1, 1", len(lt.Reported), len(lt.True), len(lt.Errors))
	}
	near := func(got, want time.Duration) bool { return (got - want).Abs() < 10*time.Microsecond }
	if !near(lt.Reported[0], 575*time.Millisecond) || !near(lt.True[0], 100*time.Millisecond) || !near(lt.Errors[0], 475*time.Millisecond) {
		t.Errorf("turn 1: reported %v, true %v, error %v; want 575ms, 100ms, 475ms", lt.Reported[0], lt.True[0], lt.Errors[0])
	}
	for _, bad := range []string{"", "not json\n", `{"send_errors":0}` + "\n{oops}\n"} {
		if _, err := ParseLocustTurns(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseLocustTurns(%q): no error", bad)
		}
	}
}

// TestParseK6Summary reads the figures out of k6's summary JSON (the
// handleSummary data of bench/peers/k6.js, trimmed).
func TestParseK6Summary(t *testing.T) {
	t.Parallel()
	in := `{"state":{"testRunDurationMs":20012.5,"isStdOutTTY":false},
"metrics":{
 "http_reqs":{"type":"counter","contains":"default","values":{"count":41000,"rate":2048.7}},
 "http_req_failed":{"type":"rate","contains":"default","values":{"rate":0.001,"passes":41,"fails":40959}},
 "http_req_duration":{"type":"trend","contains":"time","values":{"avg":1.2,"min":0.1,"med":0.95,"p(99)":4.5,"max":30}}}}`
	s, err := ParseK6Summary([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := K6Summary{Requests: 41000, Failed: 41, DurationMS: 20012.5, P50: 950 * time.Microsecond, P99: 4500 * time.Microsecond}
	if s != want {
		t.Errorf("got %+v, want %+v", s, want)
	}
	if _, err := ParseK6Summary([]byte(`{"metrics":{}}`)); err == nil {
		t.Error("a summary without http_reqs: no error")
	}
}

// TestSinkTruth: a callback to the k6 sink, as the simulator sends it, gives
// the true latency from the send time in its path to the simulator's stamp;
// one without a stamp gives none.
func TestSinkTruth(t *testing.T) {
	t.Parallel()
	k := &sink{}
	srv := httptest.NewServer(k)
	defer srv.Close()
	post := func(path, stamp string) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(`{"messages":[]}`))
		if err != nil {
			t.Fatal(err)
		}
		if stamp != "" {
			req.Header.Set("X-Voyplan-Sim-Sent-At", stamp)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("sink answered %d", resp.StatusCode)
		}
	}
	post("/k6/1796522763000", "1796522763100250000")
	post("/k6/1796522763000", "")
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.truth) != 1 || k.truth[0] != 100250*time.Microsecond {
		t.Errorf("truth = %v, want [100.25ms]", k.truth)
	}
}

// TestPeersTable: every tool's row with its ratios to voyplan's.
func TestPeersTable(t *testing.T) {
	t.Parallel()
	p := Peers{Config: PeersConfig{Users: 50, Duration: 20 * time.Second, Latency: 100 * time.Millisecond},
		Runs: []PeerRun{
			{Tool: "voyplan", Turns: 10000, Seconds: 21, PerSec: 500, CPUSeconds: 2, MaxRSS: 50 << 20, Users: 50},
			{Tool: "Locust + Flask", Turns: 2000, Seconds: 22, PerSec: 100, CPUSeconds: 4, MaxRSS: 100 << 20, Users: 50,
				Error: Dist{P50: 400_000, P99: 490_000}},
		}}
	var b strings.Builder
	if err := p.Table(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| voyplan |  | 10000 | 500 (1.00×) | 200 (1.00×) |",
		"| Locust + Flask |  | 2000 | 100 (0.20×) | 2000 (10.00×) | 100.0 | 2048.0 (2.00×) |",
		"400.000 / 490.000 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
