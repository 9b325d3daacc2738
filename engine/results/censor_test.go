package results

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
)

// TestSummaryCarriesCensoredWaits: a run whose replies timed out writes
// reply.censored, the _ok figures and their distributions, and its errors
// table in summary.json, and the summary validates against its schema.
func TestSummaryCarriesCensoredWaits(t *testing.T) {
	t.Parallel()
	rec := metrics.NewRecorder([]string{"edman"})
	rec.Reply(250*time.Millisecond, true)
	rec.ReplyTimedOut(2 * time.Second)
	rec.SendTimedOut(30 * time.Second)
	rec.Error("send_error", "connection refused")
	rec.Error("send_error", "connection refused")
	ds, err := rec.Distributions()
	if err != nil {
		t.Fatal(err)
	}
	s := knownSummary()
	s.Metrics, s.Distributions = rec.Snapshot(time.Minute), ds
	raw, err := encodeSummary(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateSummary(raw); err != nil {
		t.Fatalf("the summary does not validate: %v", err)
	}
	var got struct {
		Metrics struct {
			Reply   map[string]float64 `json:"reply"`
			ReplyOK map[string]float64 `json:"reply_ok"`
			Send    map[string]float64 `json:"send"`
			SendOK  map[string]float64 `json:"send_ok"`
			LLMOK   map[string]float64 `json:"llm_ok"`
		} `json:"metrics"`
		Distributions map[string]metrics.Distribution `json:"distributions"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	var errs struct {
		Metrics struct {
			Errors []metrics.ErrorCount `json:"errors"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(raw, &errs); err != nil {
		t.Fatal(err)
	}
	if e := errs.Metrics.Errors; len(e) != 1 || e[0] != (metrics.ErrorCount{Kind: "send_error", Message: "connection refused", Count: 2}) {
		t.Errorf("errors %+v; want send_error connection refused ×2", e)
	}
	m := got.Metrics
	if m.Reply["censored"] != 1 || m.Reply["max"] != 2000 || m.ReplyOK["max"] != 250 || m.ReplyOK["failed"] != 1 {
		t.Errorf("reply %v, reply_ok %v; want 1 censored at 2000ms, reply_ok timing the 250ms reply only", m.Reply, m.ReplyOK)
	}
	if m.Send["censored"] != 1 || m.SendOK["failed"] != 1 || m.LLMOK == nil {
		t.Errorf("send %v, send_ok %v, llm_ok %v", m.Send, m.SendOK, m.LLMOK)
	}
	for _, name := range []string{"reply", "reply_ok", "send", "send_ok", "llm_ok"} {
		if _, ok := got.Distributions[name]; !ok {
			t.Errorf("no %s distribution", name)
		}
	}
	if got.Distributions["reply"].Censored != 1 || got.Distributions["reply_ok"].Censored != 0 {
		t.Errorf("distributions reply %+v, reply_ok %+v", got.Distributions["reply"], got.Distributions["reply_ok"])
	}
}
