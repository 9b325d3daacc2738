package run

import (
	"context"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan/schedule"
	"github.com/voyplan/voyplan/engine/verdict"
)

// walkCapacity is the walker of a capacity search (plan.Capacity): each
// step sets the users, lets them settle for the ramp, and judges every
// threshold on what happened in the hold that follows (its own window, not
// the run so far); the next step's load follows from the steps so far
// (schedule.Capacity.Next). It is the scheduler goroutine, as walk is.
func (r *Runner) walkCapacity(startCtx, convCtx context.Context, c schedule.Capacity) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	var tried []schedule.Tried
	for load, ok := c.Next(nil); ok; load, ok = c.Next(tried) {
		r.log.Info("capacity step", "step", len(tried)+1, c.Vary, load)
		r.setUsers(startCtx, convCtx, int(load), time.Now())
		if !r.waitFor(startCtx, timer, c.Ramp) {
			return
		}
		from := r.rec.Mark(r.Elapsed())
		if !r.waitFor(startCtx, timer, c.Hold) {
			return
		}
		step := r.judgeStep(load, from, r.rec.Mark(r.Elapsed()))
		r.capacity = append(r.capacity, step)
		tried = append(tried, schedule.Tried{Load: load, Held: step.Held})
	}
}

// judgeStep judges every threshold on a step's hold, from one mark to the
// other.
func (r *Runner) judgeStep(load float64, from, to metrics.Mark) verdict.CapacityStep {
	s := metrics.Window(from, to)
	rs := verdict.Evaluate(r.plan.Thresholds, s)
	step := verdict.CapacityStep{Load: load, From: from.At, To: to.At, Held: verdict.Passed(rs), Snapshot: s, Results: rs}
	if m := s.Elapsed.Minutes(); m > 0 {
		step.PerMinute = float64(s.Conversations.Succeeded) / m
	}
	r.log.Info("capacity step judged", "load", load, "held", step.Held, "per_minute", step.PerMinute)
	return step
}

// waitFor waits d, false when starting stops first.
func (r *Runner) waitFor(ctx context.Context, timer *time.Timer, d time.Duration) bool {
	timer.Reset(d)
	select {
	case <-ctx.Done():
		timer.Stop()
		return false
	case <-timer.C:
		return true
	}
}
