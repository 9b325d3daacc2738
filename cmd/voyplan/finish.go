package main

import (
	"fmt"

	"github.com/voyplan/voyplan/engine/report"
	"github.com/voyplan/voyplan/engine/results"
)

// ended is what the exit code of a finished run depends on besides its
// verdict; the zero value is a merge's: nothing failed, nothing stopped it.
type ended struct {
	runErr    error
	signalled func() bool // a signal or the page stopped the run; nil: no
	aborted   string      // the abort threshold that stopped the run
	ui        *uiServer
	// thresholdExit replaces exitThreshold when a threshold failed
	// (apply --exit-code-on-threshold); nil: exitThreshold.
	thresholdExit *int
}

// finish ends a run (apply) or the merge of its segments (merge) the one
// same way: results.Finish judges it, prints the verdict, writes
// summary.json, closes the sinks and renders the reports; then the results
// directory is printed, the live page told, and the exit code chosen.
func (a *app) finish(dir *results.Dir, sinks *results.Sinks, e results.Ending, end ended) error {
	e.Color = a.color()
	out, flush := fitted(a.stdout, a.stdoutWidth()) // the tables fit the terminal
	f, err := dir.Finish(out, e, sinks, renderReports)
	if err := flush(); err != nil && f != nil {
		return withCode(exitError, err)
	}
	if err != nil {
		return withCode(exitError, err)
	}
	fmt.Fprintf(a.stdout, "\nresults: %s\n", dir)
	end.ui.finish(f.Summary, f.Results, f.Verdict, dir.Path())
	if f.Verdict.Invalid != "" && end.runErr == nil { // a merge of a segment that lost results
		return withCode(exitError, fmt.Errorf("the verdict is INVALID: %s", f.Verdict.Invalid))
	}
	signalled := end.signalled != nil && end.signalled()
	err = exitFor(end.runErr, signalled, end.aborted, f.Results)
	if c, ok := err.(*codedError); ok && c.code == exitThreshold && c.err == nil && end.thresholdExit != nil {
		return withCode(*end.thresholdExit, nil) // a failed threshold (not an abort), as the flag asks
	}
	return err
}

// renderReports writes what report renders from a finished run's files
// (CSV, JUnit, HTML).
func renderReports(dir *results.Dir) error {
	if _, err := report.Render(dir, report.RenderOptions{}); err != nil {
		return fmt.Errorf("cannot render the results: %w", err)
	}
	return nil
}
