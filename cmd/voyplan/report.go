package main

import (
	"fmt"
	"os"

	"github.com/voyplan/voyplan/engine/report"
	"github.com/voyplan/voyplan/engine/results"
)

func (a *app) report(args []string) error {
	fs := newFlagSet("report")
	maxConv := fs.Int("max-conversations", report.DefaultMaxConversations, "transcripts report.html carries (the ones that did not complete first); 0: none")
	if err := a.parseArgs(fs, args, 1, "DIR"); err != nil {
		return err
	}
	dir := results.At(fs.Arg(0))
	a.checkSummarySchema(dir)
	n := *maxConv
	if n == 0 {
		n = -1 // RenderOptions: negative is none, 0 the default
	}
	out, err := report.Render(dir, report.RenderOptions{MaxConversations: n})
	if err != nil {
		return withCode(exitError, err)
	}
	for _, m := range out.Missing {
		fmt.Fprintf(a.stderr, "voyplan: %s has no %s; the report is rendered without it\n", dir, m)
	}
	for _, f := range out.Files {
		fmt.Fprintln(a.stdout, f)
	}
	return nil
}

// checkSummarySchema warns when a run's summary.json does not match this
// version's schema (an older or hand-edited file): the report is still
// rendered from what is there.
func (a *app) checkSummarySchema(dir *results.Dir) {
	raw, err := os.ReadFile(dir.File(results.SummaryFile))
	if err != nil {
		return // Render reports it
	}
	if err := results.ValidateSummary(raw); err != nil {
		fmt.Fprintf(a.stderr, "voyplan: warning: %s: %v\n", dir.File(results.SummaryFile), err)
	}
}
