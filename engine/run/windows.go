package run

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/verdict"
)

// windower measures the windows of one length the plan's windowed
// thresholds are judged on: from the run's start, one every length, the
// last one ending with the run (after the graceful stop, so that what the
// conversations in flight recorded is in one). Its goroutine (run) is the
// only one to write last, prev and got; mu guards them against a live
// view reading them meanwhile (WindowsSoFar).
type windower struct {
	length time.Duration
	abort  []*plan.Threshold // the abort thresholds of this window
	mu     sync.Mutex
	last   metrics.Mark // where the window being measured began
	prev   metrics.Mark // where the one before it began
	got    []verdict.Window
}

// windowers returns one windower per distinct threshold window, each
// marked at the run's start.
func (r *Runner) windowers() []*windower {
	var out []*windower
	for _, th := range r.plan.Thresholds {
		if th.Window <= 0 {
			continue
		}
		i := slices.IndexFunc(out, func(w *windower) bool { return w.length == th.Window })
		if i < 0 {
			out = append(out, &windower{length: th.Window, last: r.rec.Mark(0)})
			i = len(out) - 1
		}
		if th.Abort {
			out[i].abort = append(out[i].abort, th)
		}
	}
	return out
}

// watchWindows runs the windowers until ctx ends, then closes each one's
// last window; it returns when they are all done.
func (r *Runner) watchWindows(ctx context.Context, ws []*windower) {
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Go(func() { r.runWindower(ctx, w) })
	}
	wg.Wait()
}

// runWindower closes a window at each multiple of its length from the
// run's start, and judges the window's abort thresholds on it: the first
// that fails on data stops the run.
func (r *Runner) runWindower(ctx context.Context, w *windower) {
	timer := time.NewTimer(time.Until(r.start.Add(w.length)))
	defer timer.Stop()
	for k := 2; ; k++ {
		select {
		case <-ctx.Done():
			w.closeLast(r.rec.Mark(r.Elapsed()))
			return
		case <-timer.C:
		}
		win := w.close(r.rec.Mark(r.Elapsed()))
		timer.Reset(time.Until(r.start.Add(time.Duration(k) * w.length)))
		if crossed := verdict.Crossed(verdict.Evaluate(w.abort, win.Snapshot)); len(crossed) > 0 {
			name := crossed[0].Name
			r.aborted.CompareAndSwap(nil, &name)
			r.log.Warn("abort threshold failed in a window, stopping", "threshold", name,
				"window_end", win.To.Round(time.Second), "observed", crossed[0].Observed)
			r.Stop()
		}
	}
}

// close ends the window at m and starts the next one there; a window of no
// time (the run ended on a boundary) is not kept.
func (w *windower) close(m metrics.Mark) verdict.Window {
	w.mu.Lock()
	defer w.mu.Unlock()
	win := windowOf(w.last, m)
	if m.At > w.last.At {
		w.got = append(w.got, win)
	}
	w.prev, w.last = w.last, m
	return win
}

// closeLast ends the run's last window at m. One shorter than half a
// window (the run's tail past its last boundary, a graceful stop's few
// seconds) is judged with the window before it, not alone: a tail of
// milliseconds holds too little to judge fairly, and nothing in it may go
// unjudged either.
func (w *windower) closeLast(m metrics.Mark) {
	w.mu.Lock()
	if n := len(w.got); n > 0 && m.At-w.last.At < w.length/2 {
		w.got[n-1] = windowOf(w.prev, m)
		w.mu.Unlock()
		return
	}
	w.mu.Unlock()
	w.close(m)
}

// WindowsSoFar are the windows of the plan's windowed thresholds as the
// run stands, for a live view: each length's closed windows and the one
// being measured, up to now (without distributions). Never nil, so that a
// windowed threshold judged on it before its first window ends has no
// data rather than no windows. Safe from any goroutine.
func (r *Runner) WindowsSoFar() verdict.Windows {
	out := verdict.Windows{}
	ws := r.windows.Load()
	if ws == nil {
		return out
	}
	for _, w := range *ws {
		w.mu.Lock()
		got, last := slices.Clone(w.got), w.last
		w.mu.Unlock()
		if now := r.rec.Mark(r.Elapsed()); now.At > last.At {
			got = append(got, verdict.Window{From: last.At, To: now.At, Snapshot: metrics.Window(last, now)})
		}
		out[w.length] = got
	}
	return out
}

// windowOf is the window between two marks, with its distributions for a
// merge of segments (none when they cannot be exported: such a window is
// judged here, and a merge then says it cannot).
func windowOf(from, to metrics.Mark) verdict.Window {
	part, err := metrics.WindowPart(from, to)
	if err != nil {
		return verdict.Window{From: from.At, To: to.At, Snapshot: metrics.Window(from, to)}
	}
	return verdict.Window{From: from.At, To: to.At, Snapshot: part.Snapshot, Distributions: part.Distributions}
}

// windowsOf is what the windowers measured, by length; nil for none.
func windowsOf(ws []*windower) verdict.Windows {
	if len(ws) == 0 {
		return nil
	}
	out := verdict.Windows{}
	for _, w := range ws {
		out[w.length] = w.got
	}
	return out
}

// newRecorder is the run's Recorder, goodput judged against turnSLO, the
// assistant's own tokens priced at price (nil: free).
func newRecorder(personas []string, turnSLO time.Duration, price *plan.AssistantPrice) *metrics.Recorder {
	rec := metrics.NewRecorder(personas)
	rec.SetTurnSLO(turnSLO)
	if price != nil {
		rec.SetAssistantPrice(metrics.Price{Input: price.Input, Output: price.Output})
	}
	return rec
}
