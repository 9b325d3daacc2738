package report

import (
	"errors"
	"os"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/results/resultstest"
	"github.com/voyplan/voyplan/engine/verdict"
)

func knownSummary() *results.Summary {
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
	run := results.Run{Plan: results.PlanInfoOf(p), Version: "v0.1.0", StartedAt: start, EndedAt: start.Add(10*time.Minute + 1500*time.Microsecond), Interrupted: true}
	return results.NewSummary(run, resultstest.KnownSnapshot(), rs)
}

func writeFileForTest(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
