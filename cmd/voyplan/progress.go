package main

import (
	"fmt"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/run"
)

// progress prints the run's state while it goes on: on a terminal one line
// refreshed in place every second, elsewhere (CI logs) a plain line every
// 10 seconds. The returned func stops it and waits for it.
func (a *app) progress(r *run.Runner, p *plan.Plan, quiet bool) func() {
	if quiet {
		return func() {}
	}
	every := 10 * time.Second
	if a.isTerminal {
		every = time.Second
	}
	total := p.Schedule().Duration
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				if a.isTerminal {
					fmt.Fprint(a.stderr, "\r\033[K")
				}
				return
			case <-t.C:
				a.progressLine(r, p, total)
			}
		}
	}()
	return func() { close(done); <-finished }
}

func (a *app) progressLine(r *run.Runner, p *plan.Plan, total time.Duration) {
	el := r.Elapsed()
	s := r.Recorder().Snapshot(el)
	c := s.Conversations
	stage := p.Stages[min(r.Stage(), len(p.Stages)-1)].Name
	line := fmt.Sprintf("%s/%s %s · users %d · conversations %d started, %d completed, %d failed · turns %d · reply p95 %s",
		fmtDur(el.Truncate(time.Second)), fmtDur(total), stage, s.Users, c.Started, c.Succeeded, c.Failed, c.Turns,
		s.Reply.P95.Round(100*time.Microsecond))
	if a.isTerminal {
		fmt.Fprintf(a.stderr, "\r\033[K%s", line)
		return
	}
	fmt.Fprintln(a.stderr, line)
}
