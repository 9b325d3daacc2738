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
// An operation ends one of three ways: it succeeded (counted and timed), it
// timed out (counted, failed, censored, and timed at the time it waited:
// its true duration is at least that), or it failed otherwise (counted and
// failed, not timed: a refused connection says nothing about latency).
//
// count, failed and censored are atomics, bumped before anything else is
// touched, in that order. mu guards the rest — h holds exactly the
// durations of the successful and the censored operations, and min, max,
// sum (exact, in nanoseconds) and buckets describe those same samples.
// Reading h under mu, then censored, then failed, then count therefore
// always gives count - failed + censored >= h.TotalCount().
type timer struct {
	count    atomic.Int64
	failed   atomic.Int64
	censored atomic.Int64

	mu      sync.Mutex
	h       *hdrhistogram.Histogram
	min     time.Duration
	max     time.Duration
	sum     float64
	buckets bucketCounts // the same samples under BucketBounds
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
	t.time(d)
}

// censor records an operation that timed out after waiting d: it is
// counted as failed and censored, and timed at d.
func (t *timer) censor(d time.Duration) {
	t.count.Add(1)
	t.failed.Add(1)
	t.censored.Add(1)
	t.time(d)
}

// time adds d to the distribution.
func (t *timer) time(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_ = t.h.RecordValue(toMicros(d)) // cannot fail: toMicros clamps to the range
	if t.h.TotalCount() == 1 || d < t.min {
		t.min = d
	}
	t.max = max(t.max, d)
	t.sum += float64(d)
	t.buckets.add(d)
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
	l.Censored = t.censored.Load()
	l.Failed = t.failed.Load()
	l.Count = t.count.Load()
	if l.Count > 0 {
		l.ErrorRate = float64(l.Failed) / float64(l.Count)
	}
	return l
}

// timed returns the distribution of the timed samples. Callers hold mu.
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

// pair is a timed operation kept twice: all of it, timed-out waits
// censored in (what thresholds call send, reply, llm), and its successful
// operations only (send_ok, reply_ok, llm_ok), where a timed-out wait is
// counted as failed and not timed — the figures every operation had before
// timed-out waits were censored in.
type pair struct{ all, ok *timer }

func newPair() pair { return pair{all: newTimer(), ok: newTimer()} }

func (p pair) add(d time.Duration, ok bool) {
	p.all.add(d, ok)
	p.ok.add(d, ok)
}

func (p pair) timedOut(d time.Duration) {
	p.all.censor(d)
	p.ok.add(d, false)
}
