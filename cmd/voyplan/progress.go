package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/run"
	"github.com/voyplan/voyplan/engine/verdict"
)

// Progress intervals: one line refreshed in place on a terminal, one plain
// line now and then in a CI log.
const (
	progressTerminal = time.Second
	progressPlain    = 10 * time.Second
)

// progress prints the run's state while it goes on: on a terminal one line
// refreshed in place every second, elsewhere (CI logs) a plain line every
// 10 seconds, never coloured there — and, quiet or not, the run's notices
// (the first of each distinct error, an assistant that looks down) as
// lines of their own the moment they happen. The returned func stops it
// and waits for it.
func (a *app) progress(r *run.Runner, p *plan.Plan, quiet bool) func() {
	var mu sync.Mutex // one writer of stderr at a time: a notice clears the line being redrawn
	r.OnNotice(func(n run.Notice) {
		mu.Lock()
		defer mu.Unlock()
		a.printNotice(r, n)
	})
	if quiet {
		return func() {}
	}
	every := progressPlain
	if a.errTerminal {
		every = progressTerminal
	}
	total := p.Schedule().Duration
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				if a.errTerminal {
					mu.Lock()
					fmt.Fprint(a.stderr, "\r\033[K")
					mu.Unlock()
				}
				return
			case <-t.C:
				mu.Lock()
				a.printProgress(r, p, total)
				mu.Unlock()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// printNotice writes a notice on a line of its own (over the progress
// line on a terminal, which the next tick redraws): an error with its
// count so far, an assistant that looks down in red.
func (a *app) printNotice(r *run.Runner, n run.Notice) {
	if a.errTerminal {
		fmt.Fprint(a.stderr, "\r\033[K")
	}
	switch n.Kind {
	case run.NoticeDown:
		fmt.Fprintf(a.stderr, "voyplan: %s\n", paintIf(a.errColor(), "1;31", "WARNING: "+n.Text))
	default:
		fmt.Fprintf(a.stderr, "voyplan: error: %s — %d so far (the first; the next are counted, see the errors table)\n",
			n.Text, r.Recorder().ErrorSoFar(n.Error, n.Message))
	}
}

func (a *app) printProgress(r *run.Runner, p *plan.Plan, total time.Duration) {
	el := r.Elapsed()
	st := progressState{
		elapsed: el,
		planned: total,
		stage:   stageName(p, r.Stage(), el >= total),
		snap:    r.Recorder().Snapshot(el),
	}
	if a.errTerminal {
		fmt.Fprintf(a.stderr, "\r\033[K%s", st.line(a.errColor()))
		return
	}
	fmt.Fprintln(a.stderr, st.line(false))
}

// stageName is the stage the schedule is in, or "draining" once the stages
// are over and conversations in flight are finishing.
func stageName(p *plan.Plan, i int, over bool) string {
	if over {
		return "draining"
	}
	if len(p.Stages) == 0 {
		return ""
	}
	return p.Stages[min(max(i, 0), len(p.Stages)-1)].Name
}

// progressState is what one progress line shows.
type progressState struct {
	elapsed, planned time.Duration
	stage            string
	snap             metrics.Snapshot
}

// line renders the state, with ANSI colours when color is set:
//
//	0:12/0:30 hold · users 6 · conversations 8 started, 5 completed, 0 failed · turns 96 · reply p95 248.1ms · cost $0
func (s progressState) line(color bool) string {
	c := s.snap.Conversations
	p95 := "-"
	if s.snap.Reply.Count-s.snap.Reply.Failed+s.snap.Reply.Censored > 0 { // anything timed, timed-out waits included
		p95 = verdict.FormatDuration(s.snap.Reply.P95)
	}
	failed := fmt.Sprintf("%d failed", c.Failed+c.Abandoned)
	if c.Failed+c.Abandoned > 0 {
		failed = paintIf(color, "31", failed)
	}
	parts := []string{
		fmt.Sprintf("%s/%s %s", clock(s.elapsed), clock(s.planned), paintIf(color, "36", s.stage)),
		fmt.Sprintf("users %d", s.snap.Users),
		fmt.Sprintf("conversations %d started, %s, %s", c.Started, paintIf(color, "32", fmt.Sprintf("%d completed", c.Succeeded)), failed),
		fmt.Sprintf("turns %d", s.snap.Send.Count), // as they happen: every message sent, conversations in flight included
		"reply p95 " + p95,
		"cost $" + verdict.FormatFloat(s.snap.Cost.USD),
	}
	if c.Dropped > 0 { // open stages: arrivals that found max_users in flight
		parts = slices.Insert(parts, 3, paintIf(color, "31", fmt.Sprintf("%d dropped", c.Dropped)))
	}
	return strings.Join(parts, " · ")
}

// clock is d as m:ss (h:mm:ss past an hour).
func clock(d time.Duration) string {
	sec := int(d.Truncate(time.Second).Seconds())
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

func paintIf(on bool, code, s string) string {
	if !on {
		return s
	}
	return "\033[" + code + "m" + s + "\033[0m"
}
