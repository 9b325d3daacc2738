package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/verdict"
)

// wideVerdict renders the verdict of a run with every column in use (LLM
// tokens and cost, errors, personas) and a long threshold check.
func wideVerdict(t *testing.T, color bool) string {
	t.Helper()
	lat := metrics.Latency{Count: 123456, Failed: 12, Avg: 812 * time.Millisecond, Min: time.Millisecond, Max: 31 * time.Second,
		P50: 700 * time.Millisecond, P90: 1500 * time.Millisecond, P95: 2100 * time.Millisecond, P99: 9 * time.Second}
	s := metrics.Snapshot{
		Elapsed: 10 * time.Minute, Send: lat, Reply: lat, LLM: lat, Conversation: lat,
		Conversations: metrics.Conversations{Started: 9000, Succeeded: 8000, Failed: 1000, Reasons: map[string]int64{"reply_timeout": 999, "send_error": 1}},
		Personas:      map[string]metrics.Conversations{"kataryna": {Started: 4500, Succeeded: 4000, Failed: 500, Cost: metrics.Cost{USD: 1.25}}},
		Cost:          metrics.Cost{USD: 2.5, InputTokens: 12345678, OutputTokens: 123456},
		Errors:        []metrics.ErrorCount{{Kind: "reply_timeout", Message: "no reply within 30s: the assistant did not call the webhook back for this conversation's message", Count: 999}},
	}
	rs := []verdict.Result{
		{Name: "reply_p95", Check: "reply.p95 < duration('2s') && personas['kataryna'].success_rate >= 0.95 && send.error_rate < 0.001", Observed: "2.1s"},
		{Name: "success", Check: "conversations.success_rate >= 0.95", Observed: "0.889", Pass: true},
	}
	var b bytes.Buffer
	if err := verdict.Render(&b, s, rs, verdict.RenderOptions{Color: color}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFitWidth: the verdict of a wide run printed through the fitting
// writer stays within 80 columns: the columns a reader can best do
// without go, the rest stays, a long check wraps inside its cell and
// the conversations line wraps at spaces — coloured or not.
func TestFitWidth(t *testing.T) {
	t.Parallel()
	for _, color := range []bool{false, true} {
		wide := wideVerdict(t, color)
		if maxWidth(wide) <= 80 {
			t.Fatalf("the verdict is already narrow (%d): the test tests nothing", maxWidth(wide))
		}
		var b bytes.Buffer
		w, flush := fitted(&b, 80)
		for _, chunk := range strings.SplitAfter(wide, "│") { // written in pieces, as a writer may be
			if _, err := w.Write([]byte(chunk)); err != nil {
				t.Fatal(err)
			}
		}
		if err := flush(); err != nil {
			t.Fatal(err)
		}
		got := ansiCode.ReplaceAllString(b.String(), "")
		if n := maxWidth(got); n > 80 {
			t.Errorf("fitted to 80 columns, a line is %d wide:\n%s", n, got)
		}
		for _, want := range []string{"Voyager Webhook", "p95", "# Fails", "Success rate", "kataryna", "reply_p95",
			"personas['kataryna'].success_rate", "send_error 1", "FAIL — 1 of 2 thresholds failed: reply_p95", "no reply within 30s"} {
			if !strings.Contains(got, want) {
				t.Errorf("fitted, %q is gone:\n%s", want, got)
			}
		}
		for _, gone := range []string{"│ Type", "Min", "Drift"} {
			if strings.Contains(got, gone) {
				t.Errorf("fitted, %q is still there:\n%s", gone, got)
			}
		}
		if strings.Count(got, "┌") != strings.Count(wide, "┌") || strings.Count(got, "└") != strings.Count(wide, "└") {
			t.Errorf("tables lost or broken:\n%s", got)
		}
	}
	if got := fitWidth("a b\n", 0); got != "a b\n" {
		t.Errorf("no width: %q", got)
	}
}

// progressClock is how a progress line begins: elapsed/planned.
var progressClock = regexp.MustCompile(`\b\d+:\d\d/\d+:\d\d `)

func maxWidth(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, visibleWidth(l))
	}
	return n
}

// TestApplyInTmux runs `voyplan apply` of an offline plan in a real tmux
// pane of 80×24 and reads the pane back (wrapped lines joined): no line is
// wider than the terminal, the tables fit, and no progress line is left
// behind — each redraw replaced the last in place and the last was cleared.
func TestApplyInTmux(t *testing.T) {
	t.Parallel()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("tmux not found: install Debian's tmux to run this test; CI installs it and runs it")
		}
		t.Fatal("CI is set but tmux is missing: .ci/run must install it")
	}
	bin := buildVoyplan(t)
	plan, err := filepath.Abs("../../plans/local.hcl")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "tmux.sock")
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	shell := bin + " apply " + plan + " -t 3 --out out; echo voyplan-exit=$?; exec cat"
	run("new-session", "-d", "-x", "80", "-y", "24", "-c", dir, "-e", "NO_COLOR=", shell)
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", sock, "kill-server").Run() })
	var pane string
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(pane, "voyplan-exit=") {
		if time.Now().After(deadline) {
			t.Fatalf("apply did not end in 3 minutes:\n%s", pane)
		}
		time.Sleep(100 * time.Millisecond) // polling the pane: a condition, not a fixed wait
		pane = run("capture-pane", "-p", "-J", "-S", "-")
	}
	if !strings.Contains(pane, "voyplan-exit=0") || !strings.Contains(pane, "PASS — all 3 thresholds held") {
		t.Fatalf("apply did not pass:\n%s", pane)
	}
	for _, l := range strings.Split(pane, "\n") {
		if visibleWidth(l) > 80 {
			t.Errorf("a line is %d columns wide at 80:\n%s", visibleWidth(l), l)
		}
		if progressClock.MatchString(l) {
			t.Errorf("progress left behind: %q", l)
		}
	}
	if !strings.Contains(pane, "│ Threshold") || !strings.Contains(pane, "Voyager Webhook") {
		t.Errorf("the tables are not in the pane:\n%s", pane)
	}
}

// compare's table loses its noise band first, then narrows its two widest
// columns in turn, wrapping their words (and breaking a long name).
func TestFitWidthCompareTable(t *testing.T) {
	t.Parallel()
	table := `┌────────────────────────────────────────┬─────────┬─────────┬────────┬───────────────┬──────────────────────────────────────────┐
│ Metric                                 │    Base │     New │ Change │   Noise (99%) │ Verdict                                  │
├────────────────────────────────────────┼─────────┼─────────┼────────┼───────────────┼──────────────────────────────────────────┤
│ personas.kataryna.conversation.p95     │ 812.1ms │ 990.4ms │ +22.0% │ +1.2%…+40.3%  │ within noise (below the minimum change)  │
│ reply.p95                              │ 248.1ms │ 612.0ms │ +147%  │ +90.1%…+201%  │ REGRESSION                               │
└────────────────────────────────────────┴─────────┴─────────┴────────┴───────────────┴──────────────────────────────────────────┘
OK — no regression
`
	got := fitWidth(table, 80)
	if maxWidth(got) > 80 || strings.Contains(got, "Noise") || !strings.Contains(got, "REGRESSION") ||
		!strings.Contains(got, "│ personas.kataryna.conv") || !strings.Contains(got, "│ ersation.p95 ") || // a long name breaks, whole
		!strings.Contains(got, "(below") || strings.Count(got, "┼") != 4 {
		t.Errorf("fitted to 80 (widest %d):\n%s", maxWidth(got), got)
	}
}
