package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/voyplan/voyplan/engine/dashboard"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/rig"
	"github.com/voyplan/voyplan/engine/run"
	"github.com/voyplan/voyplan/engine/verdict"
)

type applyFlags struct {
	vars     *varFlags // -var, -var-file
	out      string
	quiet    bool
	logLevel string
	grace    time.Duration
	over     *overrides
	ui       uiFlag // --ui [ADDR]: the live dashboard (ui.go)
	segment  segmentFlag
	// thresholdExit is --exit-code-on-threshold: the exit code when the run
	// completed but a threshold failed.
	thresholdExit int
	cpuprof       string     // --cpuprofile FILE
	live          *liveFlags // --prometheus-rw, --metrics-listen (live.go)
}

func (a *app) applyCmd() *cobra.Command {
	var f applyFlags
	cmd := planArg(a.newCommand("apply PLAN", "run a plan; print the verdict; write the results", nil,
		func(args []string) error { return a.apply(f, args[0]) }))
	fs := cmd.Flags()
	f.vars = addVarFlags(fs)
	fs.StringVarP(&f.out, "out", "o", "", "directory for the results (default runs/<plan>-<timestamp>)")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress lines while the run goes on")
	fs.StringVarP(&f.logLevel, "log-level", "L", "info", "run.log detail: debug, info, warn, error")
	secondsVar(fs, &f.grace, "graceful-stop", "", 30*time.Second, "how long conversations in flight at the end of the stages may go on: 30 (seconds), 1m")
	fs.StringVar(&f.cpuprof, "cpuprofile", "", "write a CPU profile of the run to `FILE` (go tool pprof reads it)")
	f.over = addOverrideFlags(fs)
	fs.Var(&f.segment, "segment", "run only slice `I/N` of the virtual users (e.g. 2/8), for one plan spread over N machines; voyplan merge combines the results. auto or auto/N: I is JOB_COMPLETION_INDEX+1 (a Kubernetes Indexed Job), N from the flag or VOYPLAN_SEGMENTS")
	fs.IntVar(&f.thresholdExit, "exit-code-on-threshold", exitThreshold, "exit code when the run completed but a threshold failed (Locust's --exit-code-on-error); 0 for a segment in a Kubernetes Job, whose own verdict judges only its slice — merge judges the run")
	f.live = addLiveFlags(fs)
	fs.Var(&f.ui, "ui", "serve the live dashboard, to watch and steer the run: --ui (on "+dashboard.DefaultAddr+"), --ui ADDR or --ui=ADDR")
	fs.Lookup("ui").NoOptDefVal = dashboard.DefaultAddr
	return cmd
}

// apply runs the plan in file as the flags f say.
func (a *app) apply(f applyFlags, file string) error {
	if err := f.segment.resolve(a.getenv); err != nil {
		return withCode(exitError, err)
	}
	p, err := a.loadPlan(file, f.vars)
	if err != nil {
		return err
	}
	if err := f.over.apply(p); err != nil {
		return withCode(exitError, err)
	}
	if err := checkRunnable(p); err != nil {
		return withCode(exitError, err)
	}
	if err := rig.Check(p); err != nil { // before anything starts: the ngrok token, the open-file limit
		return withCode(exitError, err)
	}
	if !f.segment.Whole() && !p.SeedFromFile {
		fmt.Fprintf(a.stderr, "voyplan: warning: plan %q has seed = 0, so each segment draws its own random seed: the machines' users will not be the users one run would have had. Set a seed in the plan block to make segments reproducible.\n", p.Name)
	}
	if err := f.ui.listen(); err != nil { // a dashboard port in use, before anything starts too
		return withCode(exitError, err)
	}
	defer f.ui.release()
	stop, err := startCPUProfile(f.cpuprof)
	if err != nil {
		return withCode(exitError, err)
	}
	runErr := a.execute(p, f)
	if err := stop(); err != nil && runErr == nil {
		return withCode(exitError, err)
	}
	return runErr
}

// checkRunnable catches what validate accepts but a run cannot do: an llm
// block in use without its key (validate passes without one).
func checkRunnable(p *plan.Plan) error {
	return p.CheckKeys()
}

// execute runs the plan and writes everything, whatever happens to the run.
// A run that could not start (a port in use) leaves nothing behind.
func (a *app) execute(p *plan.Plan, f applyFlags) error {
	dir, err := results.Create(f.out, p.Name, time.Now())
	if err != nil {
		return withCode(exitError, err)
	}
	var (
		sinks   *results.Sinks
		logFile io.Closer
		started bool
	)
	defer func() {
		if !started {
			a.abandon(dir, sinks, logFile)
		}
	}()
	sinks, err = dir.OpenSinks(results.JournalRunOf(p, voyplanVersion(), f.segment.summary(), time.Now()))
	if err != nil {
		return withCode(exitError, err)
	}
	defer sinks.Close()
	logFile, log, err := openRunLog(dir, f.logLevel, p.Redact)
	if err != nil {
		return withCode(exitError, err)
	}
	defer logFile.Close()

	tracer, err := a.startTracing(p, dir, f.segment.Segment, log) // trace.go
	if err != nil {
		return withCode(exitError, err)
	}

	// The run itself.
	opts := run.Options{Sink: sinks, Journal: sinks, Late: sinks.Late, Log: log, GracefulStop: f.grace, Ready: a.announcer(p), Segment: f.segment.Segment,
		SinkFailed: a.resultsLost, Tracer: tracer}
	f.ui.prepare(p, &opts)
	r := run.New(p, opts)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	interrupted := a.handleSignals(r, cancel)
	fmt.Fprintf(a.stderr, "voyplan: applying plan %q (seed %d%s); results in %s\n", p.Name, p.Seed, f.segment.describe(p), dir)
	ui, err := a.startUI(&f.ui, p, r, opts.Inspector, log)
	if err != nil {
		return withCode(exitError, err)
	}
	defer ui.close()
	lv, err := a.startLive(f.live, p, r, dir, f.segment.Segment, log)
	if err != nil {
		return withCode(exitError, err)
	}
	defer lv.close()
	stopProgress := a.progress(r, p, f.quiet)
	sinks.RecordHistory(dir, r.Recorder(), r.Elapsed, log)
	res, runErr := r.Run(ctx)
	stopProgress()
	// What the conversations held is garbage now, and judging the run and
	// rendering its reports (which read the results back) allocate anew:
	// the memory goes back to the system first, so the process's peak is
	// the run's, not the run's with the reports' on top (BENCH.md, memory:
	// +10-14 MiB at 10,000 conversations).
	debug.FreeOSMemory()
	a.endTracing(tracer, log)
	if res == nil { // it never started (a port in use): leave nothing behind
		return withCode(exitError, runErr)
	}
	started = true
	sinks.StopHistory(r.Elapsed())
	lv.end() // every user has stopped: the last push carries the run's final figures

	signalled := func() bool { return interrupted() || ui.stoppedFromPage() }
	reason := stopReason(runErr, interrupted(), ui.stoppedFromPage(), res)
	return a.finish(dir, sinks, a.endingOf(p, f, r, res, reason), ended{runErr: runErr, signalled: signalled, aborted: res.Aborted, ui: ui,
		thresholdExit: &f.thresholdExit})
}

// endingOf is what finish writes and judges of a run that went on.
func (a *app) endingOf(p *plan.Plan, f applyFlags, r *run.Runner, res *run.Result, reason string) results.Ending {
	return results.Ending{
		Run: results.Run{
			Plan:        results.PlanInfoOf(p),
			Version:     voyplanVersion(),
			StartedAt:   res.StartedAt,
			EndedAt:     res.EndedAt,
			Interrupted: res.Interrupted,
			StopReason:  reason,
			AbortedBy:   res.Aborted,
			Steering:    r.Steering(),
			Segment:     f.segment.summary(),

			Distributions: a.distributions(r.Recorder()),
		},
		Snapshot:   res.Snapshot,
		Thresholds: p.Thresholds,
		Windows:    res.Windows,
		Capacity:   res.Capacity,
	}
}

// resultsLost says on the terminal, at once, that the run is stopping
// because its results cannot be recorded (the run says it in run.log).
func (a *app) resultsLost(err error) {
	fmt.Fprintf(a.stderr, "\nvoyplan: cannot record the results: %v\n"+
		"voyplan: no more conversations start; the run stops after the turns in flight, and its verdict will be INVALID\n", err)
}

// abandon takes back the results directory of a run that could not start,
// so that the same command can be run again once the cause is fixed.
func (a *app) abandon(dir *results.Dir, sinks *results.Sinks, logFile io.Closer) {
	if sinks != nil {
		sinks.CancelHistory()
		_ = sinks.Close()
	}
	if logFile != nil {
		_ = logFile.Close()
	}
	if err := dir.Abandon(); err != nil {
		fmt.Fprintf(a.stderr, "voyplan: warning: cannot remove what the failed start left in %s: %v\n", dir, err)
	}
}

// stopReason says how the run ended, for summary.json.
func stopReason(runErr error, signalled, fromPage bool, res *run.Result) string {
	switch {
	case runErr != nil:
		return results.StopError
	case res.Aborted != "":
		return results.StopAbort
	case fromPage:
		return results.StopDashboard
	case signalled:
		return results.StopSignal
	}
	return results.StopCompleted
}

func exitFor(runErr error, interrupted bool, aborted string, judged []verdict.Result) error {
	switch {
	case runErr != nil:
		return withCode(exitError, runErr)
	case interrupted:
		return withCode(exitInterrupted, nil)
	case aborted != "":
		return withCode(exitThreshold, fmt.Errorf("run aborted: threshold %q failed", aborted))
	case !verdict.Passed(judged):
		return withCode(exitThreshold, nil)
	}
	return nil
}

// handleSignals: the first SIGINT/SIGTERM stops the run gracefully, the
// second cancels it at once. The returned func reports whether any came.
func (a *app) handleSignals(r *run.Runner, cancel context.CancelFunc) func() bool {
	sig, stop := a.notify()
	var got atomic.Bool
	go func() {
		defer stop()
		if _, ok := <-sig; !ok {
			return
		}
		got.Store(true)
		fmt.Fprintln(a.stderr, "\nvoyplan: interrupted — finishing the turns in flight and writing results (Ctrl-C again to stop at once)")
		r.Stop()
		if _, ok := <-sig; ok {
			fmt.Fprintln(a.stderr, "voyplan: stopping now")
			cancel()
		}
	}()
	return got.Load
}

// openRunLog opens run.log in the results directory.
func openRunLog(dir *results.Dir, level string, redact func(string) string) (io.WriteCloser, *slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, nil, fmt.Errorf("--log-level: %w", err)
	}
	f, err := os.Create(dir.File(results.RunLogFile))
	if err != nil {
		return nil, nil, fmt.Errorf("cannot create run.log: %w", err)
	}
	return f, slog.New(slog.NewTextHandler(redactingWriter{f, redact}, &slog.HandlerOptions{Level: lv})), nil
}

// redactingWriter passes every write through redact: run.log never holds
// the value of a sensitive variable, whatever logged it. slog's text
// handler writes one whole record per Write, so a value is never split
// across two.
type redactingWriter struct {
	w      io.Writer
	redact func(string) string
}

func (r redactingWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(r.w, r.redact(string(b))); err != nil {
		return 0, err
	}
	return len(b), nil
}
