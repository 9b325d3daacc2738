package verdict

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// TableOptions tune WriteComparison.
type TableOptions struct {
	Color bool // ANSI colours
	All   bool // also the metrics that are 0 in both runs
}

// WriteComparison writes the comparison as a table — every metric, base,
// new, the change, the noise band and the verdict — and a closing line.
// Metrics that are 0 in both runs are left out unless o.All is set, and
// counted under the table.
func WriteComparison(w io.Writer, c *Comparison, o TableOptions) error {
	color := o.Color
	if _, err := fmt.Fprintf(w, "base: %s\nnew:  %s\n", c.Base, c.New); err != nil {
		return err
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: []tw.Align{tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignLeft}}),
	)
	t.Header("Metric", "Base", "New", "Change", fmt.Sprintf("Noise (%.0f%%)", 100*c.Confidence), "Verdict")
	idle := 0
	for _, r := range c.Rows {
		if r.Idle() && !o.All && r.Verdict == NotJudged {
			idle++
			continue
		}
		if err := t.Append([]string{r.Metric, value(r.Base, r.Unit), value(r.New, r.Unit), change(r), band(r), rowVerdict(r, color)}); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if idle > 0 {
		if _, err := fmt.Fprintf(w, "(%d metrics at 0 in both runs not shown; --all shows them)\n", idle); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(w, "\n%s\n", strings.Join(groups(c), "\n")); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, closingLine(c, color))
	return err
}

// groups are the three lines that sort the judged changes: regressed
// (gated or not), improved, changed within the noise.
func groups(c *Comparison) []string {
	var regressed []string
	for _, r := range c.Regressions() {
		note := "gated"
		if !r.Gated {
			note = "not gated"
		}
		regressed = append(regressed, fmt.Sprintf("%s %s (%s)", r.Metric, changeOf(r), note))
	}
	var improved, noise []string
	for _, r := range c.Improvements() {
		improved = append(improved, r.Metric+" "+changeOf(r))
	}
	for _, r := range c.WithinNoise() {
		noise = append(noise, r.Metric+" "+changeOf(r))
	}
	return []string{
		"Regressed: " + listOrNone(regressed),
		"Improved: " + listOrNone(improved),
		"Changed within noise: " + listOrNone(noise),
	}
}

// changeOf is a row's change as a person reads it: relative for a timing,
// in points for a rate.
func changeOf(r Row) string {
	if r.rate {
		return fmt.Sprintf("%+.1f points", 100*(r.New-r.Base))
	}
	return change(r)
}

func listOrNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}

func value(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case unit == "ms":
		return FormatDuration(time.Duration(math.Round(v * float64(time.Millisecond))))
	case unit == "usd":
		return "$" + strconv.FormatFloat(v, 'f', -1, 64)
	}
	return FormatFloat(v)
}

func change(r Row) string {
	switch {
	case math.IsNaN(r.Change):
		return "-"
	case r.Change == 0:
		return "0"
	case math.IsInf(r.Change, 0):
		return "new"
	}
	return pct(r.Change)
}

// band is the noise band of the change, relative to the base like the
// change (absolute when the base is 0).
func band(r Row) string {
	if r.Method == "" {
		return ""
	}
	if r.Base == 0 {
		return fmt.Sprintf("%s…%s", signed(r.Low), signed(r.High))
	}
	return fmt.Sprintf("%s…%s", pct(r.Low/math.Abs(r.Base)), pct(r.High/math.Abs(r.Base)))
}

func pct(f float64) string { return fmt.Sprintf("%+.1f%%", 100*f) }

func signed(f float64) string {
	if f >= 0 {
		return "+" + FormatFloat(f)
	}
	return FormatFloat(f)
}

func rowVerdict(r Row, color bool) string {
	switch r.Verdict {
	case Regression:
		if r.Gated {
			return paint(color, "\x1b[31;1m", "REGRESSION")
		}
		return paint(color, "\x1b[33m", "regressed (not gated)")
	case Improved:
		return paint(color, "\x1b[32m", "improved")
	case Noise:
		if r.Significant {
			return "within noise (below the minimum change)"
		}
		return "within noise"
	case NoData:
		return "no data"
	case TooFew:
		return "too few samples"
	}
	return ""
}

func closingLine(c *Comparison, color bool) string {
	failing, regs := c.Failing(), c.Regressions()
	switch {
	case len(failing) > 0:
		return paint(color, "\x1b[31;1m", "REGRESSION") + fmt.Sprintf(" — %d gated metric(s) worse beyond the noise and the minimum change (%s): %s",
			len(failing), minEffectText(c.MinEffect), metricNames(failing))
	case len(regs) > 0:
		return paint(color, "\x1b[33;1m", "OK") + fmt.Sprintf(" — %d metric(s) regressed, none of them gated (--gate): %s", len(regs), metricNames(regs))
	}
	return paint(color, "\x1b[32;1m", "OK") + fmt.Sprintf(" — no regression beyond the run-to-run noise and the minimum change (%s)", minEffectText(c.MinEffect))
}

func minEffectText(m MinEffect) string {
	return fmt.Sprintf("timings %s and %s ms, rates %s points", strconv.FormatFloat(100*m.Relative, 'f', -1, 64)+"%",
		strconv.FormatFloat(m.TimingMS, 'f', -1, 64), strconv.FormatFloat(100*m.RatePoints, 'f', -1, 64))
}

func metricNames(rs []Row) string {
	ns := make([]string, len(rs))
	for i, r := range rs {
		ns[i] = r.Metric
	}
	return strings.Join(ns, ", ")
}
