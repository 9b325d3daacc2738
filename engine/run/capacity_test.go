package run

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
  ramp    = "3500ms" # longer than a reply at 16 users: no reply of the step before lands in a hold
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
	// The bisection's 12 users follow 16: judged on its own load (about 12
	// replies in flight, p95 near 2.4 s), not on the 16 users' backlog that
	// the retired users finish (near 3.2 s).
	if p12, p16 := c.Steps[5].Snapshot.Reply.P95, c.Steps[4].Snapshot.Reply.P95; p12 > p16-400*time.Millisecond {
		t.Errorf("12 users' reply p95 %v against 16's %v: the step was judged on the backlog of the one before", p12, p16)
	}
	if c.Load < 8 || c.Load >= 16 || c.Broke == nil || c.Broke.Load <= 8 || c.Broke.Load > 16 ||
		c.Broke.Threshold != "reply_p95" {
		t.Errorf("capacity at %g users, broke at %+v; want between 8 and 16 users, on reply_p95", c.Load, c.Broke)
	}
	if g := c.Gate(); !g.Pass || c.Value < 10 {
		t.Errorf("capacity %.1f/min, gate %+v; want at least the required 10/min", c.Value, g)
	}
}

// arrivalCapacityPlan searches the arrival rate an assistant can take
// with its reply p95 under 2 s, when each reply takes 20 ms + 1147 ms for
// every reply in flight (its own included). A conversation is one turn,
// and arrivals are evenly spaced, so a reply is alone — 1.167 s — as long
// as arrivals are further apart than that, and each reply finds the one
// before still in flight (2.33 s, and growing) once they are closer: the
// knee is 1/1.167 s = 0.857/s. The steps that must hold (0.5/s, 0.75/s:
// 1.33 s apart) and fail (1/s) are 167 ms or more from it: a loaded
// machine only makes replies later, and by far less.
func arrivalCapacityPlan(t *testing.T) *plan.Plan {
	t.Helper()
	src := `
plan "capacity" { seed = 3 }
simulator {
  latency              = "20ms"
  latency_per_inflight = "1147ms"
}
target "sim" {}
persona "p" { script = ["Olá", "Edman", "Sim"] }
conversation {
  complete_when = "turn >= 1"
  reply_timeout = "20s"
}
capacity {
  vary    = "arrival_rate"
  from    = 0.5
  to      = 8
  hold    = "4s"
  ramp    = "1s"
  steps   = 4
  require = 10
}
threshold "reply_p95" {
  check = "reply.p95 < duration('2s')"
}
`
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "capacity.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("capacity plan does not load: %s", diags.Error())
	}
	return p
}

// The search over arrival_rate doubles 0.5, 1 (failed), then bisects
// 0.75 (held) and 0.875, and finds the knee (0.857/s) within its last
// bisection step (0.125/s); each step is judged on its own hold, after
// the backlog of the overload before it ended.
func TestCapacitySearchByArrivalRateFindsTheKnee(t *testing.T) {
	t.Parallel()
	const knee, lastStep = 0.857, 0.125
	res, convs := runPlan(t, arrivalCapacityPlan(t))
	c := res.Capacity
	if c == nil || len(c.Steps) != 4 {
		t.Fatalf("capacity %+v; want 4 steps", c)
	}
	for i, want := range []float64{0.5, 1, 0.75, 0.875} {
		s := c.Steps[i]
		t.Logf("step %d: %g/s, %v–%v, reply p95 %v over %d, %.1f/min, held %v",
			i+1, s.Load, s.From, s.To, s.Snapshot.Reply.P95, s.Snapshot.Reply.Count, s.PerMinute, s.Held)
		if s.Load != want {
			t.Errorf("step %d: %g/s; want %g", i+1, s.Load, want)
		}
		if s.Load < knee-0.05 && !s.Held || s.Load > knee+0.05 && s.Held {
			t.Errorf("step %d at %g/s: held %v; the knee is at %g/s", i+1, s.Load, s.Held, knee)
		}
		if s.Snapshot.Reply.Count == 0 {
			t.Errorf("step %d: no reply in its hold", i+1)
		}
	}
	if math.Abs(c.Load-knee) > lastStep || c.Broke == nil || c.Broke.Load <= c.Load || c.Broke.Threshold != "reply_p95" {
		t.Errorf("capacity at %g/s, broke at %+v; want within %g/s of %g/s, on reply_p95", c.Load, c.Broke, lastStep, knee)
	}
	if g := c.Gate(); !g.Pass || c.Value < 10 {
		t.Errorf("capacity %.1f/min, gate %+v; want at least the required 10/min", c.Value, g)
	}
	if !strings.Contains(c.Line(), "conversations/min (arrival ") {
		t.Errorf("line %q; want the arrival rate", c.Line())
	}
	users := map[int]bool{} // every arrival a fresh user
	for _, cv := range convs {
		if users[cv.User] {
			t.Errorf("user %d had two conversations", cv.User)
		}
		users[cv.User] = true
	}
}

// A search over arrival_rate sets its own load: steering says so, not that
// the stage is open (its worst case is an open stage).
func TestSteeringRefusedDuringAnArrivalRateSearch(t *testing.T) {
	t.Parallel()
	r := New(arrivalCapacityPlan(t), Options{})
	if _, err := r.SetTarget(context.Background(), 5, "test"); !errors.Is(err, ErrCapacitySearch) {
		t.Errorf("SetTarget during an arrival_rate search: %v; want ErrCapacitySearch", err)
	}
}
