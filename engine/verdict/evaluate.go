package verdict

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
)

// Result is one threshold's outcome.
type Result struct {
	Name  string
	Check string
	Pass  bool
	// Observed is what the check compared, human-readable ("0.93",
	// "812.4ms"; several joined by ", "), or "error: …" when it could not be
	// evaluated.
	Observed string
	Err      error // the check could not be evaluated; Pass is then false
	Abort    bool  // the threshold stops the run when it fails
	// NoData is set when a figure the check reads has nothing behind it
	// (nodata.go): the check was not run, Observed says what is missing
	// and Pass is what OnNoData says (false unless "pass").
	NoData   bool
	OnNoData string
	// Window is the threshold's window (0: judged on the whole run);
	// Windows how many were judged, FailedWindows how many did not pass,
	// and Worst the worst of them (EvaluateWindows), whose Observed is
	// the result's.
	Window        time.Duration
	Windows       int
	FailedWindows int
	Worst         *WindowResult
}

// Evaluate runs every threshold's check against s, in order.
func Evaluate(ths []*plan.Threshold, s metrics.Snapshot) []Result {
	rs := make([]Result, 0, len(ths))
	for _, th := range ths {
		rs = append(rs, evaluate(th, s))
	}
	return rs
}

// Passed reports whether every result passed. No results pass.
func Passed(rs []Result) bool {
	for _, r := range rs {
		if !r.Pass {
			return false
		}
	}
	return true
}

// Crossed returns the results that failed on data, in order: not those
// that had none (a run in progress has not sampled everything yet), so an
// abort threshold stops a run only on what it observed.
func Crossed(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if !r.Pass && !r.NoData {
			out = append(out, r)
		}
	}
	return out
}

// Failed returns the results that did not pass, in order.
func Failed(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if !r.Pass {
			out = append(out, r)
		}
	}
	return out
}

func evaluate(th *plan.Threshold, s metrics.Snapshot) Result {
	r := Result{Name: th.Name, Check: th.Check, Abort: th.Abort, OnNoData: th.OnNoData}
	if why := noData(th.Reads, s); len(why) > 0 {
		r.NoData, r.Pass = true, th.OnNoData == plan.NoDataPass
		r.Observed = "no data: " + strings.Join(why, ", ")
		return r
	}
	pass, err := check(th, s)
	if err != nil {
		r.Err = err
		r.Observed = "error: " + firstLine(err.Error())
		return r
	}
	r.Pass = pass
	r.Observed = Observe(th.Check, s)
	return r
}

// check runs a threshold's compiled program; it must give a bool.
func check(th *plan.Threshold, s metrics.Snapshot) (bool, error) {
	if th.Program == nil {
		return false, errors.New("the check was not compiled")
	}
	out, err := expr.Run(th.Program, s)
	if err != nil {
		return false, err
	}
	pass, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("the check gave %T, not a bool", out)
	}
	return pass, nil
}

// firstLine drops the source snippet expr appends to its errors.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
