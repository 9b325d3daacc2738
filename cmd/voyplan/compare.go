package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/verdict"
)

func (a *app) compare(args []string) error {
	fs := newFlagSet("compare")
	limit := percentFlag(0.10)
	fs.Var(&limit, "max-regression", `largest regression tolerated, relative to BASE ("10%" or 0.1); beyond it the exit code is 2; 0: none tolerated`)
	confidence := fs.Float64("confidence", 0.99, "confidence of the noise bands")
	all := fs.Bool("all", false, "also list the metrics that are 0 in both runs")
	if err := a.parseArgs(fs, args, 2, "BASE", "NEW"); err != nil {
		return err
	}
	if *confidence <= 0 || *confidence >= 1 {
		return withCode(exitError, fmt.Errorf("--confidence must be between 0 and 1, got %v", *confidence))
	}
	base, err := results.LoadRunResults(fs.Arg(0))
	if err != nil {
		return withCode(exitError, err)
	}
	next, err := results.LoadRunResults(fs.Arg(1))
	if err != nil {
		return withCode(exitError, err)
	}
	for _, run := range fs.Args() {
		a.warnTorn(runDir(run))
	}
	a.noteSummaryOnly(base, next)
	c := verdict.Compare(base, next, verdict.CompareOptions{MaxRegression: float64(limit), Confidence: *confidence})
	if err := verdict.WriteComparison(a.stdout, c, verdict.TableOptions{Color: a.color(), All: *all}); err != nil {
		return withCode(exitError, err)
	}
	if len(c.OverLimit()) > 0 {
		return withCode(exitThreshold, nil)
	}
	return nil
}

// runDir is the run directory compare reads for path: path itself, or
// the directory of a summary.json.
func runDir(path string) *results.Dir {
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		return results.At(filepath.Dir(path))
	}
	return results.At(path)
}

// noteSummaryOnly says when latency bands come from summaries alone.
func (a *app) noteSummaryOnly(runs ...*verdict.RunResults) {
	for _, r := range runs {
		if r.Samples == nil {
			fmt.Fprintf(a.stderr, "voyplan: %s has no conversations.jsonl: its latency percentiles are judged from the summary alone (wider bands)\n", r.Path)
		}
	}
}

// percentFlag is a fraction given as "10%" or "0.1".
type percentFlag float64

func (p *percentFlag) String() string {
	return strconv.FormatFloat(100*float64(*p), 'f', -1, 64) + "%"
}

func (p *percentFlag) Set(s string) error {
	s = strings.TrimSpace(s)
	div := 1.0
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, div = t, 100
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("want a percentage such as 10%% or a fraction such as 0.1, got %q", s)
	}
	*p = percentFlag(v / div)
	return nil
}
