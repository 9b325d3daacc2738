// The `voyplan plan` output for open stages (arrival_rate): what an open
// plan can be expected to start.

package main

import (
	"fmt"
	"io"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/schedule"
)

// printOpenExpectations prints the bounds of an open plan: every arrival
// is a conversation with its own user, whatever became of the earlier ones.
func printOpenExpectations(w io.Writer, p *plan.Plan, s schedule.Schedule) {
	conv, turns := s.Started(), s.Started()*p.Conversation.MaxTurns
	fmt.Fprintf(w, "\n  %d conversations arrive over %s (arrival rate × duration), each with a fresh user\n", conv, fmtDur(s.Duration))
	fmt.Fprintf(w, "  at most %d in flight at once (max_users, per process with --segment); an arrival that finds them all busy is dropped (conversations.dropped)\n", s.Peak())
	fmt.Fprintf(w, "  up to %d conversations, up to %d customer turns\n", conv, turns)
	printLLMEstimates(w, p)
}
