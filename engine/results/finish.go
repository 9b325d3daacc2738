package results

import (
	"fmt"
	"io"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/verdict"
)

// Ending is how a run, or the merge of a run's segments, ended: what
// Finish judges, tells and records.
type Ending struct {
	Run        Run              // what summary.json records of the run itself
	Snapshot   metrics.Snapshot // the final figures
	Thresholds []*plan.Threshold
	// Windows are the windows the run measured for its windowed
	// thresholds; nil when not measured (a merge, a rebuilt run): those
	// thresholds are then an error, not judged on the whole run.
	Windows verdict.Windows
	// Capacity is a capacity search's outcome; the run is then judged on
	// it (Judge), not on its thresholds over the whole run, which a search
	// pushes past their limit by design.
	Capacity *verdict.Capacity
	Color    bool // ANSI colours in the verdict
}

// Finished is what Finish judged and wrote.
type Finished struct {
	Results []verdict.Result
	Summary *Summary
	// Verdict is how the verdict was printed; its Invalid says why the
	// results are incomplete ("" when whole): the verdict printed and
	// recorded is then INVALID, whatever the thresholds say.
	Verdict verdict.RenderOptions
}

// Judge is the run's threshold results: each threshold on the whole run
// (on its windows when it has one), or for a capacity search the search's
// gate (capacity >= require) then the thresholds as judged at the
// capacity found (at the first step when none held).
func (e Ending) Judge() []verdict.Result {
	c := e.Capacity
	if c == nil {
		return verdict.EvaluateAll(e.Thresholds, e.Snapshot, e.Windows)
	}
	rs := []verdict.Result{c.Gate()}
	for _, s := range c.Steps {
		if s.Load == c.Load || c.Load == 0 {
			return append(rs, s.Results...)
		}
	}
	return rs
}

// Finish ends a run in its directory, in this order: it closes the sinks
// (nil for none: a merge writes its data beforehand), so that a write
// that failed, to the last, is known; judges the thresholds on the final
// figures; prints the verdict to w — INVALID when results were lost, in
// place of the thresholds' verdict line —; writes summary.json (and then
// removes the journal, unless results were lost) and renders the reports
// with render. A run whose results were lost ends
// with stop_reason error. It stops at the first step that fails; a
// failure to close the sinks is returned once summary.json is written.
func (d *Dir) Finish(w io.Writer, e Ending, sinks *Sinks, render func(*Dir) error) (*Finished, error) {
	closeErr := sinks.Close()
	if inv := sinks.Invalid(); inv != "" && e.Run.Invalid == "" {
		e.Run.Invalid = inv
	}
	if e.Run.Invalid != "" && (e.Run.StopReason == "" || e.Run.StopReason == StopCompleted) {
		e.Run.StopReason = StopError
	}
	f := &Finished{
		Results: e.Judge(),
		Verdict: verdict.RenderOptions{
			Interrupted: e.Run.Interrupted,
			Elapsed:     e.Run.EndedAt.Sub(e.Run.StartedAt),
			Color:       e.Color,
			Steering:    e.Run.Steering,
			Invalid:     e.Run.Invalid,
			Capacity:    e.Capacity,
			Protocol:    e.Run.Plan.Protocol,
		},
	}
	fmt.Fprintln(w)
	if err := verdict.Render(w, e.Snapshot, f.Results, f.Verdict); err != nil {
		return nil, err
	}
	f.Summary = NewSummary(e.Run, e.Snapshot, f.Results)
	f.Summary.Capacity = capacityOf(e.Capacity)
	f.Summary.Windows = windowSets(e.Windows)
	if err := d.WriteSummary(f.Summary); err != nil {
		return nil, fmt.Errorf("cannot write summary.json: %w", err)
	}
	sinks.dropJournal()
	if closeErr != nil {
		return nil, closeErr
	}
	if err := render(d); err != nil {
		return nil, err
	}
	return f, nil
}
