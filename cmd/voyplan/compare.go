package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/names"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/verdict"
)

func (a *app) compareCmd() *cobra.Command {
	var f compareFlags
	cmd := dirArgs(a.newCommand("compare BASE NEW", "compare two runs; exit 2 on a regression of a gated metric past the noise and the minimum change",
		exactArgs(2), func(args []string) error { return a.compare(f, args) }))
	fs := cmd.Flags()
	def := verdict.DefaultMinEffect()
	f.minChange = percentFlag(def.Relative)
	fs.Var(&f.minChange, "min-change", `smallest change of a timing, relative to BASE ("10%" or 0.1), that counts as a regression or an improvement`)
	fs.Var(&f.minChange, "max-regression", "the former name of --min-change")
	_ = fs.MarkHidden("max-regression") // still taken; --help shows each flag once
	f.minMS = fs.Float64("min-ms", def.TimingMS, "smallest change of a timing, in milliseconds, that counts")
	f.minPoints = fs.Float64("min-points", 100*def.RatePoints, "smallest change of a rate (success, error), in percentage points, that counts")
	f.gate = fs.String("gate", "", `the metrics whose regression exits 2, comma-separated ("reply.p95,conversations.success_rate"; "reply" gates every reply timing); "all": every metric; default: those the runs' thresholds read`)
	f.confidence = fs.Float64("confidence", 0.99, "confidence of the noise bands")
	f.all = fs.Bool("all", false, "also list the metrics that are 0 in both runs")
	return cmd
}

// compareFlags are compare's flags.
type compareFlags struct {
	minChange                    percentFlag
	minMS, minPoints, confidence *float64
	gate                         *string
	all                          *bool
}

func (a *app) compare(f compareFlags, args []string) error {
	minChange, minMS, minPoints, gate, confidence, all := f.minChange, f.minMS, f.minPoints, f.gate, f.confidence, f.all
	if *confidence <= 0 || *confidence >= 1 {
		return withCode(exitError, fmt.Errorf("--confidence must be between 0 and 1, got %v", *confidence))
	}
	if minChange < 0 || *minMS < 0 || *minPoints < 0 {
		return withCode(exitError, fmt.Errorf("--min-change, --min-ms and --min-points must be 0 or more"))
	}
	base, err := results.LoadRunResults(args[0])
	if err != nil {
		return withCode(exitError, err)
	}
	next, err := results.LoadRunResults(args[1])
	if err != nil {
		return withCode(exitError, err)
	}
	for _, run := range args {
		a.warnTorn(runDir(run))
	}
	a.noteSummaryOnly(base, next)
	gates, err := a.gateOf(*gate, base, next)
	if err != nil {
		return withCode(exitError, err)
	}
	c := verdict.Compare(base, next, verdict.CompareOptions{
		MinEffect:  verdict.MinEffect{Relative: float64(minChange), TimingMS: *minMS, RatePoints: *minPoints / 100},
		Gate:       gates,
		Confidence: *confidence,
	})
	out, flush := fitted(a.stdout, a.stdoutWidth()) // the table fits the terminal
	err = verdict.WriteComparison(out, c, verdict.TableOptions{Color: a.color(), All: *all})
	if err := flush(); err != nil {
		return withCode(exitError, err)
	}
	if err != nil {
		return withCode(exitError, err)
	}
	if len(c.Failing()) > 0 {
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

// gateOf is the metrics a comparison gates on: those --gate names, every
// one for "all" (nil), and by default those the thresholds of the runs read
// (from their summaries), or every one when they have none.
func (a *app) gateOf(flag string, runs ...*verdict.RunResults) ([]string, error) {
	switch flag = strings.TrimSpace(flag); flag {
	case "all":
		return nil, nil
	case "":
	default:
		var names []string
		for _, n := range strings.Split(flag, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
		return names, nil
	}
	gates := []string{}
	checks := 0
	for _, r := range runs {
		for _, check := range r.Checks {
			checks++
			th, err := plan.CompileCheck(plan.CheckSource{Name: "gate", Check: check})
			if err != nil {
				return nil, fmt.Errorf("%s: threshold check %q cannot be read for --gate: %w", r.Path, check, err)
			}
			for _, rd := range th.Reads {
				for _, g := range gateNames(rd) {
					if !slices.Contains(gates, g) {
						gates = append(gates, g)
					}
				}
			}
		}
	}
	if checks == 0 {
		fmt.Fprintf(a.stderr, "voyplan: the runs judged no thresholds: every metric is gated (--gate names some)\n")
		return nil, nil
	}
	fmt.Fprintf(a.stderr, "voyplan: gating on what the thresholds read: %s (--gate changes it)\n", strings.Join(gates, ", "))
	return gates, nil
}

// gateNames are the comparison's names of what a check reads:
// personas.edman.success_rate for personas["edman"].success_rate, and the
// rate compare judges for a count it does not (a check on reply.failed
// gates reply.error_rate, one on conversations.failed the success rate).
func gateNames(r names.Read) []string {
	parts := []string{r.Metric}
	if r.Key != "" {
		parts = append(parts, r.Key)
	}
	prefix := strings.Join(parts, ".")
	if r.Field == "" {
		return []string{prefix}
	}
	names := []string{prefix + "." + r.Field}
	conversations := r.Metric == "conversations" || r.Metric == "personas"
	switch {
	case conversations && slices.Contains([]string{"succeeded", "failed", "abandoned"}, r.Field):
		names = append(names, prefix+".success_rate")
	case !conversations && slices.Contains([]string{"count", "failed"}, r.Field):
		names = append(names, prefix+".error_rate")
	}
	return names
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

func (p *percentFlag) Type() string { return "percent" }

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
