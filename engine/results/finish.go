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
	Color      bool // ANSI colours in the verdict
}

// Finished is what Finish judged and wrote.
type Finished struct {
	Results []verdict.Result
	Summary *Summary
	Verdict verdict.RenderOptions // as the verdict was printed
}

// Finish ends a run in its directory, in this order: it judges the
// thresholds on the final figures, prints the verdict to w, writes
// summary.json, closes the sinks (nil for none: a merge writes its data
// beforehand) and renders the reports with render. It stops at the first
// step that fails.
func (d *Dir) Finish(w io.Writer, e Ending, sinks *Sinks, render func(*Dir) error) (*Finished, error) {
	f := &Finished{
		Results: verdict.Evaluate(e.Thresholds, e.Snapshot),
		Verdict: verdict.RenderOptions{
			Interrupted: e.Run.Interrupted,
			Elapsed:     e.Run.EndedAt.Sub(e.Run.StartedAt),
			Color:       e.Color,
			Steering:    e.Run.Steering,
		},
	}
	fmt.Fprintln(w)
	if err := verdict.Render(w, e.Snapshot, f.Results, f.Verdict); err != nil {
		return nil, err
	}
	f.Summary = NewSummary(e.Run, e.Snapshot, f.Results)
	if err := d.WriteSummary(f.Summary); err != nil {
		return nil, fmt.Errorf("cannot write summary.json: %w", err)
	}
	if err := sinks.Close(); err != nil {
		return nil, err
	}
	if err := render(d); err != nil {
		return nil, err
	}
	return f, nil
}
