package run

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/schedule"
	"github.com/voyplan/voyplan/engine/rig"
	"github.com/voyplan/voyplan/engine/transcript"
)

// MaxSteerUsers bounds a target set by hand: a typo must not start a
// million goroutines.
const MaxSteerUsers = 100_000

// Errors SetTarget and StopByHand return besides a context's.
var (
	ErrStopping   = errors.New("the run is stopping")
	ErrStagesOver = errors.New("the stages are over: conversations in flight are finishing")
	// ErrOpenStage: open stages (arrival_rate) start conversations at a
	// rate, not users; there is no target to steer.
	ErrOpenStage = errors.New("the stages are open (arrival_rate): conversations arrive at the plan's rate, there are no users to set; stop the run instead")
)

// steering is the Runner's side of changes by hand. The scheduler
// goroutine (walk) is the only one to touch the schedule: SetTarget sends it
// a request over requests and waits for the answer.
type steering struct {
	requests chan steerRequest
	done     chan struct{} // closed when walk returns: nothing more to steer
	planned  atomic.Int64  // slots planned (len(Runner.vus)), published for displays
	target   atomic.Int64  // the current stage's target users, as planned or steered
	stopped  atomic.Bool   // StopByHand was called

	// stages and holdIdle are owned by the scheduler goroutine: the plan's
	// stages with the targets set by hand, and whether the last stage was
	// steered to no users (the run then holds until the stage ends instead
	// of ending once nobody runs, so users can be raised again).
	stages   []schedule.Stage
	holdIdle bool

	// mu guards log: every change made by hand, in the order made.
	mu  sync.Mutex
	log []transcript.Steer
}

type steerRequest struct {
	users int
	by    string
	reply chan steerReply // cap 1: the scheduler never waits on it
}

type steerReply struct {
	steer transcript.Steer
	err   error
}

func (s *steering) init() {
	s.requests = make(chan steerRequest)
	s.done = make(chan struct{})
}

// ErrCapacitySearch is SetTarget's answer during a capacity search, which
// sets the users itself, step by step.
var ErrCapacitySearch = errors.New("a capacity search sets the users itself")

// SetTarget changes the current stage's target number of users: from now
// to the stage's end the schedule moves the users towards it at the stage's
// spawn rate, starting or retiring them as the plan's own steps do, and the
// stages after it go on from the count reached. by says who asked (logged
// and kept in Steering). It blocks until the scheduler has re-planned, or ctx
// ends. A plan of open stages has no users to set: ErrOpenStage; nor has a
// capacity search, which sets them itself: ErrCapacitySearch.
func (r *Runner) SetTarget(ctx context.Context, users int, by string) (transcript.Steer, error) {
	if r.plan.Capacity != nil { // before Open: a search over arrival_rate has an open stage for its worst case
		return transcript.Steer{}, ErrCapacitySearch
	}
	if r.plan.Open() {
		return transcript.Steer{}, ErrOpenStage
	}
	if users < 0 || users > MaxSteerUsers {
		return transcript.Steer{}, fmt.Errorf("users must be between 0 and %d, got %d", MaxSteerUsers, users)
	}
	if err := r.checkUsers(users); err != nil {
		return transcript.Steer{}, err
	}
	req := steerRequest{users: users, by: by, reply: make(chan steerReply, 1)}
	select {
	case r.steer.requests <- req:
	case <-r.draining:
		return transcript.Steer{}, ErrStopping
	case <-r.steer.done:
		return transcript.Steer{}, ErrStagesOver
	case <-ctx.Done():
		return transcript.Steer{}, ctx.Err()
	}
	rep := <-req.reply
	return rep.steer, rep.err
}

// checkUsers fails when n concurrent users would need more open files than
// the limit allows, as Check does for the plan's own peak.
func (r *Runner) checkUsers(n int) error {
	if err := rig.EnsureFiles(r.plan, n); err != nil {
		return fmt.Errorf("cannot run %d concurrent users: %w", n, err)
	}
	return nil
}

// StopByHand stops the run as Stop does, and records who asked in the
// steering log and run.log. A run already stopping is left as it is
// (ErrStopping).
func (r *Runner) StopByHand(by string) (transcript.Steer, error) {
	if r.isDraining() || !r.steer.stopped.CompareAndSwap(false, true) {
		return transcript.Steer{}, ErrStopping
	}
	el := r.Elapsed()
	s := transcript.Steer{At: time.Now(), Elapsed: el, Action: transcript.SteerStop, Stage: stageName(r.plan, r.Stage()), By: by}
	r.record(s)
	r.Stop()
	return s, nil
}

// Steering returns the changes made by hand so far, in order.
func (r *Runner) Steering() []transcript.Steer {
	r.steer.mu.Lock()
	defer r.steer.mu.Unlock()
	return slices.Clone(r.steer.log)
}

// Stopping reports whether the run was stopped (Stop, StopByHand, an abort
// threshold): no conversation starts any more.
func (r *Runner) Stopping() bool { return r.isDraining() }

// Planned is the number of user slots the schedule plans now (users
// running, and those done with their conversations that keep their slot);
// in open stages, the conversations in flight at the last arrival.
func (r *Runner) Planned() int { return int(r.steer.planned.Load()) }

// Target is the current stage's target number of users, as the plan says
// or as steered; in an open stage, its max_users.
func (r *Runner) Target() int { return int(r.steer.target.Load()) }

func (r *Runner) record(s transcript.Steer) {
	r.steer.mu.Lock()
	r.steer.log = append(r.steer.log, s)
	r.steer.mu.Unlock()
	args := []any{"action", s.Action, "stage", s.Stage, "by", s.By, "elapsed", s.Elapsed.Round(time.Millisecond)}
	if s.Action == transcript.SteerUsers {
		args = append(args, "from", s.From, "to", s.To)
	}
	r.log.Info("steered by hand", args...)
}

func stageName(p *plan.Plan, i int) string {
	if i < 0 || i >= len(p.Stages) {
		return ""
	}
	return p.Stages[i].Name
}

// stepWake is what ended a wait of the scheduler.
type stepWake int

const (
	wakeStep  stepWake = iota // the next step is due
	wakeSteer                 // a change by hand arrived
	wakeEnd                   // starting stopped, or the stages are over
)

// waitStep waits for t on timer, or for a change by hand.
func (r *Runner) waitStep(ctx context.Context, timer *time.Timer, t time.Time) (stepWake, steerRequest) {
	d := time.Until(t)
	if d <= 0 {
		if ctx.Err() != nil {
			return wakeEnd, steerRequest{}
		}
		return wakeStep, steerRequest{}
	}
	timer.Reset(d)
	select {
	case <-ctx.Done():
		return wakeEnd, steerRequest{}
	case <-timer.C:
		return wakeStep, steerRequest{}
	case req := <-r.steer.requests:
		return wakeSteer, req
	}
}

// applyStep plans step's users.
func (r *Runner) applyStep(startCtx, convCtx context.Context, step schedule.Step) {
	r.stage.Store(int32(step.Stage))
	r.steer.target.Store(int64(r.steer.stages[step.Stage].Users))
	r.setUsers(startCtx, convCtx, step.Users, r.start.Add(step.At))
	r.steer.planned.Store(int64(len(r.vus)))
}

// replan answers a change by hand: the current stage's target becomes
// req.users from now to the stage's end, and the steps left are compiled
// again from the users planned now. It returns the steps to walk next.
// Called on the scheduler goroutine only.
func (r *Runner) replan(req steerRequest, steps []schedule.Step) []schedule.Step {
	now := time.Since(r.start)
	i := int(r.stage.Load())
	end := stagesEnd(r.steer.stages, i)
	switch {
	case r.isDraining():
		req.reply <- steerReply{err: ErrStopping}
		return steps
	case now >= end:
		req.reply <- steerReply{err: ErrStagesOver}
		return steps
	}
	s := transcript.Steer{At: time.Now(), Elapsed: now, Action: transcript.SteerUsers, Stage: r.steer.stages[i].Name,
		From: r.steer.stages[i].Users, To: req.users, By: req.by}
	r.steer.stages[i].Users = req.users
	r.steer.holdIdle = i == len(r.steer.stages)-1 && req.users == 0
	r.steer.target.Store(int64(req.users))
	rest := slices.Clone(r.steer.stages)
	rest[i].Duration = end - now
	r.record(s)
	req.reply <- steerReply{steer: s}
	return schedule.CompileFrom(rest, i, r.planUsers, now).Steps
}

// stagesEnd is when stage i ends, from the run's start.
func stagesEnd(stages []schedule.Stage, i int) time.Duration {
	var end time.Duration
	for _, st := range stages[:i+1] {
		end += st.Duration
	}
	return end
}
