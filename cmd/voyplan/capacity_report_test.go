package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voyplan/voyplan/engine/results"
)

// capacityReportPlan searches the users a simulator whose replies slow by
// 200 ms for each one in flight can take with its reply p95 under 2.3 s
// (engine/run's capacity test: the knee lies between 8 and 16 users).
const capacityReportPlan = `
plan "capacity" { seed = 3 }
simulator {
  latency              = "20ms"
  latency_per_inflight = "200ms"
}
target "sim" {}
persona "p" { script = ["Olá", "Edman", "Sim"] }
conversation {
  complete_when          = "turn >= 2"
  reply_timeout          = "20s"
  think_time             = "0s"
  pacing                 = "0s"
  conversations_per_user = 0
}
capacity {
  vary    = "users"
  from    = 1
  to      = 64
  hold    = "3s"
  ramp    = "1s"
  steps   = 5
  require = 10
}
threshold "reply_p95" {
  check = "reply.p95 < duration('2300ms')"
}
threshold "success" {
  check = "conversations.success_rate >= 0.9"
}
`

// windowedReportPlan runs two users for a few seconds with a threshold
// judged on every 2-second window.
const windowedReportPlan = `
plan "windowed" { seed = 3 }
simulator { latency = "20ms" }
target "sim" {}
persona "p" { script = ["Olá", "Sim"] }
conversation {
  complete_when          = "turn >= 2"
  reply_timeout          = "5s"
  think_time             = "100ms"
  pacing                 = "0s"
  conversations_per_user = 0
}
stage "s" {
  users      = 2
  spawn_rate = 50
  duration   = "5s"
}
threshold "reply_p95" {
  check  = "reply.p95 < duration('5s')"
  window = "2s"
}
`

// applyForReport writes src as a plan, applies it into a fresh directory
// and returns the directory and its summary.
func applyForReport(t *testing.T, src string) (string, *results.Summary) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	ta := newTestApp(t)
	if code := ta.main([]string{"apply", path, "--out", dir, "--quiet"}); code != exitOK && code != exitThreshold {
		t.Fatalf("apply: exit %d\n%s\n%s", code, ta.out.String(), ta.err.String())
	}
	sum, err := results.ReadSummary(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	return dir, sum
}

// TestCapacityAndWindowsInReport runs a capacity search and a run with a
// windowed threshold, and opens each report.html in headless Chromium: the
// capacity section has a uPlot chart of completed conversations and of
// each threshold's figure against load, the knee where summary.json puts
// it, and a row per step; the thresholds table tells the windowed
// threshold's worst window. No console error, no request off the machine.
func TestCapacityAndWindowsInReport(t *testing.T) {
	t.Parallel()
	capDir, capSum := applyForReport(t, capacityReportPlan)
	c := capSum.Capacity
	if c == nil || len(c.Steps) < 2 || c.Limit == nil {
		t.Fatalf("capacity %+v; want a search that found its knee", c)
	}
	winDir, winSum := applyForReport(t, windowedReportPlan)
	if len(winSum.Thresholds) != 1 || winSum.Thresholds[0].WorstWindow == nil {
		t.Fatalf("thresholds %+v; want one windowed, with its worst window", winSum.Thresholds)
	}

	var bl artBrowserLog
	ctx := artNewBrowser(t, &bl)
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	open := func(dir, wait string) {
		page := (&url.URL{Scheme: "file", Path: filepath.Join(dir, results.HTMLFile)}).String()
		if err := chromedp.Do(tctx, chromedp.Navigate(page), chromedp.WaitVisible(wait)); err != nil {
			t.Fatalf("open %s: %v", page, err)
		}
	}

	open(capDir, "#capacity-steps")
	checkCapacitySection(t, tctx, c)

	open(winDir, "#thresholds td.window")
	w := winSum.Thresholds[0]
	got := uiText(t, tctx, "#thresholds td.window")
	want := []string{"every 2 s", fmt.Sprintf("worst %s", clockOf(w.WorstWindow.FromMS)), fmt.Sprintf("%d of %d failed", w.FailedWindows, w.Windows)}
	for _, s := range want {
		if !strings.Contains(got, s) {
			t.Errorf("windowed threshold's window cell %q; want %q in it", got, s)
		}
	}

	errs, reqs := bl.snapshot()
	for _, e := range errs {
		t.Errorf("browser: %s", e)
	}
	for _, r := range reqs {
		if u, err := url.Parse(r); err != nil || (u.Scheme != "file" && u.Scheme != "data" && u.Scheme != "about") {
			t.Errorf("the page made a request off the machine: %s", r)
		}
	}
}

// checkCapacitySection: the headline, the knee, the charts and the steps'
// table agree with summary.json's capacity.
func checkCapacitySection(t *testing.T, ctx context.Context, c *results.Capacity) {
	t.Helper()
	head := uiText(t, ctx, "#capacity")
	if !strings.Contains(head, fmt.Sprintf("at %g users", c.Load)) || !strings.Contains(head, fmt.Sprintf("broke at %g users", c.Limit.Load)) {
		t.Errorf("capacity section %q; want the capacity at %g users, broken at %g", head, c.Load, c.Limit.Load)
	}
	good := artEvalIn[string](t, ctx, `document.getElementById('capacity').dataset.lastGood || ''`)
	bad := artEvalIn[string](t, ctx, `document.getElementById('capacity').dataset.firstBad || ''`)
	if good != fmt.Sprint(c.Load) || bad != fmt.Sprint(c.Limit.Load) {
		t.Errorf("knee marked at %q–%q users; want %g–%g", good, bad, c.Load, c.Limit.Load)
	}
	artCheckChartDrew(t, ctx, "chart-capacity-rate", len(c.Steps))
	for i, name := range []string{"reply_p95", "success"} {
		id := fmt.Sprintf("chart-capacity-%d", i)
		if got := uiText(t, ctx, "#"+id+" .u-legend"); !strings.Contains(got, name) {
			t.Errorf("%s: legend %q; want %s", id, got, name)
		}
		// the figure at every step, and its limit
		if ch := artCheckChartDrew(t, ctx, id, 2*len(c.Steps)); ch.Series != 3 {
			t.Errorf("%s: %d series; want the figure, the failed steps and the limit", id, ch.Series)
		}
	}
	if n := artEvalIn[int](t, ctx, `document.querySelectorAll('#capacity-steps tbody tr').length`); n != len(c.Steps) {
		t.Errorf("%d step rows; want %d", n, len(c.Steps))
	}
	broke := 0
	for _, s := range c.Steps {
		if !s.Held {
			broke++
		}
	}
	if n := artEvalIn[int](t, ctx, `Array.from(document.querySelectorAll('#capacity-steps tbody tr td:last-child')).filter(td => td.textContent === 'BROKE').length`); n != broke {
		t.Errorf("%d steps shown broken; want %d", n, broke)
	}
}

// clockOf is m:ss of ms, as the report prints a time into the run.
func clockOf(ms float64) string {
	s := int(ms/1000 + 0.5)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
