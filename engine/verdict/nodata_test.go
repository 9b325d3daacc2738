package verdict

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
)

// compiled compiles a check as Load does, so that it knows what it reads.
func compiled(t *testing.T, name, check, onNoData string) *plan.Threshold {
	t.Helper()
	th, err := plan.CompileCheck(plan.CheckSource{Name: name, Check: check, OnNoData: onNoData, Personas: []string{"edman", "kataryna"}})
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// TestNoDataIsNotZero: a check over figures with nothing behind them is
// NO DATA and fails the gate (unless on_no_data = "pass"), where it used to
// be judged on zeros and pass.
func TestNoDataIsNotZero(t *testing.T) {
	t.Parallel()
	started := metrics.Snapshot{ // 3 conversations started, none ended, no reply timed
		Conversations: metrics.Conversations{Started: 3, InFlight: 3, Turns: 3},
		Send:          metrics.Latency{Count: 3},
		Personas:      map[string]metrics.Conversations{"kataryna": {Started: 3}, "edman": {}},
	}
	judged := snapshot()
	timedOut := judged
	timedOut.Reply = metrics.Latency{Count: 4, Failed: 4, ErrorRate: 1}
	rebuilt := started // a run rebuilt from its journal after a crash
	rebuilt.Unrecorded = []string{"webhook", "conversations.late_starts", "conversations.dropped"}
	censored := judged
	censored.Reply = metrics.Latency{Count: 4, Failed: 4, Censored: 4, ErrorRate: 1, Min: 2 * time.Second, Avg: 2 * time.Second,
		P50: 2 * time.Second, P90: 2 * time.Second, P95: 2 * time.Second, P99: 2 * time.Second, Max: 2 * time.Second}
	tests := []struct {
		name, check, onNoData string
		s                     metrics.Snapshot
		pass, noData          bool
		observed              string
	}{
		{"no conversation ended", "conversations.success_rate >= 0.9", "", started, false, true, "no data: no conversation ended"},
		{"nothing failed of nothing", "conversations.failed == 0", "", started, false, true, "no data: no conversation ended"},
		{"started is offered load", "conversations.started >= 3", "", started, true, false, "3"},
		{"persona never drawn", `personas["edman"].failed == 0`, "", started, false, true, `no data: persona "edman" never drawn`},
		{"persona drawn, none ended", `personas["kataryna"].success_rate >= 0.5`, "", started, false, true, `no data: persona "kataryna": no conversation ended`},
		{"every persona", "all(values(personas), .failed == 0)", "", started, false, true, "no data: no conversation ended"},
		{"reply never timed", "reply.p95 < duration('2s')", "", started, false, true, "no data: reply: never timed"},
		{"reply error rate never timed", "reply.error_rate < 0.1", "", started, false, true, "no data: reply: never timed"},
		{"every reply failed", "reply.p95 < duration('2s')", "", timedOut, false, true, "no data: reply: all 4 failed, none timed"},
		{"every reply timed out: censored at the timeout, data", "reply.p95 < duration('2s')", "", censored, false, false, "2s"},
		{"every reply failed: the error rate is data", "reply.error_rate < 0.1", "", timedOut, false, false, "1"},
		{"both missing", "reply.p95 < duration('2s') && conversations.success_rate > 0.9", "", started, false, true,
			"no data: reply: never timed, no conversation ended"},
		{"on_no_data pass", "reply.p95 < duration('2s')", "pass", started, true, true, "no data: reply: never timed"},
		{"a total is data at 0", "cost.usd <= 1.0", "", started, true, false, "0"},
		{"with data", "reply.p95 < duration('2s') && personas['edman'].failed <= 1", "", judged, true, false, "1.2s, 1"},
		{"webhook not recorded", "webhook.refused == 0", "", rebuilt, false, true, "no data: webhook: not recorded"},
		{"dropped not recorded", "conversations.dropped == 0", "", rebuilt, false, true, "no data: conversations.dropped: not recorded"},
		{"a persona's late starts not recorded", `personas["edman"].late_starts == 0`, "", rebuilt, false, true,
			"no data: conversations.late_starts: not recorded"},
		{"started is recorded in a rebuilt run", "conversations.started >= 3", "", rebuilt, true, false, "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Evaluate([]*plan.Threshold{compiled(t, "t", tt.check, tt.onNoData)}, tt.s)[0]
			if r.Pass != tt.pass || r.NoData != tt.noData || r.Observed != tt.observed {
				t.Errorf("pass %v, no data %v, observed %q; want %v, %v, %q", r.Pass, r.NoData, r.Observed, tt.pass, tt.noData, tt.observed)
			}
			if want := map[bool]string{true: OutcomeNoData, false: r.Outcome()}[tt.noData]; r.Outcome() != want {
				t.Errorf("outcome %q; want %q", r.Outcome(), want)
			}
		})
	}
}

func TestNoDataInTheTableAndTheLine(t *testing.T) {
	t.Parallel()
	s := metrics.Snapshot{Elapsed: time.Minute, Conversations: metrics.Conversations{Started: 2, InFlight: 2},
		Personas: map[string]metrics.Conversations{"edman": {Started: 2}, "kataryna": {}}}
	ths := []*plan.Threshold{
		compiled(t, "success", "conversations.success_rate >= 0.9", ""),
		compiled(t, "budget", "cost.usd <= 1.0", ""),
		compiled(t, "started", "conversations.started >= 10", ""),
		compiled(t, "kataryna", `personas["kataryna"].failed == 0`, "pass"),
	}
	rs := Evaluate(ths, s)
	if Passed(rs) {
		t.Fatal("a run that judged nothing passed")
	}
	if c := Crossed(rs); len(c) != 1 || c[0].Name != "started" {
		t.Errorf("crossed %+v; want only started (no data never aborts a run)", c)
	}
	var b bytes.Buffer
	if err := Render(&b, s, rs, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"FAIL — 1 of 4 thresholds failed: started; 1 had no data: success\n",
		"│ success   │ conversations.success_rate >= 0.9 │ no data: no conversation ended          │ NO DATA        │",
		"NO DATA (pass)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the verdict lacks %q:\n%s", want, out)
		}
	}
	line := VerdictLine(rs[:2], RenderOptions{})
	if line != "FAIL — 1 of 2 thresholds had no data: success" {
		t.Errorf("line %q", line)
	}
	if line := VerdictLine(rs[1:2:2], RenderOptions{}); line != "PASS — 1 threshold held" {
		t.Errorf("line %q", line)
	}
	if line := VerdictLine([]Result{rs[1], rs[3]}, RenderOptions{}); line != `PASS — all 2 thresholds held (1 with no data, passed by on_no_data: kataryna)` {
		t.Errorf("line %q", line)
	}
}

// A rebuilt run's table says which figures it could not know.
func TestUnrecordedFiguresAreSaid(t *testing.T) {
	t.Parallel()
	s := metrics.Snapshot{Elapsed: time.Minute, Conversations: metrics.Conversations{Started: 2, Interrupted: 2},
		Unrecorded: []string{"webhook", "conversations.dropped"}}
	var b bytes.Buffer
	if err := Render(&b, s, nil, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "\nNot recorded (0 above and no data in a check): webhook, conversations.dropped\n"; !strings.Contains(b.String(), want) {
		t.Errorf("the table does not say what was not recorded:\n%s", b.String())
	}
}
