package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

// lineRef is where one line to merge is in a segment's file.
type lineRef struct {
	at   time.Time // what the merged file is ordered by
	file int       // index in Merged.Runs
	jsonLine
}

// mergeConversations writes dir/conversations.jsonl: every line of the
// segments' files, byte for byte, ordered by started_at. Each conversation
// read is passed to each (for the history). A conversation whose user is
// not one of its segment's (segment i of n runs users i, i+n, i+2n, …) is
// refused: the directory is not the segment its summary says.
func (m *Merged) mergeConversations(dir string, each func(*transcript.Conversation)) (int, error) {
	return mergeJSONLines(m, dir, ConversationsFile, "conversation",
		func(c *transcript.Conversation) time.Time { return c.StartedAt },
		func(r *SegmentRun, c *transcript.Conversation, line jsonLine) error {
			seg := r.Summary.Segment
			if c.User < seg.Index || (c.User-seg.Index)%seg.Count != 0 {
				return fmt.Errorf("%s:%d: user %d is not one of segment %s's (users %d, %d, %d, …): is this the directory of that segment?",
					filepath.Join(r.Dir, ConversationsFile), line.n, c.User, r.segment(), seg.Index, seg.Index+seg.Count, seg.Index+2*seg.Count)
			}
			each(c)
			return nil
		})
}

// mergeLate writes dir/late.jsonl, the segments' late callbacks ordered by
// arrival, when any segment has some.
func (m *Merged) mergeLate(dir string) (int, error) {
	return mergeJSONLines(m, dir, LateFile, "late callback",
		func(c *transcript.LateCallback) time.Time { return c.ReceivedAt }, nil)
}

// mergeJSONLines writes dir/name from the segments' files of that name:
// every line, byte for byte (a last line without its newline gets one),
// ordered by key (ties keep the segments' order, then each file's). Lines
// are read as the reports read them (blank ones and a last one cut short by
// a killed writer are skipped) and each is checked by check, if not nil.
// Only an index of the lines is held in memory. A segment without the file
// has none of its lines; when none has it, nothing is written.
func mergeJSONLines[T any](m *Merged, dir, name, what string, key func(*T) time.Time, check func(*SegmentRun, *T, jsonLine) error) (int, error) {
	files := make([]*os.File, len(m.Runs))
	defer func() {
		for _, f := range files {
			if f != nil {
				f.Close()
			}
		}
	}()
	var lines []lineRef
	found := false
	for i, r := range m.Runs {
		path := filepath.Join(r.Dir, name)
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("cannot read %s: %w", path, err)
		}
		files[i], found = f, true
		err = scanJSONLinesAt(path, what, bufio.NewReaderSize(f, 1<<16), func(v *T, line jsonLine) error {
			if check != nil {
				if err := check(r, v, line); err != nil {
					return err
				}
			}
			lines = append(lines, lineRef{at: key(v), file: i, jsonLine: line})
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	if !found {
		return 0, nil
	}
	slices.SortStableFunc(lines, func(a, b lineRef) int { return a.at.Compare(b.at) })
	err := writeAtomic(dir, name, func(w io.Writer) error {
		var buf []byte
		for _, ref := range lines {
			buf = slices.Grow(buf[:0], ref.len+1)[:ref.len]
			if _, err := files[ref.file].ReadAt(buf, ref.off); err != nil {
				return fmt.Errorf("cannot read %s again: %w", files[ref.file].Name(), err)
			}
			if !ref.nl {
				buf = append(buf, '\n')
			}
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("cannot write the merged %s: %w", name, err)
	}
	return len(lines), nil
}

// grid is the merged history's intervals: from the earliest segment's
// start, one every interval, the last ending at the latest segment's end
// (a last one shorter than minLastInterval is folded into the one before,
// as a run's own history does not keep such a sliver).
type grid struct {
	start    time.Time
	end      time.Time
	interval time.Duration
	n        int
}

// minLastInterval is the shortest last interval the merged history keeps.
const minLastInterval = time.Second

func (m *Merged) grid() (grid, error) {
	iv := m.Runs[0].History.IntervalMS
	for _, r := range m.Runs {
		if r.History.IntervalMS != iv {
			return grid{}, fmt.Errorf("%s is sampled every %vms but %s every %vms: their histories cannot be aligned",
				filepath.Join(m.Runs[0].Dir, HistoryFile), iv, filepath.Join(r.Dir, HistoryFile), r.History.IntervalMS)
		}
	}
	g := grid{start: m.StartedAt, end: m.EndedAt, interval: time.Duration(iv * float64(time.Millisecond))}
	if g.interval <= 0 {
		return grid{}, fmt.Errorf("%s has no sampling interval", filepath.Join(m.Runs[0].Dir, HistoryFile))
	}
	span := g.end.Sub(g.start)
	g.n = max(int(math.Ceil(float64(span)/float64(g.interval))), 1)
	if g.n > 1 && span-time.Duration(g.n-1)*g.interval < minLastInterval {
		g.n--
	}
	return g, nil
}

// endOf is the end of interval k (0-based).
func (g grid) endOf(k int) time.Time {
	if k == g.n-1 {
		return g.end
	}
	return g.start.Add(time.Duration(k+1) * g.interval)
}

// within is the interval an instant falls in (its end included); instants
// outside the run go to the first or the last.
func (g grid) within(t time.Time) int {
	k := int(math.Ceil(float64(t.Sub(g.start))/float64(g.interval))) - 1
	return min(max(k, 0), g.n-1)
}

// overlapping is the interval a segment's sample overlaps most: the one
// the middle of the sample's own interval falls in.
func (g grid) overlapping(s *metrics.Sample) int {
	return g.within(s.Time.Add(-transcript.Duration(s.IntervalMS) / 2))
}

// historyTimers are the timed operations a history samples.
var historyTimers = []string{"send", "reply", "llm", "conversation"}

// opTimings are the timings of the segments' operations, each in the grid
// interval where the operation ended, read from their conversations.
type opTimings struct {
	grid grid
	ops  map[string][]opTiming
}

type opTiming struct {
	k        int32
	d        time.Duration
	censored bool // a wait that timed out, timed at the time it waited
}

func newOpTimings(g grid) *opTimings { return &opTimings{grid: g, ops: map[string][]opTiming{}} }

// add takes one conversation's timings: what the Recorder timed, each at
// the instant it ended — a send at sent_at + send_ms (2xx only), a reply at
// sent_at + reply_ms, the generation of a message when it was sent, a
// completed conversation at ended_at, and a reply that timed out (the
// conversation's reply_timeout) at ended_at, censored at the time from its
// POST. (A generation that produced no message — the persona wrote the
// stop marker — and a send that timed out are in no transcript's timings:
// they are counted in the history but not timed there.)
func (o *opTimings) add(c *transcript.Conversation) {
	for t := range c.Timings() {
		o.ops[t.Metric] = append(o.ops[t.Metric], opTiming{k: int32(o.grid.within(t.At)), d: transcript.Duration(t.MS), censored: t.Censored})
	}
}

// mergeHistory aligns the segments' histories on the grid and sums them.
//
// Users, conversation counts, cost and each operation's count and failures
// are the segments' own figures, summed: a segment's sample goes to the
// grid interval it overlaps most (segments started within half an interval
// of each other line up interval for interval), and gauges and totals
// (users, totals, cost) carry a segment's latest sample forward. So what a
// segment counted in an interval may show up to half an interval away;
// totals are exact.
//
// The latencies of an interval (min, avg, percentiles, max) cannot be
// summed, nor averaged across segments: they are computed afresh from the
// timings of the operations that ended in it, read from the segments'
// conversations (opTimings), through the same distribution a Recorder
// keeps. Totals likewise accumulate every timing up to the interval's end.
func (m *Merged) mergeHistory(g grid, ops *opTimings) *History {
	samples := make([]metrics.Sample, g.n)
	prev := g.start
	for k := range samples {
		end := g.endOf(k)
		samples[k] = metrics.Sample{
			Time:       end,
			ElapsedMS:  transcript.Ms(end.Sub(g.start)),
			IntervalMS: transcript.Ms(end.Sub(prev)),
			Timers:     map[string]metrics.TimerSample{},
		}
		prev = end
	}
	counts := make([]map[string]metrics.TimerSample, g.n) // the segments' own counts, per interval
	for k := range counts {
		counts[k] = map[string]metrics.TimerSample{}
	}
	for _, r := range m.Runs {
		m.addSegmentHistory(g, r.History.Samples, samples, counts)
	}
	names := historyTimers
	if len(ops.ops["first_token"]) > 0 { // streamed replies: sampled as a Recorder's history samples them
		names = append(slices.Clone(historyTimers), "first_token")
	}
	for _, name := range names {
		timed := ops.ops[name]
		slices.SortStableFunc(timed, func(a, b opTiming) int { return int(a.k - b.k) })
		interval, total := metrics.NewTiming(), metrics.NewTiming()
		i := 0
		for k := range samples {
			interval.Reset()
			for ; i < len(timed) && int(timed[i].k) == k; i++ {
				if timed[i].censored {
					interval.TimedOut(timed[i].d)
					total.TimedOut(timed[i].d)
					continue
				}
				interval.Add(timed[i].d, true)
				total.Add(timed[i].d, true)
			}
			c := counts[k][name]
			samples[k].Timers[name] = metrics.TimerSample{
				Interval: withCounts(interval.Latency(), c.Interval),
				Total:    withCounts(total.Latency(), c.Total),
			}
		}
	}
	return NewHistory(g.interval, samples)
}

// addSegmentHistory adds one segment's samples to the grid's: interval
// counts where each sample lands, gauges and totals from its latest sample
// on or before each interval.
func (m *Merged) addSegmentHistory(g grid, ss []metrics.Sample, out []metrics.Sample, counts []map[string]metrics.TimerSample) {
	latest := make([]*metrics.Sample, g.n)
	for i := range ss {
		s := &ss[i]
		k := g.overlapping(s)
		latest[k] = s
		out[k].Conversations = addInterval(out[k].Conversations, s.Conversations)
		for name, t := range s.Timers {
			c := counts[k][name]
			c.Interval.Count += t.Interval.Count
			c.Interval.Failed += t.Interval.Failed
			c.Interval.Censored += t.Interval.Censored
			counts[k][name] = c
		}
	}
	var cur *metrics.Sample
	for k := range out {
		if latest[k] != nil {
			cur = latest[k]
		}
		if cur == nil {
			continue
		}
		out[k].Users += cur.Users
		out[k].Totals = addInterval(out[k].Totals, cur.Totals)
		out[k].Cost = metrics.Cost{
			USD:            out[k].Cost.USD + cur.Cost.USD,
			InputTokens:    out[k].Cost.InputTokens + cur.Cost.InputTokens,
			OutputTokens:   out[k].Cost.OutputTokens + cur.Cost.OutputTokens,
			ThinkingTokens: out[k].Cost.ThinkingTokens + cur.Cost.ThinkingTokens,
		}
		for name, t := range cur.Timers {
			c := counts[k][name]
			c.Total.Count += t.Total.Count
			c.Total.Failed += t.Total.Failed
			c.Total.Censored += t.Total.Censored
			counts[k][name] = c
		}
	}
}

func addInterval(a, b metrics.Interval) metrics.Interval {
	return metrics.Interval{
		Started:     a.Started + b.Started,
		Succeeded:   a.Succeeded + b.Succeeded,
		Failed:      a.Failed + b.Failed,
		Abandoned:   a.Abandoned + b.Abandoned,
		Interrupted: a.Interrupted + b.Interrupted,
	}
}

// withCounts puts the segments' counts on the recomputed timings.
func withCounts(l, counts metrics.Latency) metrics.Latency {
	l.Count, l.Failed, l.Censored, l.ErrorRate = counts.Count, counts.Failed, counts.Censored, 0
	if l.Count > 0 {
		l.ErrorRate = float64(l.Failed) / float64(l.Count)
	}
	return l
}
