package run

import (
	"context"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan/schedule"
	"github.com/voyplan/voyplan/engine/verdict"
)

// walkCapacity is the walker of a capacity search (plan.Capacity): each
// step sets the load — users, or an arrival rate — lets it settle for the
// ramp, and judges every threshold on what happened in the hold that
// follows (its own window, not the run so far); the next step's load
// follows from the steps so far (schedule.Capacity.Next). It is the
// scheduler goroutine, as walk is.
func (r *Runner) walkCapacity(startCtx, convCtx context.Context, c schedule.Capacity) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	var tried []schedule.Tried
	next := 1 // arrival_rate: the global number of the next arrival
	for load, ok := c.Next(nil); ok; load, ok = c.Next(tried) {
		r.log.Info("capacity step", "step", len(tried)+1, c.Vary, load)
		var from, to metrics.Mark
		if c.Vary == schedule.VaryArrivalRate {
			if len(tried) > 0 && !r.settle(startCtx, timer, 0) {
				return
			}
			from, to, ok = r.arrivalStep(startCtx, convCtx, timer, c, load, &next)
		} else {
			from, to, ok = r.usersStep(startCtx, convCtx, timer, c, load)
		}
		if !ok {
			return
		}
		step := r.judgeStep(load, from, to)
		r.capacity = append(r.capacity, step)
		tried = append(tried, schedule.Tried{Load: load, Held: step.Held})
	}
}

// usersStep sets the users to load, waits the ramp, and marks the hold's
// beginning and end; false when starting stopped first.
func (r *Runner) usersStep(startCtx, convCtx context.Context, timer *time.Timer, c schedule.Capacity, load float64) (from, to metrics.Mark, ok bool) {
	r.setUsers(startCtx, convCtx, int(load), time.Now())
	// A step below the last one retires users, who finish the conversation
	// they are in first: their backlog is the last step's load, not this
	// one's, so the ramp starts once they have gone.
	if !r.settle(startCtx, timer, int64(r.opts.Segment.Local(int(load)))) || !r.waitFor(startCtx, timer, c.Ramp) {
		return from, to, false
	}
	from = r.rec.Mark(r.Elapsed())
	if !r.waitFor(startCtx, timer, c.Hold) {
		return from, to, false
	}
	return from, r.rec.Mark(r.Elapsed()), true
}

// arrivalStep starts conversations at rate per second through the ramp
// and the hold — one stage of arrivals due by the clock from the step's
// start (open.go), numbered on from *next — and marks the hold's
// beginning and end; false when starting stopped first.
func (r *Runner) arrivalStep(startCtx, convCtx context.Context, timer *time.Timer, c schedule.Capacity, rate float64, next *int) (from, to metrics.Mark, ok bool) {
	start := r.Elapsed()
	r.steer.target.Store(int64(c.MaxUsers))
	a := c.StepArrivals(rate, start, c.Ramp+c.Hold, *next)
	*next += a.Count
	inRamp := a.Before(start + c.Ramp)
	if !r.arriveRange(startCtx, convCtx, timer, a, 0, inRamp) || !r.waitUntil(startCtx, timer, r.start.Add(start+c.Ramp)) {
		return from, to, false
	}
	from = r.rec.Mark(r.Elapsed())
	if !r.arriveRange(startCtx, convCtx, timer, a, inRamp, a.Count) || !r.waitUntil(startCtx, timer, r.start.Add(start+c.Ramp+c.Hold)) {
		return from, to, false
	}
	return from, r.rec.Mark(r.Elapsed()), true
}

// settle waits, between two steps of a search, until at most n users or
// conversations are still running — at most the graceful stop period,
// after which the next step begins anyway — so that a step is not judged
// on the backlog of the one before it: an arrival_rate step waits for the
// last one's conversations to end (n = 0: an open model's backlog
// outlasts the rate that made it; GuideLLM's sweep runs each rate on its
// own likewise), a users step for the users it retired. false when
// starting stopped first.
func (r *Runner) settle(ctx context.Context, timer *time.Timer, n int64) bool {
	select { // a token left from an earlier moment
	case <-r.left:
	default:
	}
	timer.Reset(r.opts.GracefulStop)
	defer timer.Stop()
	for r.running.Load() > n {
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
			r.log.Warn("capacity search: conversations still in flight after the graceful stop period; the next step begins with them",
				"in_flight", r.running.Load())
			return true
		case <-r.left:
		}
	}
	return true
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
