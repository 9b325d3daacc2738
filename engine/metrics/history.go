package metrics

import (
	"context"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/voyplan/voyplan/engine/transcript"
)

// HistoryInterval is how often a run's history is sampled.
const HistoryInterval = 5 * time.Second

// Sample is one row of a run's history: the state at the end of an interval
// and what happened during it. Timings are milliseconds in JSON, like the
// rest of a run's results.
type Sample struct {
	Time       time.Time `json:"time"`        // wall clock at the end of the interval
	ElapsedMS  float64   `json:"elapsed_ms"`  // since the run began
	IntervalMS float64   `json:"interval_ms"` // length of the interval
	Users      int64     `json:"users"`       // active virtual users at the end
	// Conversations counts what happened in the interval; Totals since
	// the run began.
	Conversations Interval `json:"conversations"`
	Totals        Interval `json:"totals"`
	// Timers holds, per timed operation (send, reply, llm, conversation),
	// the distribution of the operations that ended in the interval and the
	// one since the run began.
	Timers map[string]TimerSample `json:"timers"`
	// Aggregated is every timer of Timers taken together (Locust's
	// Aggregated row); nil in histories written before it, and in merged
	// ones.
	Aggregated *TimerSample `json:"aggregated,omitempty"`
	Cost       Cost         `json:"cost"` // so far
}

// Interval counts conversations by outcome.
type Interval struct {
	Started     int64 `json:"started"`
	Succeeded   int64 `json:"succeeded"`
	Failed      int64 `json:"failed"`
	Abandoned   int64 `json:"abandoned"`
	Interrupted int64 `json:"interrupted"`
}

// TimerSample is one timed operation in one sample.
type TimerSample struct {
	Interval Latency `json:"interval"` // operations recorded during the interval
	Total    Latency `json:"total"`    // since the run began
	// Quantiles are the interval's ReportPercentiles in milliseconds; nil
	// when nothing was timed in it, and in histories written before them.
	Quantiles []float64 `json:"quantiles_ms,omitempty"`
}

// History samples a Recorder into a time series. Intervals come from the
// difference between two readings of the cumulative HDR histograms, so the
// percentiles of an interval are those of exactly the samples recorded in
// it, and the Recorder's hot path is untouched.
//
// Like the Recorder it starts no goroutine: Run blocks, and whoever calls it
// in a goroutine stops it by cancelling the context.
type History struct {
	rec *Recorder
	// mu serialises Sample: samples[i] covers the time between
	// samples[i-1] and itself, and marks and last hold the readings taken
	// at the last sample (zero before the first).
	mu      sync.Mutex
	marks   map[string]timerMark
	last    Interval
	lastAt  time.Duration
	samples []Sample
	keep    bool // samples are kept for Samples
}

// timerMark is one reading of a timer.
type timerMark struct {
	count, failed, censored int64
	sum                     float64 // nanoseconds, of the timed samples
	hist                    *hdrhistogram.Snapshot
}

// NewHistory returns an empty history of r that keeps its samples.
func NewHistory(r *Recorder) *History {
	return &History{rec: r, marks: map[string]timerMark{}, keep: true}
}

// NewHistoryStream returns an empty history of r that keeps none of its
// samples (Samples is empty): they go to Run's onSample and Sample's
// caller only, so a history written out as it is taken (history.json)
// holds the same memory at the thirtieth minute of a run as at the first.
func NewHistoryStream(r *Recorder) *History {
	return &History{rec: r, marks: map[string]timerMark{}}
}

// Run takes a sample every `every` until ctx ends, calling onSample (if not
// nil) with each one, from this goroutine. elapsed is the run's clock.
func (h *History) Run(ctx context.Context, every time.Duration, elapsed func() time.Duration, onSample func(Sample)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s := h.Sample(elapsed())
		if onSample != nil {
			onSample(s)
		}
	}
}

// Sample records the interval since the previous sample (or the start of
// the run) ending now, elapsed into the run, and returns it. A sample taken
// at or before the previous one is empty.
func (h *History) Sample(elapsed time.Duration) Sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := Sample{
		Time:       time.Now(),
		ElapsedMS:  transcript.Ms(elapsed),
		IntervalMS: transcript.Ms(max(elapsed-h.lastAt, 0)),
		Timers:     map[string]TimerSample{},
	}
	agg := newAggregate()
	for name, t := range h.rec.timers() {
		if streamOnly[name] && t.count.Load() == 0 {
			continue // no streaming protocol ran (yet): the history is as it always was
		}
		m := t.mark()
		in, qs := intervalLatency(h.marks[name], m)
		s.Timers[name] = TimerSample{Interval: in, Total: t.latency(), Quantiles: qs}
		agg.add(h.marks[name], m)
		h.marks[name] = m
	}
	if len(s.Timers) > 0 {
		a := agg.sample()
		s.Aggregated = &a
	}
	s.Totals = intervalOf(h.rec.total.snapshot())
	s.Conversations = s.Totals.minus(h.last)
	s.Users = h.rec.users.Load()
	s.Cost = h.rec.cost.snapshot()
	h.last, h.lastAt = s.Totals, max(elapsed, h.lastAt)
	if h.keep {
		h.samples = append(h.samples, s)
	}
	return s
}

// Samples returns a copy of the samples taken so far, oldest first (none
// for a NewHistoryStream).
func (h *History) Samples() []Sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Sample(nil), h.samples...)
}

// timers names the Recorder's timed operations as thresholds see them.
// streamOnly names the timers only streamed replies fill: a sample has
// them once there is one.
var streamOnly = map[string]bool{"first_token": true}

func (r *Recorder) timers() map[string]*timer {
	return map[string]*timer{"send": r.send.all, "reply": r.reply.all, "llm": r.llm.all, "conversation": r.conversation,
		"first_token": r.firstToken}
}

// mark reads the timer: its histogram under mu, then censored, failed and
// count, in the order latency does, so count - failed + censored >= timed
// samples.
func (t *timer) mark() timerMark {
	t.mu.Lock()
	m := timerMark{sum: t.sum, hist: t.h.Export()}
	t.mu.Unlock()
	m.censored = t.censored.Load()
	m.failed = t.failed.Load()
	m.count = t.count.Load()
	return m
}

// intervalLatency is the distribution of what was recorded between two
// readings of a timer, and its ReportPercentiles in milliseconds (nil when
// nothing was timed). prev is zero before the first reading.
func intervalLatency(prev, cur timerMark) (Latency, []float64) {
	l := Latency{Count: cur.count - prev.count, Failed: cur.failed - prev.failed, Censored: cur.censored - prev.censored}
	h := hdrhistogram.Import(diffCounts(prev.hist, cur.hist))
	l = histLatency(l, h, cur.sum-prev.sum)
	return l, quantilesMs(h, l.Min, l.Max)
}

// diffCounts is cur with prev's counts taken away; prev may be nil.
func diffCounts(prev, cur *hdrhistogram.Snapshot) *hdrhistogram.Snapshot {
	d := *cur
	d.Counts = append([]int64(nil), cur.Counts...)
	if prev != nil {
		for i := range min(len(prev.Counts), len(d.Counts)) {
			d.Counts[i] -= prev.Counts[i]
		}
	}
	return &d
}

func intervalOf(c Conversations) Interval {
	return Interval{
		Started: c.Started, Succeeded: c.Succeeded, Failed: c.Failed,
		Abandoned: c.Abandoned, Interrupted: c.Interrupted,
	}
}

func (a Interval) minus(b Interval) Interval {
	return Interval{
		Started:     a.Started - b.Started,
		Succeeded:   a.Succeeded - b.Succeeded,
		Failed:      a.Failed - b.Failed,
		Abandoned:   a.Abandoned - b.Abandoned,
		Interrupted: a.Interrupted - b.Interrupted,
	}
}
