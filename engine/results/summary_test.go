package results

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results/resultstest"
	"github.com/voyplan/voyplan/engine/verdict"
)

func knownSummary() *Summary {
	p := &plan.Plan{
		Name: "smoke", Description: "10 customers", File: "plans/smoke.hcl", Hash: "abc123", Seed: 42,
		LLMs: map[string]*plan.LLM{"gemini": {Name: "gemini", APIKey: "AIza-very-secret-key"}},
	}
	start := time.Date(2025, 10, 7, 12, 0, 0, 0, time.UTC)
	rs := []verdict.Result{
		{Name: "success", Check: "conversations.success_rate >= 0.9", Observed: "0.8"},
		{Name: "budget", Check: "cost.usd <= 1.0", Pass: true, Observed: "0.25", Abort: true},
		{Name: "broken", Check: "x", Observed: "error: boom", Err: errors.New("boom")},
	}
	run := Run{Plan: PlanInfoOf(p), Version: "v0.1.0", StartedAt: start, EndedAt: start.Add(10*time.Minute + 1500*time.Microsecond), Interrupted: true}
	return NewSummary(run, resultstest.KnownSnapshot(), rs)
}

func TestLegacyOf(t *testing.T) {
	t.Parallel()
	got := LegacyOf(resultstest.KnownSnapshot())
	want := Legacy{
		TotalConversations:           10, // 8 + 1 + 1; the 2 interrupted are not judged
		SuccessfulConversations:      8,
		SuccessRate:                  0.8,
		AvgIterationsPerConversation: 5,
		TotalMessages:                60 + 57, // sent + replies received
		TotalTimeMS:                  8 * 14210.4,
		AvgTimePerConversationMS:     14210.4,
		GeminiTokens:                 GeminiTokens{Input: 13678, Output: 226, Thinking: 100, Total: 14004},
		TotalCostUSD:                 0.25,
	}
	if got != want {
		t.Errorf("LegacyOf:\n got %+v\nwant %+v", got, want)
	}
}

func TestNewSummary(t *testing.T) {
	t.Parallel()
	s := knownSummary()
	if s.Verdict != VerdictFail || !s.Interrupted || s.DurationMS != 600001.5 {
		t.Errorf("verdict %q, interrupted %v, duration %v", s.Verdict, s.Interrupted, s.DurationMS)
	}
	want := []Threshold{
		{Name: "success", Check: "conversations.success_rate >= 0.9", Result: "fail", Observed: "0.8"},
		{Name: "budget", Check: "cost.usd <= 1.0", Pass: true, Result: "pass", Observed: "0.25", Abort: true},
		{Name: "broken", Check: "x", Result: "error", Observed: "error: boom", Error: "boom"},
	}
	for i := range want {
		if s.Thresholds[i] != want[i] {
			t.Errorf("threshold %d = %+v; want %+v", i, s.Thresholds[i], want[i])
		}
	}
	if pass := NewSummary(Run{}, metrics.Snapshot{}, nil); pass.Verdict != VerdictPass {
		t.Errorf("no thresholds: verdict %q; want pass", pass.Verdict)
	}
}

func TestSummaryJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := WriteSummary(dir, knownSummary()); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "secret") || strings.Contains(string(raw), "AIza") {
		t.Fatalf("the summary holds a key:\n%s", raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{
		// the old tool's fields, at the top level
		"total_conversations":             10.0,
		"successful_conversations":        8.0,
		"success_rate":                    0.8,
		"avg_iterations_per_conversation": 5.0,
		"total_messages":                  117.0,
		"total_time_ms":                   113683.2,
		"avg_time_per_conversation_ms":    14210.4,
		"gemini_tokens.total":             14004.0,
		"total_cost_usd":                  0.25,
		// the new ones, timings in milliseconds
		"verdict":                            "fail",
		"duration_ms":                        600001.5,
		"plan.seed":                          42.0,
		"plan.hash":                          "abc123",
		"metrics.reply.p95":                  1240.0,
		"metrics.send.min":                   3.1,
		"metrics.conversation.avg":           14210.4,
		"metrics.conversations.success_rate": 0.8,
		"metrics.personas.edman.started":     12.0,
		"thresholds.2.error":                 "boom",
	}
	for path, want := range checks {
		if got := lookup(m, path); got != want {
			t.Errorf("%s = %#v; want %#v", path, got, want)
		}
	}
	if _, ok := m["segment"]; ok {
		t.Error("segment written though unset")
	}
}

// lookup follows a dotted path through decoded JSON.
func lookup(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			for _, c := range k {
				i = 10*i + int(c-'0')
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func TestWriteSummaryAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := knownSummary()
	if err := WriteSummary(dir, first); err != nil {
		t.Fatal(err)
	}
	second := knownSummary()
	second.Version = "v0.2.0"
	if err := WriteSummary(dir, second); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != SummaryFile {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("dir holds %v; want only %s", names, SummaryFile)
	}
	got, err := ReadSummary(filepath.Join(dir, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != "v0.2.0" || got.Plan != second.Plan || got.Legacy != second.Legacy ||
		!got.StartedAt.Equal(second.StartedAt) || got.Metrics.Reply != second.Metrics.Reply {
		t.Errorf("read back %+v", got)
	}
}

func TestWriteSummaryMissingDir(t *testing.T) {
	t.Parallel()
	if err := WriteSummary(filepath.Join(t.TempDir(), "nope"), knownSummary()); err == nil {
		t.Fatal("no error writing into a missing directory")
	}
}

func TestReadSummaryInvalid(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), SummaryFile)
	if err := os.WriteFile(path, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSummary(path); err == nil {
		t.Fatal("no error for an invalid summary")
	}
}

func TestSummarySchema(t *testing.T) {
	t.Parallel()
	good, err := encodeSummary(knownSummary())
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateSummary(good); err != nil {
		t.Fatalf("a summary voyplan wrote does not validate: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"no verdict", func(m map[string]any) { delete(m, "verdict") }, "verdict"},
		{"verdict not an enum value", func(m map[string]any) { m["verdict"] = "maybe" }, "/verdict"},
		{"success rate as a percentage", func(m map[string]any) { m["success_rate"] = 80.0 }, "/success_rate"},
		{"a latency without p95", func(m map[string]any) { delete(m["metrics"].(map[string]any)["reply"].(map[string]any), "p95") }, "/metrics/reply"},
		{"not a date", func(m map[string]any) { m["started_at"] = "yesterday" }, "/started_at"},
		{"a key in the plan", func(m map[string]any) { m["plan"].(map[string]any)["api_key"] = "x" }, "/plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var m map[string]any
			if err := json.Unmarshal(good, &m); err != nil {
				t.Fatal(err)
			}
			tt.mutate(m)
			b, _ := json.Marshal(m)
			err := ValidateSummary(b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want one naming %q", err, tt.want)
			}
		})
	}
}

// TestSummaryNoData: a threshold that judged nothing is "result": "no_data"
// with pass false, and the run's verdict fails; on_no_data = "pass" keeps
// the result and passes it.
func TestSummaryNoData(t *testing.T) {
	t.Parallel()
	rs := []verdict.Result{
		{Name: "success", Check: "conversations.success_rate >= 0.9", NoData: true, OnNoData: "fail", Observed: "no data: no conversation ended"},
		{Name: "edman", Check: `personas["edman"].failed == 0`, NoData: true, Pass: true, OnNoData: "pass", Observed: `no data: persona "edman" never drawn`},
	}
	s := knownSummary()
	s = NewSummary(Run{Plan: s.Plan, Version: s.Version}, s.Metrics, rs)
	if s.Verdict != VerdictFail {
		t.Errorf("verdict %q", s.Verdict)
	}
	want := []Threshold{
		{Name: "success", Check: rs[0].Check, Result: "no_data", Observed: rs[0].Observed, OnNoData: "fail"},
		{Name: "edman", Check: rs[1].Check, Pass: true, Result: "no_data", Observed: rs[1].Observed, OnNoData: "pass"},
	}
	for i := range want {
		if s.Thresholds[i] != want[i] {
			t.Errorf("threshold %d = %+v; want %+v", i, s.Thresholds[i], want[i])
		}
	}
	raw, err := encodeSummary(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateSummary(raw); err != nil {
		t.Errorf("the summary does not validate: %v", err)
	}
}
