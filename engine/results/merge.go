package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// SegmentRun is one segment's result directory (apply --segment I/N), as
// merge reads it: its summary and history; its conversations.jsonl is
// streamed when the merged files are written.
type SegmentRun struct {
	Dir     string
	Summary *Summary
	History *History
}

// Merged is the segments of one run, checked and combined: the run one
// process of all their users would have made, as far as they cover it.
type Merged struct {
	// Runs are the segments, in segment order.
	Runs []*SegmentRun
	// Notes are what the caller should warn about: segments missing (the
	// verdict covers only those given), different seeds or versions.
	Notes []string
	// StartedAt is the earliest segment's start, EndedAt the latest's end.
	StartedAt, EndedAt time.Time
	// Metrics are the merged figures (Elapsed: EndedAt - StartedAt) and
	// distributions.
	Metrics metrics.Part
}

// mergeNeeds are the files merge reads in every segment directory.
var mergeNeeds = []string{SummaryFile, HistoryFile, ConversationsFile}

// ReadSegment reads a segment's result directory. It refuses a directory
// without one of summary.json, history.json and conversations.jsonl, and a
// summary without latency distributions (written by a voyplan older than
// merge), naming the file.
func ReadSegment(dir string) (*SegmentRun, error) {
	d, err := Open(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range mergeNeeds {
		if _, err := os.Stat(d.File(name)); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s has no %s: merge needs the %s of every segment (did its run end?)",
				dir, name, strings.Join(mergeNeeds, ", "))
		} else if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", d.File(name), err)
		}
	}
	sum, err := d.ReadSummary()
	if err != nil {
		return nil, err
	}
	if len(sum.Distributions) == 0 {
		return nil, fmt.Errorf("%s has no latency distributions: it was written by voyplan %s, older than merge; "+
			"percentiles cannot be merged without them — run that segment again with this version", d.File(SummaryFile), sum.Version)
	}
	hist, err := d.ReadHistory()
	if err != nil {
		return nil, err
	}
	return &SegmentRun{Dir: dir, Summary: sum, History: hist}, nil
}

// Merge checks that the segments belong to one run and combines their
// metrics. It refuses segments of different plans (their hashes differ),
// of different splits (segment counts differ), a segment given twice, a
// run that was not a segment, and segments that judge different thresholds
// (the plan loaded with different -var values); it notes segments missing.
func Merge(runs []*SegmentRun) (*Merged, error) {
	if len(runs) == 0 {
		return nil, errors.New("no segments to merge")
	}
	runs = slices.Clone(runs)
	for _, r := range runs {
		if r.Summary.Segment == nil {
			return nil, fmt.Errorf("%s is not a segment (it ran without --segment): merge combines the segments of one run", r.summaryPath())
		}
	}
	slices.SortStableFunc(runs, func(a, b *SegmentRun) int { return a.Summary.Segment.Index - b.Summary.Segment.Index })
	m := &Merged{Runs: runs}
	if err := m.check(); err != nil {
		return nil, err
	}
	m.note()
	parts := make([]metrics.Part, len(runs))
	for i, r := range runs {
		parts[i] = metrics.Part{Name: r.summaryPath(), Snapshot: r.Summary.Metrics, Distributions: r.Summary.Distributions}
		if i == 0 || r.Summary.StartedAt.Before(m.StartedAt) {
			m.StartedAt = r.Summary.StartedAt
		}
		if r.Summary.EndedAt.After(m.EndedAt) {
			m.EndedAt = r.Summary.EndedAt
		}
	}
	part, err := metrics.Merge(parts)
	if err != nil {
		return nil, err
	}
	part.Snapshot.SetElapsed(m.EndedAt.Sub(m.StartedAt))
	m.Metrics = part
	return m, nil
}

func (r *SegmentRun) summaryPath() string { return filepath.Join(r.Dir, SummaryFile) }

func (r *SegmentRun) segment() string {
	return fmt.Sprintf("%d/%d", r.Summary.Segment.Index, r.Summary.Segment.Count)
}

// check refuses segments that are not parts of one run. Runs are sorted by
// segment index.
func (m *Merged) check() error {
	first := m.Runs[0]
	for i, r := range m.Runs {
		s := r.Summary
		if s.Plan.Hash != first.Summary.Plan.Hash {
			return fmt.Errorf("%s ran plan %q (%s, hash %s) but %s ran plan %q (%s, hash %s): the segments of one run all run the same plan file",
				first.summaryPath(), first.Summary.Plan.Name, first.Summary.Plan.File, short(first.Summary.Plan.Hash),
				r.summaryPath(), s.Plan.Name, s.Plan.File, short(s.Plan.Hash))
		}
		if s.Segment.Count != first.Summary.Segment.Count {
			return fmt.Errorf("%s is segment %s but %s is segment %s: the segments of one run split it into the same number of parts",
				first.summaryPath(), first.segment(), r.summaryPath(), r.segment())
		}
		if s.Segment.Index < 1 || s.Segment.Index > s.Segment.Count {
			return fmt.Errorf("%s: segment %s is not a valid slice", r.summaryPath(), r.segment())
		}
		if i > 0 && s.Segment.Index == m.Runs[i-1].Summary.Segment.Index {
			return fmt.Errorf("segment %s appears twice: %s and %s", r.segment(), m.Runs[i-1].Dir, r.Dir)
		}
		if d := thresholdsDiffer(first.Summary.Thresholds, s.Thresholds); d != "" {
			return fmt.Errorf("%s and %s judge different thresholds (%s): the plan was loaded with different -var values",
				first.summaryPath(), r.summaryPath(), d)
		}
	}
	return nil
}

// thresholdsDiffer says how two runs' thresholds differ, "" when they do not.
func thresholdsDiffer(a, b []Threshold) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d thresholds against %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Check != b[i].Check || a[i].Abort != b[i].Abort {
			return fmt.Sprintf("%q: %q against %q: %q", a[i].Name, a[i].Check, b[i].Name, b[i].Check)
		}
	}
	return ""
}

// note collects what the merge should warn about.
func (m *Merged) note() {
	n := m.Runs[0].Summary.Segment.Count
	have := make([]bool, n+1)
	var given []string
	for _, r := range m.Runs {
		have[r.Summary.Segment.Index] = true
		given = append(given, fmt.Sprint(r.Summary.Segment.Index))
	}
	var missing []string
	for i := 1; i <= n; i++ {
		if !have[i] {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	if len(missing) > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("segment%s %s of %d missing: the verdict covers only segment%s %s of %d — %d of %d",
			plural(len(missing)), strings.Join(missing, ", "), n, plural(len(given)), strings.Join(given, ", "), n, len(given), n))
	}
	if seeds := distinct(m.Runs, func(s *Summary) string { return fmt.Sprint(s.Plan.Seed) }); len(seeds) > 1 {
		m.Notes = append(m.Notes, fmt.Sprintf("the segments ran with different seeds (%s): their users' personas and data are not those of one run; "+
			"set the plan's seed (plan { seed = … }) to split a run over machines", strings.Join(seeds, ", ")))
	}
	if vs := distinct(m.Runs, func(s *Summary) string { return s.Version }); len(vs) > 1 {
		m.Notes = append(m.Notes, fmt.Sprintf("the segments ran different voyplan versions (%s)", strings.Join(vs, ", ")))
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// distinct is the different values of f over the runs' summaries, in order.
func distinct(runs []*SegmentRun, f func(*Summary) string) []string {
	var out []string
	for _, r := range runs {
		if v := f(r.Summary); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12] + "…"
	}
	return hash
}

// Run is what the merged run's summary.json records of the run itself:
// the plan, the earliest start and the latest end, interrupted if any
// segment was, the steering of every segment in segment order and the
// merged distributions; no segment.
func (m *Merged) Run() Run {
	return Run{
		Plan:          m.Runs[0].Summary.Plan,
		Version:       strings.Join(distinct(m.Runs, func(s *Summary) string { return s.Version }), ", "),
		StartedAt:     m.StartedAt,
		EndedAt:       m.EndedAt,
		Interrupted:   m.Interrupted(),
		StopReason:    m.stopReason(),
		AbortedBy:     m.abortedBy(),
		Steering:      m.Steering(),
		Invalid:       m.invalid(),
		Distributions: m.Metrics.Distributions,
	}
}

// invalid says which segments lost results, and why: the merged run is
// as invalid as its worst segment.
func (m *Merged) invalid() string {
	var out []string
	for _, r := range m.Runs {
		if why := r.Summary.Invalid; why != "" {
			out = append(out, fmt.Sprintf("segment %s: %s", r.segment(), why))
		}
	}
	return strings.Join(out, "; ")
}

// Summary is the merged run's summary.json: Run, the merged metrics, and
// the thresholds as judged again on them (rs).
func (m *Merged) Summary(rs []verdict.Result) *Summary {
	return NewSummary(m.Run(), m.Metrics.Snapshot, rs)
}

// stopReason is the first segment's, in segment order, that did not
// complete; completed when all did.
func (m *Merged) stopReason() string {
	for _, r := range m.Runs {
		if why := r.Summary.StopReason; why != "" && why != StopCompleted {
			return why
		}
	}
	return StopCompleted
}

// abortedBy names the abort thresholds that stopped segments, once each.
func (m *Merged) abortedBy() string {
	names := distinct(m.Runs, func(s *Summary) string { return s.AbortedBy })
	return strings.Join(slices.DeleteFunc(names, func(n string) bool { return n == "" }), ", ")
}

// Interrupted reports whether any segment was cut short.
func (m *Merged) Interrupted() bool {
	return slices.ContainsFunc(m.Runs, func(r *SegmentRun) bool { return r.Summary.Interrupted })
}

// Steering is every segment's steering, in segment order.
func (m *Merged) Steering() []transcript.Steer {
	var out []transcript.Steer
	for _, r := range m.Runs {
		out = append(out, r.Summary.Steering...)
	}
	return out
}

// WriteData writes the merged run's conversations.jsonl, late.jsonl (when
// a segment has one) and history.json in dir, which must not be one of the
// segments', and returns how many conversations there are. See
// mergeConversations and mergeHistory.
func (m *Merged) WriteData(dir string) (int, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return 0, err
	}
	for _, r := range m.Runs {
		if in, err := filepath.Abs(r.Dir); err == nil && in == abs {
			return 0, fmt.Errorf("the merged results would overwrite segment %s in %s: give another --out", r.segment(), r.Dir)
		}
	}
	grid, err := m.grid()
	if err != nil {
		return 0, err
	}
	ops := newOpTimings(grid)
	n, err := m.mergeConversations(dir, ops.add)
	if err != nil {
		return 0, err
	}
	if _, err := m.mergeLate(dir); err != nil {
		return 0, err
	}
	if err := WriteHistory(dir, m.mergeHistory(grid, ops)); err != nil {
		return 0, err
	}
	return n, nil
}
