package run

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/sim"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/tunnel"
	"github.com/voyplan/voyplan/engine/verdict"
	"github.com/voyplan/voyplan/engine/webhook"
)

// Sink receives every conversation once, when it ends. It is called from
// many goroutines at once.
type Sink interface {
	Write(c *transcript.Conversation) error
}

// LateSink receives the callbacks that arrive after their conversation was
// handed to the Sink (late.jsonl). It is called from the webhook handler,
// so it must be safe for concurrent use and quick.
type LateSink interface {
	WriteLate(c *transcript.LateCallback) error
}

// Options tune a run; the zero value is usable.
type Options struct {
	Sink Sink         // nil: conversations are only counted
	Late LateSink     // nil: callbacks after a conversation ended are only counted and logged
	Log  *slog.Logger // nil: discard
	// GracefulStop is how long conversations still in flight when the
	// stages end may go on before they are cut and recorded as interrupted.
	// Default 30s.
	GracefulStop time.Duration
	// Tunnel opens the tunnel when the plan says tunnel = "ngrok" (and no
	// public_url); nil: ngrok itself, with the plan's token. Tests put a
	// tunnel.Loopback here.
	Tunnel tunnel.Opener
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
	// PublicURL is where the assistant was told to deliver replies.
	PublicURL string
}

// Runner runs one plan once.
type Runner struct {
	plan *plan.Plan
	opts Options
	log  *slog.Logger
	rec  *metrics.Recorder

	start    time.Time
	started  atomic.Pointer[time.Time] // start, published for Elapsed (read from other goroutines)
	stage    atomic.Int32
	draining chan struct{} // closed by Stop: in-flight conversations end after their current turn
	stopOnce sync.Once
	aborted  atomic.Pointer[string]
	billed   chan struct{} // a token when a generation was billed: watchAbort checks at once

	sinkErr  atomic.Pointer[error]
	running  atomic.Int64  // virtual users still running
	idle     chan struct{} // a token each time running drops to zero
	wg       sync.WaitGroup
	vus      []*vu // slots in start order; guarded by being touched only by the scheduler goroutine
	nextUser int
	// planUsers is the users the schedule plans now, for the whole run
	// (len(vus) is this segment's share of them). Scheduler goroutine only.
	planUsers int

	env *environment

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
		plan:     p,
		opts:     opts,
		log:      log,
		rec:      metrics.NewRecorder(names),
		draining: make(chan struct{}),
		idle:     make(chan struct{}, 1),
		billed:   make(chan struct{}, 1),
		live:     newLiveRegistry(opts.Live),
	}
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

// Stop ends the run gracefully: no conversation starts any more, and those in
// flight end after their current turn, recorded as interrupted. Safe to call
// more than once and from any goroutine. To stop at once, cancel Run's context.
func (r *Runner) Stop() {
	r.stopOnce.Do(func() { close(r.draining) })
}

// Run carries out the plan and blocks until it is over. An error means the
// run could not be carried out (a port in use, a simulator that would not
// start); a run that went badly is a Result, not an error.
func (r *Runner) Run(ctx context.Context) (*Result, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	env, err := setup(r.plan)
	if err != nil {
		return nil, err
	}
	r.env = env
	defer env.close()
	if err := r.expose(ctx, env); err != nil {
		return nil, err
	}
	r.ready(env)

	res := &Result{PublicURL: env.publicURL}
	r.start = time.Now()
	r.started.Store(&r.start)
	res.StartedAt = r.start
	hardCtx, hardCancel := context.WithCancel(ctx)
	defer hardCancel()
	startCtx, startCancel := context.WithCancel(hardCtx)
	defer startCancel()

	go r.watchStop(startCtx, startCancel)
	go r.watchAbort(startCtx, r.Stop)
	r.walk(startCtx, hardCtx, r.plan.Schedule())
	startCancel()
	r.drain(hardCancel)

	res.EndedAt = time.Now()
	res.Snapshot = r.rec.Snapshot(res.EndedAt.Sub(r.start))
	res.Webhook = env.receiverStats()
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
		if th.Abort {
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
		for _, res := range verdict.Evaluate(abort, r.rec.Snapshot(r.Elapsed())) {
			if !res.Pass {
				name := res.Name
				r.aborted.CompareAndSwap(nil, &name)
				r.log.Warn("abort threshold failed, stopping", "threshold", name, "observed", res.Observed)
				stop()
				return
			}
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

// environment is what a run talks through.
type environment struct {
	sim       *sim.Server
	receiver  *webhook.Receiver
	publicURL string // where the assistant is told to deliver replies
	client    *http.Client
	protocol  protocol.Protocol // how conversations talk to the assistant (protocol.go)
	tunnel    tunnel.Tunnel     // nil unless the plan asks for one
	llms      llmClients        // one client per llm block in use, shared by every user
}

// setup starts the simulator (when the plan has one) and the webhook
// receiver (when the target's protocol replies through callbacks), and
// builds the client and the protocol the conversations speak.
func setup(p *plan.Plan) (_ *environment, err error) {
	env := &environment{}
	defer func() {
		if err != nil {
			env.close()
		}
	}()
	if env.llms, err = newLLMClients(p); err != nil {
		return nil, err
	}
	url := p.Target.URL
	if p.Simulator != nil {
		env.sim, err = sim.Listen(p.Simulator.Listen, simOptions(p.Simulator, p.Seed))
		if err != nil {
			return nil, fmt.Errorf("cannot start the built-in simulator on %s: %w", p.Simulator.Listen, err)
		}
		url = env.sim.URL()
	}
	if !protocol.NeedsReceiver(p) { // http, openai: the reply is the response
		return env, env.connect(p, url)
	}
	env.receiver, err = webhook.Listen(p.Webhook.Listen)
	if err != nil {
		return nil, fmt.Errorf("cannot start the webhook receiver on %s: %w", p.Webhook.Listen, err)
	}
	env.publicURL = "http://" + env.receiver.Addr()
	if p.Webhook.PublicURL != "" {
		env.publicURL = p.Webhook.PublicURL
		env.receiver.SetPublicBase(p.Webhook.PublicURL)
	}
	return env, env.connect(p, url)
}

func simOptions(s *plan.Simulator, seed uint64) sim.Options {
	return sim.Options{
		Latency:       s.Latency,
		Jitter:        s.Jitter,
		PaymentDomain: s.PaymentDomain,
		ImageEvery:    s.ImageEvery,
		SplitEvery:    s.SplitEvery,
		FailRate:      s.FailRate,
		FailStatus:    s.FailStatus,
		DropRate:      s.DropRate,
		DuplicateRate: s.DuplicateRate,
		LateRate:      s.LateRate,
		LateDelay:     s.LateDelay,
		MalformedRate: s.MalformedRate,
		SlowPost:      s.SlowPost,
		Seed:          seed,
	}
}

func (e *environment) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if e.receiver != nil {
		_ = e.receiver.Close(ctx)
	}
	if e.tunnel != nil {
		_ = e.tunnel.Close() // after the receiver: it stopped serving the tunnel's listener
	}
	if e.sim != nil {
		_ = e.sim.Close()
	}
	e.llms.close()
	e.closeClient()
}
