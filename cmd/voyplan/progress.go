package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-runewidth"

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
		width := 0
		if a.errWidth != nil {
			width = a.errWidth()
		}
		fmt.Fprintf(a.stderr, "\r\033[K%s", st.fit(a.errColor(), width))
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
	return strings.Join(s.parts(color, false), progressSep)
}

const progressSep = " · "

// fit renders the state in fewer than width columns (0: no limit), so the
// line never wraps and a redraw in place leaves nothing behind: the whole
// line, else its short form, else the short form without its least
// wanted parts (cost, the reply p95, users, ...: the turns as they happen
// stay), else what is left cut short.
//
//	0:12/0:30 hold · 6 users · 8 started, 5 ok, 0 failed · 96 turns · p95 248.1ms · $0
func (s progressState) fit(color bool, width int) string {
	if width <= 0 {
		return s.line(color)
	}
	limit := width - 1 // a character in the last column makes some terminals wrap
	if runewidth.StringWidth(s.line(false)) <= limit {
		return s.line(color)
	}
	if short := s.parts(false, true); runewidth.StringWidth(strings.Join(short, progressSep)) <= limit {
		return strings.Join(s.parts(color, true), progressSep)
	}
	plain, painted := s.parts(false, true), s.parts(color, true)
	for _, drop := range []string{"$", "p95 ", "users", "dropped", "started"} { // the least wanted first
		for i := range plain {
			if strings.Contains(plain[i], drop) {
				plain, painted = slices.Delete(plain, i, i+1), slices.Delete(painted, i, i+1)
				break
			}
		}
		if runewidth.StringWidth(strings.Join(plain, progressSep)) <= limit {
			return strings.Join(painted, progressSep)
		}
	}
	return runewidth.Truncate(strings.Join(plain, progressSep), limit, "…")
}

// parts are the pieces of the line, most wanted first; short is the
// narrow terminal's wording.
func (s progressState) parts(color, short bool) []string {
	c := s.snap.Conversations
	p95 := "-"
	if s.snap.Reply.Count-s.snap.Reply.Failed+s.snap.Reply.Censored > 0 { // anything timed, timed-out waits included
		p95 = verdict.FormatDuration(s.snap.Reply.P95)
	}
	failed := fmt.Sprintf("%d failed", c.Failed+c.Abandoned)
	if c.Failed+c.Abandoned > 0 {
		failed = paintIf(color, "31", failed)
	}
	count := func(name string, n any) string { // "users 6", or "6 users" in the short wording
		if short {
			return fmt.Sprintf("%v %s", n, name)
		}
		return fmt.Sprintf("%s %v", name, n)
	}
	parts := []string{
		fmt.Sprintf("%s/%s %s", clock(s.elapsed), clock(s.planned), paintIf(color, "36", s.stage)),
		count("users", s.snap.Users),
		fmt.Sprintf("%s%d started, %s, %s", pick(!short, "conversations "), c.Started,
			paintIf(color, "32", fmt.Sprintf("%d %s", c.Succeeded, pick(short, "ok", "completed"))), failed),
		count("turns", s.snap.Send.Count), // as they happen: every message sent, conversations in flight included
		pick(short, "p95 ", "reply p95 ") + p95,
		pick(!short, "cost ") + "$" + verdict.FormatFloat(s.snap.Cost.USD),
	}
	if c.Dropped > 0 { // open stages: arrivals that found max_users in flight
		parts = slices.Insert(parts, 3, paintIf(color, "31", fmt.Sprintf("%d dropped", c.Dropped)))
	}
	return parts
}

// pick is yes when cond holds, else no ("" when not given).
func pick(cond bool, yes string, no ...string) string {
	if cond {
		return yes
	}
	if len(no) > 0 {
		return no[0]
	}
	return ""
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
