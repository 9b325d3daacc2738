package run

import (
	"context"
	"time"

	"github.com/voyplan/voyplan/engine/internal/offstack"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/schedule"
	"github.com/voyplan/voyplan/engine/transcript"
)

// The executor of open stages (arrival_rate): k6's constant-arrival-rate.
// The scheduler goroutine starts arrival k of a stage at its due time,
// stage start + k/rate, read from the compiled schedule — never from when
// the previous one started — each as a goroutine holding one conversation
// for a fresh virtual user (the arrival's global number), whether or not
// the earlier ones have ended. An arrival that finds max_users
// conversations in flight in this process is not started but counted
// (conversations.dropped): never silently delayed. One that starts later
// than due, because the scheduler fell behind, is a late start.
//
// With a segment I/N, every process walks the same arrivals and starts
// only its own — the global numbers n with (n-1) % N == I-1 — so N
// processes together offer the plan's rate; max_users is per process.

// walkOpen starts the schedule's arrivals at their due times, then waits
// as walk does for the stages to end or the conversations in flight to
// finish. It runs on the scheduler goroutine.
func (r *Runner) walkOpen(startCtx, convCtx context.Context, s schedule.Schedule) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for _, a := range s.Arrivals {
		if !r.waitUntil(startCtx, timer, r.start.Add(a.Start)) {
			return
		}
		r.stage.Store(int32(a.Stage))
		r.steer.target.Store(int64(a.MaxUsers))
		if !r.arrive(startCtx, convCtx, timer, a) {
			return
		}
	}
	end := r.start.Add(s.Duration)
	for {
		w, req := r.awaitEnd(startCtx, timer, end)
		if w != wakeSteer {
			return
		}
		req.reply <- steerReply{err: ErrOpenStage} // SetTarget refuses first; kept for safety
	}
}

// arrive starts the segment's arrivals of one open stage, each at its due
// time; false when starting stopped first.
func (r *Runner) arrive(startCtx, convCtx context.Context, timer *time.Timer, a schedule.Arrivals) bool {
	return r.arriveRange(startCtx, convCtx, timer, a, 0, a.Count)
}

// arriveRange starts the segment's arrivals lo ≤ k < hi of a, each at its
// due time: a part of a stage (a capacity step's ramp, then its hold,
// arrive evenly through both). false when starting stopped first.
func (r *Runner) arriveRange(startCtx, convCtx context.Context, timer *time.Timer, a schedule.Arrivals, lo, hi int) bool {
	full := false // max_users was reached in this stage: warned once
	for k := r.opts.Segment.firstOwned(a.First+lo) - a.First; k < hi; k += r.opts.Segment.stride() {
		due := r.start.Add(a.At(k))
		if !r.waitUntil(startCtx, timer, due) {
			return false
		}
		n := a.First + k
		if r.isDraining() { // Stop, or results that cannot be recorded, before startCtx says so
			return false
		}
		if r.running.Load() >= int64(a.MaxUsers) {
			persona := r.plan.PersonaOf(n)
			r.rec.ConversationDropped(persona.Name)
			if !full {
				full = true
				r.log.Warn("max_users conversations in flight: arrivals are dropped (conversations.dropped)",
					"stage", stageName(r.plan, a.Stage), "max_users", a.MaxUsers)
			}
			r.log.Debug("arrival dropped", "user", n, "persona", persona.Name, "max_users", a.MaxUsers)
			continue
		}
		r.wg.Add(1)
		r.running.Add(1)
		go r.runArrival(convCtx, n, due)
		r.steer.planned.Store(r.running.Load())
	}
	return true
}

// waitUntil waits on timer for t; false when starting stopped first. A
// time already past does not wait: an arrival the scheduler is behind on
// starts at once, and counts as late.
func (r *Runner) waitUntil(ctx context.Context, timer *time.Timer, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer.Reset(d)
	select {
	case <-ctx.Done():
		timer.Stop()
		return false
	case <-timer.C:
		return true
	}
}

// runArrival is one arrival's virtual user: one conversation, due at due,
// then gone. Like runUser it is counted in the active users while it runs,
// and holds no goroutine while its conversation waits on a reply.
func (r *Runner) runArrival(convCtx context.Context, n int, due time.Time) {
	user, err := offstack.Call(func() (*plan.User, error) { return r.plan.NewUser(n) }) // deep: see engine/internal/offstack
	if err != nil {
		r.log.Error("cannot instantiate virtual user", "user", n, "err", err)
		r.userDone()
		return
	}
	r.rec.UserStarted()
	r.rec.ConversationDue(user.Persona.Name, time.Since(due))
	if rec, over := r.converse(convCtx, &vu{n: n, due: due, arrival: true}, user); over {
		r.arrived(rec)
	}
}

// arrived ends an arrival whose conversation ended with rec.
func (r *Runner) arrived(rec *transcript.Conversation) {
	r.finish(rec)
	r.rec.UserStopped()
	r.userDone()
}

// firstOwned is the segment's first global user number from n on.
func (s Segment) firstOwned(n int) int {
	if s.Whole() {
		return n
	}
	return n + ((s.Index-1-(n-1))%s.Count+s.Count)%s.Count
}

// stride is the distance between two global user numbers of the segment.
func (s Segment) stride() int {
	if s.Whole() {
		return 1
	}
	return s.Count
}
