package run

import (
	"path/filepath"
	"testing"

	"github.com/voyplan/voyplan/engine/plan"
)

// capacityPlan searches the users an assistant whose replies slow by
// 200 ms for each one in flight can take with its reply p95 under 2.3 s.
// Replies take so long that nearly every user waits on one: about 7.5 in
// flight at 8 users (p95 near 1.5 s) and 15 at 16 (near 3 s). The knee lies
// between, with margins of 0.7 s and more: a loaded machine only makes
// replies later, and by far less.
func capacityPlan(t *testing.T) *plan.Plan {
	t.Helper()
	src := `
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
  steps   = 6
  require = 10
}
threshold "reply_p95" {
  check = "reply.p95 < duration('2300ms')"
}
`
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "capacity.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("capacity plan does not load: %s", diags.Error())
	}
	return p
}

// The search doubles 1, 2, 4, 8 (held), 16 (failed), then bisects, and
// finds the knee between 8 and 16 users: within one bisection step of it.
func TestCapacitySearchFindsTheKnee(t *testing.T) {
	t.Parallel()
	res, _ := runPlan(t, capacityPlan(t))
	c := res.Capacity
	if c == nil || len(c.Steps) != 6 {
		t.Fatalf("capacity %+v; want 6 steps", c)
	}
	for i, want := range []float64{1, 2, 4, 8, 16, 12} {
		s := c.Steps[i]
		t.Logf("step %d: %g users, %v–%v, reply p95 %v over %d, %.1f/min, held %v",
			i+1, s.Load, s.From, s.To, s.Snapshot.Reply.P95, s.Snapshot.Reply.Count, s.PerMinute, s.Held)
		if s.Load != want {
			t.Errorf("step %d: %g users; want %g", i+1, s.Load, want)
		}
		if s.Load <= 8 && !s.Held || s.Load >= 16 && s.Held {
			t.Errorf("step %d at %g users: held %v; the knee is between 8 and 16", i+1, s.Load, s.Held)
		}
	}
	if c.Load < 8 || c.Load >= 16 || c.Broke == nil || c.Broke.Load <= 8 || c.Broke.Load > 16 ||
		c.Broke.Threshold != "reply_p95" {
		t.Errorf("capacity at %g users, broke at %+v; want between 8 and 16 users, on reply_p95", c.Load, c.Broke)
	}
	if g := c.Gate(); !g.Pass || c.Value < 10 {
		t.Errorf("capacity %.1f/min, gate %+v; want at least the required 10/min", c.Value, g)
	}
}
