package results

import (
	"fmt"
	"slices"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// WindowSet is the windows of one length a run measured for its windowed
// thresholds, as summary.json carries them: each with its figures and its
// timings as distributions, so that `voyplan merge` judges a windowed
// threshold on the whole run's windows (MergedWindows), not only each
// segment's.
type WindowSet struct {
	LengthMS float64         `json:"length_ms"`
	Windows  []SummaryWindow `json:"windows"`
}

// SummaryWindow is one window of a WindowSet, elapsed into the run.
type SummaryWindow struct {
	FromMS        float64                         `json:"from_ms"`
	ToMS          float64                         `json:"to_ms"`
	Metrics       metrics.Snapshot                `json:"metrics"`
	Distributions map[string]metrics.Distribution `json:"distributions"`
}

// windowSets is ws as summary.json carries it, shortest length first;
// nil when the run measured none, or a window has no distributions.
func windowSets(ws verdict.Windows) []WindowSet {
	lengths := make([]time.Duration, 0, len(ws))
	for l := range ws {
		lengths = append(lengths, l)
	}
	slices.Sort(lengths)
	var out []WindowSet
	for _, l := range lengths {
		set := WindowSet{LengthMS: transcript.Ms(l), Windows: []SummaryWindow{}}
		for _, w := range ws[l] {
			if w.Distributions == nil {
				return nil
			}
			set.Windows = append(set.Windows, SummaryWindow{FromMS: transcript.Ms(w.From), ToMS: transcript.Ms(w.To),
				Metrics: w.Snapshot, Distributions: w.Distributions})
		}
		out = append(out, set)
	}
	return out
}

// Windows are the merged run's windows: window k of each length is the
// sum (metrics.Merge) of window k of every segment that has one, spanning
// them all from the earliest segment's start — as the merged history lines
// segments up, interval for interval. nil, nil when a segment has no
// windows (written before summaries carried them, or by a run without
// windowed thresholds): a windowed threshold is then an error, never
// judged on the whole run.
func (m *Merged) Windows() (verdict.Windows, error) {
	for _, r := range m.Runs {
		if len(r.Summary.Windows) == 0 {
			return nil, nil
		}
	}
	out := verdict.Windows{}
	for _, set := range m.Runs[0].Summary.Windows {
		length := transcript.Duration(set.LengthMS)
		var merged []verdict.Window
		for k := 0; ; k++ {
			w, ok, err := m.window(set.LengthMS, k)
			if err != nil {
				return nil, fmt.Errorf("cannot merge the %s windows: %w", length, err)
			}
			if !ok {
				break
			}
			merged = append(merged, w)
		}
		out[length] = merged
	}
	return out, nil
}

// window merges window k of the given length of every segment that has
// it; false when none has.
func (m *Merged) window(lengthMS float64, k int) (verdict.Window, bool, error) {
	var parts []metrics.Part
	var from, to time.Duration
	for _, r := range m.Runs {
		i := slices.IndexFunc(r.Summary.Windows, func(s WindowSet) bool { return s.LengthMS == lengthMS })
		if i < 0 || k >= len(r.Summary.Windows[i].Windows) {
			continue
		}
		w := r.Summary.Windows[i].Windows[k]
		offset := r.Summary.StartedAt.Sub(m.StartedAt)
		f, t := offset+transcript.Duration(w.FromMS), offset+transcript.Duration(w.ToMS)
		if len(parts) == 0 || f < from {
			from = f
		}
		to = max(to, t)
		parts = append(parts, metrics.Part{Name: r.summaryPath(), Snapshot: w.Metrics, Distributions: w.Distributions})
	}
	if len(parts) == 0 {
		return verdict.Window{}, false, nil
	}
	p, err := metrics.Merge(parts)
	if err != nil {
		return verdict.Window{}, false, err
	}
	p.Snapshot.SetElapsed(to - from)
	return verdict.Window{From: from, To: to, Snapshot: p.Snapshot, Distributions: p.Distributions}, true, nil
}
