package run

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/verdict"
)

// surgePlan is a run whose assistant slows with its load (the simulator's
// latency_per_inflight): a calm first stage of one user (replies about
// 80 ms) for calm, then a surge of 30 users (about 950 ms each) for the
// rest of 12 s, with the thresholds extra.
func surgePlan(t *testing.T, calm time.Duration, extra string) *plan.Plan {
	t.Helper()
	src := simSource(t, "surge", 5, attrs{"latency": `"50ms"`, "latency_per_inflight": `"30ms"`},
		attrs{"max_turns": "20", "reply_timeout": `"5s"`, "reply_settle": `"0s"`, "think_time": `"0s"`,
			"pacing": `"0s"`, "conversations_per_user": "0"},
		`stage "calm" {
  users      = 1
  spawn_rate = 100
  duration   = "`+calm.String()+`"
}
stage "surge" {
  users      = 30
  spawn_rate = 100
  duration   = "`+(12*time.Second-calm).String()+`"
}`, extra)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "surge.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("surge plan does not load: %s", diags.Error())
	}
	return p
}

// A windowed abort threshold holds in the calm windows and stops the run
// at the first window of the surge; judged on its windows it fails there,
// and says so, where the run's whole figures would blur the moment.
func TestWindowThresholdFailsInTheSurgeWindowAndAborts(t *testing.T) {
	t.Parallel()
	p := surgePlan(t, 4*time.Second, `threshold "reply_p95" {
  check  = "reply.p95 < duration('500ms')"
  window = "2s"
  abort  = true
}`)
	res, _ := runPlan(t, p)
	if res.Aborted != "reply_p95" {
		t.Fatalf("aborted by %q; want the windowed threshold to stop the run", res.Aborted)
	}
	if el := res.EndedAt.Sub(res.StartedAt); el >= 11*time.Second {
		t.Errorf("the run went on for %v of 12s: the first failing window did not stop it", el)
	}
	ws := res.Windows[2*time.Second]
	if len(ws) < 3 {
		t.Fatalf("%d windows; want the two calm ones and the surge's", len(ws))
	}
	for _, w := range ws {
		t.Logf("window %v–%v: reply p95 %v over %d", w.From, w.To, w.Snapshot.Reply.P95, w.Snapshot.Reply.Count)
	}
	r := verdict.EvaluateAll(p.Thresholds, res.Snapshot, res.Windows)[0]
	if r.Pass || r.NoData || r.Worst == nil {
		t.Fatalf("judged %+v; want a failure on data with its worst window", r)
	}
	for i, w := range ws {
		one := verdict.EvaluateWindows(p.Thresholds[0], []verdict.Window{w})
		if calm := i < 2; one.Pass != calm {
			t.Errorf("window %d (%v–%v, reply p95 %v over %d): pass %v; want %v",
				i, w.From, w.To, w.Snapshot.Reply.P95, w.Snapshot.Reply.Count, one.Pass, calm)
		}
	}
	if r.Worst.From < 4*time.Second {
		t.Errorf("worst window from %v; want one of the surge, from 4s", r.Worst.From)
	}
	if r.FailedWindows != len(ws)-2 || r.Windows != len(ws) {
		t.Errorf("%d of %d windows failed; want all but the 2 calm ones of %d", r.FailedWindows, r.Windows, len(ws))
	}
}
