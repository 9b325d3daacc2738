package run

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/crosstalk"
	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/rig"
	"github.com/voyplan/voyplan/engine/tracing"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
	"github.com/voyplan/voyplan/engine/webhook"
)

// Sink receives every conversation once, when it ends. It is called from
// many goroutines at once.
type Sink interface {
	Write(c *transcript.Conversation) error
}

// Journal receives a conversation's progress as it happens, before the
// Sink gets it whole: its start (the record without turns) and each turn
// as it ends, so that a run killed in the middle loses at most the turns
// in flight. Like the Sink it is called from many goroutines at once, and
// a failure of either stops the run (Options.SinkFailed).
type Journal interface {
	Begin(c *transcript.Conversation) error
	Turn(id string, t *transcript.Turn) error
}

// LateSink receives the callbacks that arrive after their conversation was
// handed to the Sink (late.jsonl). It is called from the webhook handler,
// so it must be safe for concurrent use and quick.
type LateSink interface {
	WriteLate(c *transcript.LateCallback) error
}

// Options tune a run; the zero value is usable.
type Options struct {
	Sink    Sink         // nil: conversations are only counted
	Journal Journal      // nil: no record of conversations in flight
	Late    LateSink     // nil: callbacks after a conversation ended are only counted and logged
	Log     *slog.Logger // nil: discard
	// GracefulStop is how long conversations still in flight when the
	// stages end may go on before they are cut and recorded as interrupted.
	// Default 30s.
	GracefulStop time.Duration
	// Rig is what the run talks through (engine/rig), opened by the
	// caller, who closes it after Run; a rig serves one run. nil: Run opens
	// one for the plan itself — ngrok, when the plan asks for a tunnel —
	// and closes it when the run is over.
	Rig *rig.Rig
	// Ready, when set, is called once the receiver (and the tunnel) are up,
	// before the first user starts, with the base URL the assistant is
	// told to deliver replies to. Not called when the target's protocol
	// needs no receiver (http, openai).
	Ready func(publicURL string)
	// Live is how many conversations in flight the run keeps readable for
	// a live view (LiveConversations, LiveConversation); 0: none, and the
	// conversation loop records nothing for it.
	Live int
	// Inspector, when set, is handed to the webhook receiver, which keeps
	// the last callbacks in it for a live view (with Live, each with its
	// reply latency).
	Inspector *webhook.Inspector
	// Segment, when not whole, runs only this process's slice of the
	// virtual users (segment.go); the schedule's user counts stay global.
	Segment Segment
	// Tracer, when set, traces every conversation (engine/tracing): its
	// trace id goes in the transcript and a traceparent on every request
	// to the assistant. nil: tracing off. A rig given in Rig must have
	// been opened with the same Tracer.
	Tracer *tracing.Tracer
	// SinkFailed, when set, is called once, at the first write the Sink or
	// the Journal could not take, after the run was told to stop: a run
	// that cannot record its results must not go on spending load.
	SinkFailed func(err error)
}

// Result is what a finished run hands back.
type Result struct {
	StartedAt, EndedAt time.Time
	Snapshot           metrics.Snapshot
	Webhook            webhook.Stats
	// Interrupted is set when the run was stopped before its schedule ended
	// (Stop, a cancelled context, or an abort threshold).
	Interrupted bool
	// Aborted names the abort threshold that stopped the run, if one did.
	Aborted string
	// Windows are the windows the plan's windowed thresholds are judged
	// on, by length, covering the run up to its end; nil when it has none.
	Windows verdict.Windows
	// Capacity is a capacity search's outcome (plan.Capacity); nil for a
	// run of stages.
	Capacity *verdict.Capacity
	// PublicURL is where the assistant was told to deliver replies.
	PublicURL string
}

// Runner runs one plan once.
type Runner struct {
	plan *plan.Plan
	opts Options
	log  *slog.Logger
	rec  *metrics.Recorder

	start     time.Time
	started   atomic.Pointer[time.Time] // start, published for Elapsed (read from other goroutines)
	stage     atomic.Int32
	draining  <-chan struct{}    // closed by Stop: in-flight conversations end after their current turn
	drainCtx  context.Context    // done when draining is closed (a thinking conversation waits on it: conversation.nap)
	stopDrain context.CancelFunc // closes draining
	stopOnce  sync.Once
	aborted   atomic.Pointer[string]
	billed    chan struct{} // a token when a generation was billed: watchAbort checks at once

	sinkErr atomic.Pointer[error]
	notify  atomic.Pointer[func(Notice)] // OnNotice's, or nil (errors.go)
	// lastSendErr is the normalised message of the last send error, for the
	// assistant-looks-down notice.
	lastSendErr atomic.Pointer[string]
	// downWindow is how long every send must fail before the run says the
	// assistant looks down (downWindow; tests shorten it).
	downWindow time.Duration
	running    atomic.Int64  // virtual users still running
	idle       chan struct{} // a token each time running drops to zero
	left       chan struct{} // a token each time running drops (a capacity search settling between steps)
	wg         sync.WaitGroup
	vus        []*vu // slots in start order; guarded by being touched only by the scheduler goroutine
	// retiring is closed, and replaced, each time users are retired:
	// a user pausing between conversations wakes to look whether it is
	// one (a channel for all, not one each).
	retiring atomic.Pointer[chan struct{}]
	nextUser int
	// planUsers is the users the schedule plans now, for the whole run
	// (len(vus) is this segment's share of them). Scheduler goroutine only.
	planUsers int

	capacity []verdict.CapacityStep // a search's steps so far; scheduler goroutine only until walk returns
	rig      *rig.Rig               // what the run talks through, set by Run before any user starts
	// startCtx ends when starting stops, convCtx when the run cuts its
	// conversations (its end); set by Run before any user starts, for a
	// user going on after a conversation that parked (over).
	startCtx, convCtx context.Context

	// windows are the windowers of the run (windows.go), once Run made
	// them: what WindowsSoFar reads.
	windows atomic.Pointer[[]*windower]

	// xtalk is the run's customer data and sent links, which every reply
	// is checked against (crosstalk.go).
	xtalk *crosstalk.Index
	// replays picks each replayed conversation's recording (replay.go).
	replays replays

	steer steering      // changes by hand: SetTarget, StopByHand (steer.go)
	live  *liveRegistry // conversations in flight, for a live view; nil: off (live.go)
}

// New prepares a run of p. Nothing starts until Run.
func New(p *plan.Plan, opts Options) *Runner {
	if opts.GracefulStop <= 0 {
		opts.GracefulStop = 30 * time.Second
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	names := make([]string, len(p.Personas))
	for i, ps := range p.Personas {
		names[i] = ps.Name
	}
	r := &Runner{
		plan:   p,
		opts:   opts,
		log:    log,
		rec:    newRecorder(names, p.Conversation.TurnSLO, p.AssistantPrice),
		idle:   make(chan struct{}, 1),
		left:   make(chan struct{}, 1),
		billed: make(chan struct{}, 1),
		live:   newLiveRegistry(opts.Live),
		xtalk:  crosstalk.NewIndex(),

		downWindow: downWindow,
	}
	r.retiring.Store(new(make(chan struct{})))
	r.drainCtx, r.stopDrain = context.WithCancel(context.Background())
	r.draining = r.drainCtx.Done()
	r.steer.init()
	return r
}

// Recorder is the run's live metrics, for progress displays.
func (r *Runner) Recorder() *metrics.Recorder { return r.rec }

// Stage is the index of the stage the schedule is in.
func (r *Runner) Stage() int { return int(r.stage.Load()) }

// Elapsed is the time since the run started (0 before).
func (r *Runner) Elapsed() time.Duration {
	start := r.started.Load()
	if start == nil {
		return 0
	}
	return time.Since(*start)
}

// sinkFailed stops a run whose results can no longer be recorded, as Stop
// does, at the first failure; Run then returns it as its error.
func (r *Runner) sinkFailed(err error) {
	if !r.sinkErr.CompareAndSwap(nil, &err) {
		return
	}
	r.Stop()
	r.log.Error("cannot record the results: no more conversations start, the run stops after the turns in flight, and its verdict is INVALID", "err", err)
	if r.opts.SinkFailed != nil {
		r.opts.SinkFailed(err)
	}
}

// Stop ends the run gracefully: no conversation starts any more, and those in
// flight end after their current turn, recorded as interrupted. Safe to call
// more than once and from any goroutine. To stop at once, cancel Run's context.
func (r *Runner) Stop() {
	r.stopOnce.Do(r.stopDrain)
}

// Run carries out the plan and blocks until it is over. An error means the
// run could not be carried out (a port in use, a simulator that would not
// start); a run that went badly is a Result, not an error.
func (r *Runner) Run(ctx context.Context) (*Result, error) {
	rg, closeRig, err := r.openRig(ctx)
	if err != nil {
		return nil, err
	}
	defer closeRig()
	r.rig = rg
	r.ready()

	res := &Result{PublicURL: rg.PublicURL()}
	r.start = time.Now()
	r.started.Store(&r.start)
	res.StartedAt = r.start
	hardCtx, hardCancel := context.WithCancel(ctx)
	defer hardCancel()
	startCtx, startCancel := context.WithCancel(hardCtx)
	defer startCancel()

	winCtx, winCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer winCancel()
	ws := r.windowers()
	r.windows.Store(&ws)
	var windows sync.WaitGroup // ends after the drain: the last window holds it
	windows.Go(func() { r.watchWindows(winCtx, ws) })
	var watchers sync.WaitGroup // they end with startCtx: waited before Run returns
	watchers.Go(func() { r.watchStop(startCtx, startCancel) })
	watchers.Go(func() { r.watchAbort(startCtx, r.Stop) })
	watchers.Go(func() { r.watchDown(startCtx, r.downWindow) })
	r.startCtx, r.convCtx = startCtx, hardCtx
	r.walk(startCtx, hardCtx, r.plan.Schedule())
	startCancel()
	watchers.Wait()
	r.drain(hardCancel)
	r.vus = nil // every user is done: what they held (data, scripts) is garbage, whoever keeps the Runner
	winCancel()
	windows.Wait()

	res.EndedAt = time.Now()
	res.Windows = windowsOf(ws)
	if c := r.plan.Capacity; c != nil {
		res.Capacity = verdict.NewCapacity(c.Vary, c.Require, r.capacity)
	}
	res.Snapshot = r.rec.Snapshot(res.EndedAt.Sub(r.start))
	res.Webhook = r.rig.Stats()
	res.Interrupted = ctx.Err() != nil || r.isDraining()
	if a := r.aborted.Load(); a != nil {
		res.Aborted = *a
	}
	if e := r.sinkErr.Load(); e != nil {
		return res, fmt.Errorf("cannot record conversations: %w", *e)
	}
	return res, nil
}

// watchStop turns Stop into the end of starting.
func (r *Runner) watchStop(startCtx context.Context, startCancel context.CancelFunc) {
	select {
	case <-r.draining:
		startCancel()
	case <-startCtx.Done():
	}
}

// watchAbort checks the abort thresholds once a second, and whenever an LLM
// generation was billed, while conversations are being started, and stops
// the run when one fails.
func (r *Runner) watchAbort(ctx context.Context, stop func()) {
	var abort []*plan.Threshold
	for _, th := range r.plan.Thresholds {
		if th.Abort && th.Window == 0 { // windowed: judged per window (windows.go)
			abort = append(abort, th)
		}
	}
	if len(abort) == 0 {
		return
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-r.billed: // a budget must not wait for the next tick
		}
		// only on what was observed: a figure not sampled yet is no reason to stop
		if crossed := verdict.Crossed(verdict.Evaluate(abort, r.rec.Snapshot(r.Elapsed()))); len(crossed) > 0 {
			name := crossed[0].Name
			r.aborted.CompareAndSwap(nil, &name)
			r.log.Warn("abort threshold failed, stopping", "threshold", name, "observed", crossed[0].Observed)
			stop()
			return
		}
	}
}

// drain waits for the virtual users to finish; after the graceful stop
// period the conversations still running are cut (and recorded as
// interrupted).
func (r *Runner) drain(hardCancel context.CancelFunc) {
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	grace := time.NewTimer(r.opts.GracefulStop)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		r.log.Info("graceful stop period over, interrupting conversations in flight")
		hardCancel()
		<-done
	}
}

func (r *Runner) isDraining() bool {
	select {
	case <-r.draining:
		return true
	default:
		return false
	}
}
