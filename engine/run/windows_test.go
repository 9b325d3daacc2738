package run

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/rig"
	"github.com/voyplan/voyplan/engine/verdict"
)

// surgePlan is a run whose assistant slows with its load (the simulator's
// latency_per_inflight): a calm first stage of one user (replies about
// 110 ms) for calm, then a surge of 30 users (about 1.9 s each) for the
// rest of 12 s, with the thresholds extra.
func surgePlan(t *testing.T, calm time.Duration, extra string) *plan.Plan {
	t.Helper()
	src := simSource(t, "surge", 5, attrs{"latency": `"50ms"`, "latency_per_inflight": `"60ms"`},
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
  check  = "reply.p95 < duration('900ms')"
  window = "2s"
  abort  = true
}`)
	res, _ := runPlan(t, p)
	if res.Aborted != "reply_p95" {
		t.Fatalf("aborted by %q; want the windowed threshold to stop the run", res.Aborted)
	}
	ws := res.Windows[2*time.Second]
	for _, w := range ws {
		t.Logf("window %v–%v: reply p95 %v over %d", w.From, w.To, w.Snapshot.Reply.P95, w.Snapshot.Reply.Count)
	}
	r := verdict.EvaluateAll(p.Thresholds, res.Snapshot, res.Windows)[0]
	if r.Pass || r.NoData || r.Worst == nil || r.FailedWindows == 0 || r.Windows != len(ws) {
		t.Fatalf("judged %+v; want a failure on data with its worst window", r)
	}
	// Judged by time, not by index: a loaded machine may fire a boundary
	// late, and a window that straddles the surge's start may go either way.
	const calm = 4 * time.Second
	first := -1
	for i, w := range ws {
		one := verdict.EvaluateWindows(p.Thresholds[0], []verdict.Window{w})
		if w.To <= calm && !one.Pass {
			t.Errorf("window %d (%v–%v) is all calm, yet failed: %s", i, w.From, w.To, one.Observed)
		}
		if !one.Pass && first < 0 {
			first = i
		}
	}
	if first < 0 || ws[first].To <= calm || ws[first].From > calm+time.Second {
		t.Errorf("first failing window %d; want the one the surge began in", first)
	}
	if r.Worst.To <= calm {
		t.Errorf("worst window %v–%v; want one of the surge", r.Worst.From, r.Worst.To)
	}
}

// While the run goes on, WindowsSoFar has the windows closed so far and
// the one being measured, so that a live view judges a windowed threshold
// on its windows (its worst so far), not on the run's whole figures.
func TestWindowsSoFarWhileTheRunGoesOn(t *testing.T) {
	t.Parallel()
	p := surgePlan(t, 4*time.Second, `threshold "reply_p95" {
  check  = "reply.p95 < duration('900ms')"
  window = "1s"
}`)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rg, err := rig.Open(ctx, p, rig.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rg.Close()
	r := New(p, Options{Rig: rg, GracefulStop: 10 * time.Second})
	if ws := r.WindowsSoFar(); ws == nil || len(ws) != 0 {
		t.Fatalf("before the run: %v; want no windows, not nil", ws)
	}
	done := make(chan error, 1)
	go func() { _, err := r.Run(ctx); done <- err }()
	var ws verdict.Windows
	for ctx.Err() == nil { // bounded by ctx: until two windows closed and a third is being measured
		if ws = r.WindowsSoFar(); len(ws[time.Second]) >= 3 {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	r.Stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := ws[time.Second]
	if len(got) < 3 || got[0].From != 0 || got[1].From != got[0].To || got[len(got)-1].Distributions != nil {
		t.Fatalf("windows so far %+v; want closed ones from the start, then the current one (no distributions)", got)
	}
	rs := verdict.EvaluateAll(p.Thresholds, r.Recorder().Snapshot(r.Elapsed()), ws)
	if rs[0].Err != nil || rs[0].Windows != len(got) || rs[0].Worst == nil {
		t.Errorf("judged live %+v; want each window so far judged, the worst named", rs[0])
	}
}
