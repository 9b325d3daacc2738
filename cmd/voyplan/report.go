package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/voyplan/voyplan/engine/report"
)

func (a *app) report(args []string) error {
	fs := newFlagSet("report")
	maxConv := fs.Int("max-conversations", report.DefaultMaxConversations, "transcripts report.html carries (the ones that did not complete first); 0: none")
	if err := a.parseArgs(fs, args, 1, "DIR"); err != nil {
		return err
	}
	dir := fs.Arg(0)
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
func (a *app) checkSummarySchema(dir string) {
	raw, err := os.ReadFile(filepath.Join(dir, report.SummaryFile))
	if err != nil {
		return // Render reports it
	}
	if err := report.ValidateSummary(raw); err != nil {
		fmt.Fprintf(a.stderr, "voyplan: warning: %s: %v\n", filepath.Join(dir, report.SummaryFile), err)
	}
}

// renderResults writes what apply renders from the run's files (CSV, JUnit,
// HTML) once summary.json and conversations.jsonl are complete; histErr is
// the last write of history.json.
func renderResults(dir string, histErr error) error {
	if histErr != nil {
		return fmt.Errorf("cannot write history.json: %w", histErr)
	}
	if _, err := report.Render(dir, report.RenderOptions{}); err != nil {
		return fmt.Errorf("cannot render the results: %w", err)
	}
	return nil
}
