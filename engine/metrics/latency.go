package metrics

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry: microseconds from 1µs to 1h with 3 significant figures,
// so any percentile is within 0.1% of the true value and one histogram takes
// a fixed ~200 KB whether the run lasts a minute or a day.
const (
	histLowest  = 1
	histHighest = int64(time.Hour / time.Microsecond)
	histSigFigs = 3
)

// timer aggregates one timed operation.
//
// count and failed are atomics, bumped before anything else is touched:
// count first, then failed for a failure. mu guards the rest — h holds
// exactly the durations of the successful operations, and min, max and sum
// (exact, in nanoseconds) describe those same samples. Reading h under mu,
// then failed, then count therefore always gives
// count >= failed + h.TotalCount().
type timer struct {
	count  atomic.Int64
	failed atomic.Int64

	mu  sync.Mutex
	h   *hdrhistogram.Histogram
	min time.Duration
	max time.Duration
	sum float64
}

func newTimer() *timer {
	return &timer{h: hdrhistogram.New(histLowest, histHighest, histSigFigs)}
}

// add records one operation; a failed one is counted but not timed.
func (t *timer) add(d time.Duration, ok bool) {
	t.count.Add(1)
	if !ok {
		t.failed.Add(1)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_ = t.h.RecordValue(toMicros(d)) // cannot fail: toMicros clamps to the range
	if t.h.TotalCount() == 1 || d < t.min {
		t.min = d
	}
	t.max = max(t.max, d)
	t.sum += float64(d)
}

// toMicros converts d to whole microseconds within the histogram's range.
func toMicros(d time.Duration) int64 {
	return min(max(d.Microseconds(), histLowest), histHighest)
}

// latency returns the timer's figures.
func (t *timer) latency() Latency {
	t.mu.Lock()
	l := t.timed()
	t.mu.Unlock()
	l.Failed = t.failed.Load()
	l.Count = t.count.Load()
	if l.Count > 0 {
		l.ErrorRate = float64(l.Failed) / float64(l.Count)
	}
	return l
}

// timed returns the distribution of the successful samples. Callers hold mu.
func (t *timer) timed() Latency {
	n := t.h.TotalCount()
	if n == 0 {
		return Latency{}
	}
	return Latency{
		Min: t.min,
		Max: t.max,
		Avg: time.Duration(math.Round(t.sum / float64(n))),
		P50: t.quantile(50),
		P90: t.quantile(90),
		P95: t.quantile(95),
		P99: t.quantile(99),
	}
}

// quantile reads a percentile, never outside the exact [min, max]. Callers
// hold mu.
func (t *timer) quantile(q float64) time.Duration {
	d := time.Duration(t.h.ValueAtQuantile(q)) * time.Microsecond
	return min(max(d, t.min), t.max)
}
