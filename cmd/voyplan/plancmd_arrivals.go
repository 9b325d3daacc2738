// The `voyplan plan` output for open stages (arrival_rate): the arrivals
// table and what an open plan can be expected to start.

package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"

	"github.com/voyplan/voyplan/engine/plan"
)

// arrivalsTable prints a schedule of open stages (arrival_rate), one row
// per stage.
func arrivalsTable(w io.Writer, p *plan.Plan, s plan.Schedule) error {
	t := tablewriter.NewTable(w)
	t.Header("Stage", "From", "To", "Arrival rate", "Conversations", "Max in flight")
	for _, a := range s.Arrivals {
		if err := t.Append(p.Stages[a.Stage].Name, fmtDur(a.Start), fmtDur(a.Start+a.Duration),
			rateOf(a), strconv.Itoa(a.Count), strconv.Itoa(a.MaxUsers)); err != nil {
			return err
		}
	}
	return t.Render()
}

// rateOf is a stage's arrival rate as the table shows it: "3/s", or
// "1→3/s over 30s" when it ramps.
func rateOf(a plan.Arrivals) string {
	if a.Ramp > 0 {
		return fmt.Sprintf("%g→%g/s over %s", a.From, a.Rate, fmtDur(a.Ramp))
	}
	return fmt.Sprintf("%g/s", a.Rate)
}

// printOpenExpectations prints the bounds of an open plan: every arrival
// is a conversation with its own user, whatever became of the earlier ones.
func printOpenExpectations(w io.Writer, p *plan.Plan, s plan.Schedule) {
	conv, turns := s.Started(), s.Started()*p.Conversation.MaxTurns
	fmt.Fprintf(w, "\n  %d conversations arrive over %s (arrival rate × duration), each with a fresh user\n", conv, fmtDur(s.Duration))
	fmt.Fprintf(w, "  at most %d in flight at once (max_users, per process with --segment); an arrival that finds them all busy is dropped (conversations.dropped)\n", s.Peak())
	fmt.Fprintf(w, "  up to %d conversations, up to %d customer turns\n", conv, turns)
	printLLMEstimates(w, p)
}
