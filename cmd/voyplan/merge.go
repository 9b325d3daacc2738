package main

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
)

// merge combines the result directories of a run's segments (apply
// --segment I/N on several machines) into one: summary.json with the
// thresholds judged again on the merged metrics, conversations.jsonl,
// late.jsonl, history.json, and what report renders from them. It prints
// the verdict apply prints and exits as apply does: 0 every threshold held,
// 2 one failed, 1 the segments could not be merged.
func (a *app) mergeCmd() *cobra.Command {
	var out string
	cmd := dirArgs(a.newCommand("merge RUN_DIR...", "combine the results of a run's segments (apply --segment I/N) into one verdict",
		cobra.ArbitraryArgs, func(args []string) error { return a.merge(&out, args) }))
	cmd.Flags().StringVarP(&out, "out", "o", "", "directory for the merged results (default runs/<plan>-merged-<timestamp>)")
	return cmd
}

func (a *app) merge(out *string, args []string) error {
	if len(args) == 0 {
		return withCode(exitError, fmt.Errorf("merge takes the results directories of a run's segments, got none (see 'voyplan merge --help')"))
	}
	runs := make([]*results.SegmentRun, len(args))
	for i, dir := range args {
		r, err := results.ReadSegment(dir)
		if err != nil {
			return withCode(exitError, err)
		}
		a.warnTorn(results.At(dir))
		runs[i] = r
	}
	m, err := results.Merge(runs)
	if err != nil {
		return withCode(exitError, err)
	}
	for _, n := range m.Notes {
		fmt.Fprintf(a.stderr, "voyplan: warning: %s\n", n)
	}
	ths, err := thresholdsOf(m.Runs[0], slices.Sorted(maps.Keys(m.Metrics.Snapshot.Personas)))
	if err != nil {
		return withCode(exitError, err)
	}
	dir, err := results.Create(*out, m.Runs[0].Summary.Plan.Name+"-merged", time.Now())
	if err != nil {
		return withCode(exitError, err)
	}
	n, err := m.WriteData(dir.Path())
	if err != nil {
		return withCode(exitError, err)
	}
	fmt.Fprintf(a.stderr, "voyplan: merged %d of %d segments of plan %q: %d conversations\n",
		len(m.Runs), m.Runs[0].Summary.Segment.Count, m.Runs[0].Summary.Plan.Name, n)
	windows, err := m.Windows() // nil when a segment has none: its windowed thresholds are an error
	if err != nil {
		return withCode(exitError, err)
	}
	return a.finish(dir, nil, results.Ending{Run: m.Run(), Snapshot: m.Metrics.Snapshot, Thresholds: ths, Windows: windows}, ended{})
}

// thresholdsOf compiles the thresholds a segment's summary recorded, with
// the checks as the plan had them, as the plan's loader compiles them: the
// personas they name resolved among the run's (every persona of the plan
// is in each segment's metrics, drawn or not; none in a summary older
// than that: not checked).
func thresholdsOf(r *results.SegmentRun, personas []string) ([]*plan.Threshold, error) {
	if len(personas) == 0 {
		personas = nil
	}
	srcs := make([]results.JournalThreshold, len(r.Summary.Thresholds))
	for i, th := range r.Summary.Thresholds {
		srcs[i] = results.JournalThreshold{Name: th.Name, Check: th.Check, Abort: th.Abort, OnNoData: th.OnNoData,
			WindowMS: th.WindowMS}
	}
	return compileThresholds(srcs, personas, filepath.Join(r.Dir, results.SummaryFile)) // report.go
}

// distributions exports a run's latency distributions for summary.json.
// Without them the run cannot be merged, but it is still a run, so a
// failure (encoding into memory cannot really fail) is only a warning.
func (a *app) distributions(rec *metrics.Recorder) map[string]metrics.Distribution {
	ds, err := rec.Distributions()
	if err != nil {
		fmt.Fprintf(a.stderr, "voyplan: warning: %v; summary.json is written without the distributions merge needs\n", err)
		return nil
	}
	return ds
}
