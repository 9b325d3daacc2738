package verdict

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan/schedule"
)

// Capacity is a capacity search's outcome: each step's load and the
// thresholds judged on its hold, the capacity found — the completed
// conversations per minute of the most load at which every threshold held
// — and what broke at the least load that did not hold.
type Capacity struct {
	Vary    string  // what the search varied: "users" or "arrival_rate"
	Value   float64 // completed conversations per minute at Load; 0 when nothing held
	Load    float64 // the most load that held; 0 when none did
	Require float64 // the plan's require: Value below it fails the run
	Broke   *Broke  // nil when no step failed
	Steps   []CapacityStep
}

// CapacityStep is one step of a search.
type CapacityStep struct {
	Load      float64
	From, To  time.Duration // the hold judged, elapsed into the run
	Held      bool
	PerMinute float64 // completed conversations per minute in the hold
	Snapshot  metrics.Snapshot
	Results   []Result
}

// Broke is the least load that failed and the first threshold that failed
// there.
type Broke struct {
	Load, PerMinute            float64
	Threshold, Check, Observed string
}

// NewCapacity sums up a search's steps.
func NewCapacity(vary string, require float64, steps []CapacityStep) *Capacity {
	c := &Capacity{Vary: vary, Require: require, Steps: steps}
	for _, s := range steps {
		switch {
		case s.Held && s.Load > c.Load:
			c.Load, c.Value = s.Load, s.PerMinute
		case !s.Held && (c.Broke == nil || s.Load < c.Broke.Load):
			c.Broke = &Broke{Load: s.Load, PerMinute: s.PerMinute}
			if f := Failed(s.Results); len(f) > 0 {
				c.Broke.Threshold, c.Broke.Check, c.Broke.Observed = f[0].Name, f[0].Check, f[0].Observed
			}
		}
	}
	return c
}

// Line is the search's verdict: "capacity: 23.0 conversations/min (users
// 8); broke at 28.0/min (users 16) on reply_p95 (2.4s; reply.p95 <
// duration('2s'))", or over arrival_rate "capacity: 23.4
// conversations/min (arrival 0.39/s); broke at 28.0/min (arrival 0.5/s)
// on …".
func (c *Capacity) Line() string {
	line := fmt.Sprintf("capacity: %s conversations/min (%s)", perMin(c.Value), c.loadOf(c.Load))
	if c.Load == 0 {
		line = fmt.Sprintf("capacity: none found — the first step (%s) did not hold", c.loadOf(c.firstLoad()))
	}
	if b := c.Broke; b != nil {
		line += fmt.Sprintf("; broke at %s/min (%s) on %s (%s; %s)", perMin(b.PerMinute), c.loadOf(b.Load), b.Threshold, b.Observed, b.Check)
	} else if c.Load > 0 {
		line += "; every step held"
	}
	return line
}

// loadOf says a step's load: "users 8", "arrival 0.39/s".
func (c *Capacity) loadOf(v float64) string {
	if c.Vary == schedule.VaryArrivalRate {
		return fmt.Sprintf("arrival %g/s", v)
	}
	return fmt.Sprintf("%s %g", c.Vary, v)
}

// column is the steps table's load column.
func (c *Capacity) column() string {
	if c.Vary == schedule.VaryArrivalRate {
		return "Arrivals/s"
	}
	return title(c.Vary)
}

func (c *Capacity) firstLoad() float64 {
	if len(c.Steps) == 0 {
		return 0
	}
	return c.Steps[0].Load
}

// Gate is the search's outcome as a threshold: capacity >= require.
func (c *Capacity) Gate() Result {
	r := Result{Name: "capacity", Check: fmt.Sprintf("capacity >= %g conversations/min", c.Require),
		Pass: c.Load > 0 && c.Value >= c.Require, Observed: perMin(c.Value) + "/min"}
	if len(c.Steps) == 0 {
		r.NoData, r.Observed = true, "no data: no step ended"
	}
	return r
}

func perMin(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// renderCapacity writes the table of the search's steps, in the order they
// ran; nothing without a search.
func renderCapacity(w io.Writer, c *Capacity) error {
	if c == nil {
		return nil
	}
	t := newTable(w, "rrlrrrll", "Step", c.column(), "Hold", "Conv/min", "Reply p95", "Success", "Result", "Failed")
	rows := make([][]string, len(c.Steps))
	for i, s := range c.Steps {
		result, failed := "HELD", ""
		if !s.Held {
			result = "FAILED"
			var names []string
			for _, f := range Failed(s.Results) {
				names = append(names, f.Name+" "+f.Observed)
			}
			failed = strings.Join(names, ", ")
		}
		rows[i] = []string{strconv.Itoa(i + 1), strconv.FormatFloat(s.Load, 'g', -1, 64),
			clockOf(s.From) + "–" + clockOf(s.To), perMin(s.PerMinute), ms(s.Snapshot.Reply.P95),
			successRate(s.Snapshot.Conversations), result, failed}
	}
	if _, err := fmt.Fprintln(w, "Capacity search"); err != nil {
		return err
	}
	if err := appendAll(t, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, c.Line())
	if err == nil {
		_, err = fmt.Fprintln(w)
	}
	return err
}
