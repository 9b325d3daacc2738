package run

import (
	"context"
	"slices"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/internal/offstack"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/schedule"
	"github.com/voyplan/voyplan/engine/transcript"
)

// vu is one virtual user's slot.
type vu struct {
	n       int         // global user number, 1-based, in start order
	due     time.Time   // when its next conversation is due: the first at its schedule step's time
	retired atomic.Bool // finish the current conversation, start no other
	arrival bool        // an open stage's arrival: one conversation (runArrival)
	waits   waits       // its seeded think time and pacing draws (wait.go)

	// Between its conversations (goOn); touched by one goroutine at a
	// time: the one playing the user's conversation, or its next.
	user    *plan.User
	done    int           // conversations ended
	pace    time.Duration // its wait before its next conversation
	timer   *time.Timer   // for pacing, and a failed start's wait even without pacing; made at the first pause
	backoff failedStarts
}

// walk applies the schedule's steps at their offsets, then waits until the
// stages end, every user is done, or starting is stopped. It is the
// scheduler goroutine, the only one to touch r.vus: a change of the users by
// hand (SetTarget, steer.go) arrives here and replaces the steps left.
func (r *Runner) walk(startCtx, convCtx context.Context, s schedule.Schedule) {
	defer close(r.steer.done)
	r.steer.stages = slices.Clone(r.plan.Stages)
	if c := r.plan.Capacity; c != nil { // a search, not stages: capacity.go
		r.walkCapacity(startCtx, convCtx, *c)
		return
	}
	if s.Open() { // arrivals, not users: open.go
		r.walkOpen(startCtx, convCtx, s)
		return
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	steps, end := s.Steps, r.start.Add(s.Duration)
	for {
		w, req := wakeEnd, steerRequest{}
		if len(steps) > 0 {
			w, req = r.waitStep(startCtx, timer, r.start.Add(steps[0].At))
		} else {
			w, req = r.awaitEnd(startCtx, timer, end)
		}
		switch w {
		case wakeStep:
			r.applyStep(startCtx, convCtx, steps[0])
			steps = steps[1:]
		case wakeSteer:
			steps = r.replan(req, steps)
		default:
			return
		}
	}
}

// awaitEnd blocks until the schedule's end, until no user is left running
// (unless the last stage was steered to none), until starting is stopped,
// or until a change by hand arrives.
func (r *Runner) awaitEnd(startCtx context.Context, timer *time.Timer, end time.Time) (stepWake, steerRequest) {
	select { // a token left from a moment between steps when nobody ran
	case <-r.idle:
	default:
	}
	timer.Reset(time.Until(end))
	for r.running.Load() > 0 || r.steer.holdIdle {
		select {
		case <-startCtx.Done():
			return wakeEnd, steerRequest{}
		case <-timer.C:
			return wakeEnd, steerRequest{}
		case <-r.idle:
		case req := <-r.steer.requests:
			return wakeSteer, req
		}
	}
	return wakeEnd, steerRequest{}
}

// setUsers starts or retires users so that n slots are planned (n global:
// this process holds its segment's share of them); the users it starts are
// due at due. A user who has finished its conversations keeps its slot: it
// is not replaced.
func (r *Runner) setUsers(startCtx, convCtx context.Context, n int, due time.Time) {
	r.planUsers = n
	n = r.opts.Segment.Local(n)
	for len(r.vus) < n {
		r.nextUser++
		v := &vu{n: r.opts.Segment.Global(r.nextUser), due: due}
		r.vus = append(r.vus, v)
		r.wg.Add(1)
		r.running.Add(1)
		go r.runUser(startCtx, convCtx, v)
	}
	if len(r.vus) <= n {
		return
	}
	for len(r.vus) > n {
		r.vus[len(r.vus)-1].retired.Store(true)
		r.vus = r.vus[:len(r.vus)-1]
	}
	close(*r.retiring.Swap(new(make(chan struct{})))) // wakes the pauses, which look at their own user
}

// runUser is one virtual user's life: its conversations, one after another,
// paced, until it has done conversations_per_user, is retired, or starting
// stops. Each conversation is due at a time — the first at the user's
// schedule step, each next one pacing after the previous one ended — and one
// that starts later than that is reported (conversations.late_starts).
func (r *Runner) runUser(startCtx, convCtx context.Context, v *vu) {
	if v.user = r.newUser(v); v.user == nil {
		r.userDone()
		return
	}
	r.rec.UserStarted()
	r.goOn(startCtx, convCtx, v)
}

// goOn plays v's conversations from its next on. It returns when v is
// done (and ends it) or when its conversation parked: that conversation's
// end calls goOn again (over), on the goroutine that ended it, so a user
// waiting on a reply holds no goroutine either.
func (r *Runner) goOn(startCtx, convCtx context.Context, v *vu) {
	for r.nextDue(startCtx, v) {
		rec, over := r.converse(convCtx, v, v.user)
		if !over {
			return
		}
		r.ended(v, rec)
	}
	r.rec.UserStopped()
	r.userDone()
}

// nextDue waits v's pacing, and reports whether v starts another
// conversation; its lateness is counted when it does.
func (r *Runner) nextDue(ctx context.Context, v *vu) bool {
	c := r.plan.Conversation
	if c.ConversationsPerUser != 0 && v.done >= c.ConversationsPerUser {
		return false
	}
	if v.done > 0 && v.pace > 0 && !r.pause(ctx, v, &v.timer, v.pace) {
		return false
	}
	if ctx.Err() != nil || v.retired.Load() || r.isDraining() { // draining: Stop, or results that cannot be recorded
		return false
	}
	r.rec.ConversationDue(v.user.Persona.Name, time.Since(v.due))
	return true
}

// over is the end of v's conversation rec that parked on the way, on
// the goroutine that ended it: v goes on from there.
func (r *Runner) over(v *vu, rec *transcript.Conversation) {
	if v.arrival {
		r.arrived(rec)
		return
	}
	r.ended(v, rec)
	if v.pace > 0 { // it pauses on a goroutine of its own: this one's stack grew with the conversation (direct)
		go r.goOn(r.startCtx, r.convCtx, v)
		return
	}
	r.goOn(r.startCtx, r.convCtx, v)
}

// ended hands v's conversation rec to the metrics and the sink and sets
// when v's next is due.
func (r *Runner) ended(v *vu, rec *transcript.Conversation) {
	v.done++
	v.pace = v.backoff.after(rec, r.pacing(v)) // wait.go
	v.due = rec.EndedAt.Add(v.pace)
	r.finish(rec)
}

// newUser instantiates v's user; nil (logged) when its plan cannot. (Not
// inlined, like pause and finish: runUser is under every waiting user and
// keeps a small frame; see conversation.step.)
//
//go:noinline
func (r *Runner) newUser(v *vu) *plan.User {
	user, err := offstack.Call(func() (*plan.User, error) { return r.plan.NewUser(v.n) }) // deep: see engine/internal/offstack
	if err != nil {
		r.log.Error("cannot instantiate virtual user", "user", v.n, "err", err)
		return nil
	}
	return user
}

// A conversation that failed at its first send (the assistant refused or
// never got the message) took no time at all, where one that ran takes
// seconds to minutes: against a dead assistant a repeating user would start
// conversations as fast as the connection is refused. So the user waits its
// pacing, and at least failedStartPause, doubling with each further
// conversation of the user that fails the same way, up to
// maxFailedStartPause; one that gets a message through resets it.
const (
	failedStartPause    = time.Second
	maxFailedStartPause = 30 * time.Second
)

// failedStarts is one user's run of conversations that failed at their
// first send. Only the user's goroutine touches it.
type failedStarts struct{ next time.Duration }

// after returns how long the user waits after rec before its next
// conversation: pace, or longer when rec failed at its first send.
func (f *failedStarts) after(rec *transcript.Conversation, pace time.Duration) time.Duration {
	if rec.Outcome != transcript.Failed || rec.Reason != transcript.ReasonSendError || len(rec.Turns) != 1 {
		f.next = 0
		return pace
	}
	f.next = min(max(2*f.next, failedStartPause), maxFailedStartPause)
	return max(pace, f.next)
}

// pause waits d between two conversations of a user; false when the user
// should stop instead.
//
//go:noinline
func (r *Runner) pause(ctx context.Context, v *vu, timer **time.Timer, d time.Duration) bool {
	if *timer == nil {
		*timer = time.NewTimer(d)
	} else {
		(*timer).Reset(d)
	}
	for {
		retiring := *r.retiring.Load() // before the look: a retirement after it closes this one
		if v.retired.Load() {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-retiring: // users were retired: this one?
		case <-(*timer).C:
			return true
		}
	}
}

func (r *Runner) userDone() {
	if r.running.Add(-1) == 0 {
		select {
		case r.idle <- struct{}{}:
		default:
		}
	}
	select {
	case r.left <- struct{}{}:
	default:
	}
	r.wg.Done()
}
