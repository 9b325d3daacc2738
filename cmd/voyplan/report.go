package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/report"
	"github.com/voyplan/voyplan/engine/results"
)

func (a *app) reportCmd() *cobra.Command {
	var maxConv int
	cmd := dirArgs(a.newCommand("report DIR", "render report.html, stats.csv, history.csv, failures.csv and junit.xml again from a run directory",
		exactArgs(1), func(args []string) error { return a.report(maxConv, args[0]) }))
	cmd.Flags().IntVar(&maxConv, "max-conversations", report.DefaultMaxConversations, "transcripts report.html carries (the ones that did not complete first); 0: none")
	return cmd
}

func (a *app) report(maxConv int, path string) error {
	dir := results.At(path)
	if dir.CanRebuild() {
		return a.rebuild(dir)
	}
	a.checkSummarySchema(dir)
	a.warnTorn(dir)
	n := maxConv
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

// warnTorn warns about the line files of a run directory that end in a
// torn line, which the readers skip.
func (a *app) warnTorn(dir *results.Dir) {
	for _, w := range dir.TornTails() {
		fmt.Fprintf(a.stderr, "voyplan: warning: %s\n", w)
	}
}

// rebuild finishes a run whose process died (no summary.json, a journal)
// from what it left on disk: conversations.jsonl with the conversations in
// flight as interrupted, summary.json (stop_reason crashed), the verdict
// and the reports. It exits as an interrupted apply does (130): the
// results are partial.
func (a *app) rebuild(dir *results.Dir) error {
	a.warnTorn(dir)
	rc, err := dir.Rebuild()
	if err != nil {
		return withCode(exitError, err)
	}
	ths, err := compileThresholds(rc.Thresholds, rc.Personas, dir.File(results.JournalFile))
	if err != nil {
		return withCode(exitError, err)
	}
	rb := rc.Rebuilt
	fmt.Fprintf(a.stderr, "voyplan: %s has no summary.json: its run did not end (killed or crashed). Rebuilt it from %s: "+
		"%d conversations recorded, %d in flight at the crash now interrupted with the turns that had ended\n",
		dir, rb.From, rb.Recorded, rb.InFlight)
	rc.Ending.Thresholds = ths
	return a.finish(dir, nil, rc.Ending, ended{signalled: func() bool { return true }})
}

// compileThresholds compiles thresholds as the plan had them (in the
// journal, or in a segment's summary.json for merge), as the plan's
// loader compiles them, resolving personas["…"] against the run's; from
// names the file they were read from.
func compileThresholds(in []results.JournalThreshold, personas []string, from string) ([]*plan.Threshold, error) {
	out := make([]*plan.Threshold, 0, len(in))
	for _, th := range in {
		t, err := plan.CompileCheck(plan.CheckSource{Name: th.Name, Check: th.Check, Abort: th.Abort,
			OnNoData: th.OnNoData, Personas: personas, Window: time.Duration(th.WindowMS * float64(time.Millisecond))})
		if err != nil {
			return nil, fmt.Errorf("%s: threshold %q cannot be judged again: %v", from, th.Name, err)
		}
		out = append(out, t)
	}
	return out, nil
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
