package verdict

import (
	"fmt"
	"reflect"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/schedule"
)

// Window is one window of a run, as a windowed threshold is judged on it:
// its span (elapsed into the run) and what happened in it
// (metrics.Window).
type Window struct {
	From, To time.Duration
	Snapshot metrics.Snapshot
	// Distributions are its timings in a form that merges (metrics.
	// WindowPart): what lets a merge of segments judge the run's windows.
	// nil when not exported.
	Distributions map[string]metrics.Distribution
}

// WindowResult is a windowed threshold's outcome in one window.
type WindowResult struct {
	From, To time.Duration
	Observed string
	Outcome  string // OutcomePass, OutcomeFail, OutcomeNoData, OutcomeError
}

// Windows holds the windows a run measured, by length: one list per
// distinct threshold window, in order, covering the run.
type Windows map[time.Duration][]Window

// EvaluateAll judges every threshold: a windowed one on each of its
// windows in ws (EvaluateWindows), the others on s. ws nil says the
// windows were not measured (a merge of segments, a run rebuilt from its
// journal): a windowed threshold is then an error, never judged on the
// whole run, where a window that failed would go unseen.
func EvaluateAll(ths []*plan.Threshold, s metrics.Snapshot, ws Windows) []Result {
	rs := make([]Result, 0, len(ths))
	for _, th := range ths {
		switch {
		case th.Window == 0:
			rs = append(rs, evaluate(th, s))
		case ws == nil:
			r := Result{Name: th.Name, Check: th.Check, Abort: th.Abort, OnNoData: th.OnNoData, Window: th.Window}
			r.Err = fmt.Errorf("judged per %s window by the run that measured it; these results have no windows", th.Window)
			r.Observed = "error: " + r.Err.Error()
			rs = append(rs, r)
		default:
			rs = append(rs, EvaluateWindows(th, ws[th.Window]))
		}
	}
	return rs
}

// EvaluateWindows judges a threshold in each window: it holds when it
// holds in every one (a window with no data counts as on_no_data says).
// Its Observed is the worst window's, which Worst tells: the failing
// window furthest past the check's bound (or the first to fail when the
// check is not one comparison with a constant side), else the passing one
// closest to it. No window at all is no data.
func EvaluateWindows(th *plan.Threshold, ws []Window) Result {
	r := Result{Name: th.Name, Check: th.Check, Abort: th.Abort, OnNoData: th.OnNoData, Window: th.Window, Windows: len(ws)}
	if len(ws) == 0 {
		r.NoData, r.Pass = true, th.OnNoData == plan.NoDataPass
		r.Observed = "no data: no window ended"
		return r
	}
	r.Pass = true
	worst, worstRank, worstExcess, onData := -1, -1, 0.0, false
	for i, w := range ws {
		wr := evaluate(th, w.Snapshot)
		if !wr.Pass {
			r.Pass = false
			r.FailedWindows++
		}
		rank, excess := windowRank(wr), excessOf(th.Check, w.Snapshot)
		if rank > worstRank || rank == worstRank && excess > worstExcess {
			worst, worstRank, worstExcess = i, rank, excess
		}
		if wr.Err != nil && r.Err == nil {
			r.Err = wr.Err
		}
		onData = onData || !wr.Pass && !wr.NoData
		if worst == i {
			r.Worst = &WindowResult{From: w.From, To: w.To, Observed: wr.Observed, Outcome: wr.Outcome()}
		}
	}
	r.Observed = r.Worst.Observed
	// no data only when that is all that kept it from holding
	r.NoData = !r.Pass && !onData
	return r
}

// windowRank orders a window's outcomes from the best: passed, no data,
// failed on data or in error.
func windowRank(r Result) int {
	switch {
	case r.Pass:
		return 0
	case r.NoData:
		return 1
	}
	return 2
}

// excessOf is how far the check's figure is past its bound in s, when the
// check is one comparison of a figure with a constant: figure - bound for
// < and <=, bound - figure for > and >= (durations in nanoseconds);
// -Inf-like 0 when it cannot tell, so windows keep their order.
func excessOf(check string, s metrics.Snapshot) float64 {
	tree, err := parser.Parse(check)
	if err != nil {
		return 0
	}
	b, ok := tree.Node.(*ast.BinaryNode)
	if !ok || !comparisons[b.Operator] {
		return 0
	}
	l, lok := number(b.Left, s)
	rv, rok := number(b.Right, s)
	if !lok || !rok {
		return 0
	}
	switch b.Operator {
	case "<", "<=":
		return l - rv
	case ">", ">=":
		return rv - l
	}
	return 0
}

// number evaluates an operand against s as a float.
func number(n ast.Node, s metrics.Snapshot) (float64, bool) {
	v, ok := evalValue(n.String(), s)
	if !ok {
		return 0, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	}
	return 0, false
}

// WindowNote says, beside a windowed threshold's observed value, which
// window it is and how the others went: "worst of 5 1m windows, 3:00–4:00;
// 2 failed". "" for a threshold judged on the whole run.
func WindowNote(window time.Duration, windows, failed int, worst *WindowResult) string {
	if window <= 0 || worst == nil {
		return ""
	}
	note := fmt.Sprintf("worst of %d %s windows, %s–%s", windows, schedule.ShortDuration(window), clockOf(worst.From), clockOf(worst.To))
	if failed > 0 {
		note += fmt.Sprintf("; %d failed", failed)
	}
	return note
}

// observedText is r's Observed with its window note, if any.
func (r Result) observedText() string {
	if note := WindowNote(r.Window, r.Windows, r.FailedWindows, r.Worst); note != "" {
		return r.Observed + " (" + note + ")"
	}
	return r.Observed
}
