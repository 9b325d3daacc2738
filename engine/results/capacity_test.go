package results

import (
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/verdict"
)

// A capacity search's summary carries the capacity, its unit, the limiting
// threshold and every step, and matches the schema; so does a windowed
// threshold's worst window.
func TestCapacitySummaryMatchesTheSchema(t *testing.T) {
	t.Parallel()
	held := verdict.Result{Name: "reply_p95", Check: "reply.p95 < duration('2s')", Pass: true, Observed: "1.2s"}
	failed := verdict.Result{Name: "reply_p95", Check: held.Check, Observed: "2.4s"}
	steps := []verdict.CapacityStep{
		{Load: 8, From: time.Second, To: 3 * time.Second, Held: true, PerMinute: 23, Results: []verdict.Result{held}},
		{Load: 16, From: 4 * time.Second, To: 6 * time.Second, PerMinute: 28, Results: []verdict.Result{failed}},
	}
	e := Ending{Capacity: verdict.NewCapacity("users", 10, steps)}
	windowed := held
	windowed.Window, windowed.Windows, windowed.Worst = time.Minute, 3, &verdict.WindowResult{From: time.Minute, To: 2 * time.Minute, Observed: "1.2s", Outcome: "pass"}
	s := NewSummary(Run{StartedAt: time.Now(), EndedAt: time.Now()}, metrics.Snapshot{Personas: map[string]metrics.Conversations{}}, append(e.Judge(), windowed))
	s.Plan.Name = "capacity"
	s.Version = "test"
	s.Capacity = capacityOf(e.Capacity)
	c := s.Capacity
	if c.Value != 23 || c.Load != 8 || c.Unit != "conversations/min" || c.Limit == nil || c.Limit.Name != "reply_p95" ||
		c.Limit.Load != 16 || len(c.Steps) != 2 {
		t.Fatalf("capacity %+v; want 23/min at 8 users, limited by reply_p95 at 16", c)
	}
	if s.Verdict != VerdictPass || s.Thresholds[0].Name != "capacity" {
		t.Errorf("verdict %s, thresholds %+v; want pass, the capacity gate first", s.Verdict, s.Thresholds)
	}
	b, err := encodeSummary(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateSummary(b); err != nil {
		t.Errorf("the summary does not match its schema: %v", err)
	}
	if c.LoadUnit != "users" {
		t.Errorf("load unit %q; want users", c.LoadUnit)
	}
	// over arrival_rate: the rate, in conversations per second
	steps[1].Snapshot.Conversations.Dropped = 3
	s.Capacity = capacityOf(verdict.NewCapacity("arrival_rate", 10, steps))
	if s.Capacity.LoadUnit != "conversations/s" || s.Capacity.Steps[1].Dropped != 3 {
		t.Errorf("capacity %+v; want conversations/s, 3 dropped at the second step", s.Capacity)
	}
	if b, err = encodeSummary(s); err != nil {
		t.Fatal(err)
	}
	if err := ValidateSummary(b); err != nil {
		t.Errorf("the arrival_rate summary does not match its schema: %v", err)
	}
}
