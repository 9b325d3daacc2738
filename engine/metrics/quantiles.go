package metrics

import (
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/voyplan/voyplan/engine/transcript"
)

// ReportPercentiles are the percentiles Locust's CSV files carry, in its
// order: stats.csv and history.csv have one column for each.
var ReportPercentiles = []float64{50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100}

// Quantiles reads the percentiles ps (0-100) of the timed operations in d,
// each within the exact min and max; nil when d timed nothing.
func (d Distribution) Quantiles(ps []float64) ([]time.Duration, error) {
	t := newTimer()
	if err := t.absorb(d); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.h.TotalCount() == 0 {
		return nil, nil
	}
	out := make([]time.Duration, len(ps))
	for i, p := range ps {
		out[i] = t.quantile(p)
	}
	return out, nil
}

// Combine adds several distributions into one, as if one timer had recorded
// every operation of them all: the Aggregated row of Locust's stats.csv.
func Combine(ds ...Distribution) (Distribution, error) {
	t := newTimer()
	for _, d := range ds {
		if err := t.absorb(d); err != nil {
			return Distribution{}, err
		}
	}
	return t.distribution()
}

// Latency is d's figures as a Snapshot carries them.
func (d Distribution) Latency() (Latency, error) {
	t := newTimer()
	if err := t.absorb(d); err != nil {
		return Latency{}, err
	}
	return t.latency(), nil
}

// quantilesMs reads ReportPercentiles from h in milliseconds, within
// [lo, hi]; nil when h is empty.
func quantilesMs(h *hdrhistogram.Histogram, lo, hi time.Duration) []float64 {
	if h.TotalCount() == 0 {
		return nil
	}
	out := make([]float64, len(ReportPercentiles))
	for i, p := range ReportPercentiles {
		d := time.Duration(h.ValueAtQuantile(p)) * time.Microsecond
		out[i] = transcript.Ms(min(max(d, lo), hi))
	}
	return out
}

// aggregate is every timer of one sample taken together (Locust's
// Aggregated row): the interval's operations and the run's so far.
type aggregate struct {
	interval, total *hdrhistogram.Histogram
	in, tot         Latency // counts; the timed figures are filled by sample
	inSum, totSum   float64
}

func newAggregate() *aggregate {
	return &aggregate{
		interval: hdrhistogram.New(histLowest, histHighest, histSigFigs),
		total:    hdrhistogram.New(histLowest, histHighest, histSigFigs),
	}
}

// add takes in one timer's interval (prev to cur) and total.
func (a *aggregate) add(prev, cur timerMark) {
	a.interval.Merge(hdrhistogram.Import(diffCounts(prev.hist, cur.hist)))
	a.total.Merge(hdrhistogram.Import(cur.hist))
	a.in.Count += cur.count - prev.count
	a.in.Failed += cur.failed - prev.failed
	a.in.Censored += cur.censored - prev.censored
	a.tot.Count += cur.count
	a.tot.Failed += cur.failed
	a.tot.Censored += cur.censored
	a.inSum += cur.sum - prev.sum
	a.totSum += cur.sum
}

// sample is the aggregate as a TimerSample. Its min and max are the
// histogram's (within 0.1%), not exact as a single timer's are.
func (a *aggregate) sample() TimerSample {
	return TimerSample{
		Interval:  histLatency(a.in, a.interval, a.inSum),
		Total:     histLatency(a.tot, a.total, a.totSum),
		Quantiles: quantilesMs(a.interval, time.Duration(a.interval.Min())*time.Microsecond, time.Duration(a.interval.Max())*time.Microsecond),
	}
}

// histLatency fills l's timed figures from h and the sum of its timings.
func histLatency(l Latency, h *hdrhistogram.Histogram, sum float64) Latency {
	if l.Count > 0 {
		l.ErrorRate = float64(l.Failed) / float64(l.Count)
	}
	n := h.TotalCount()
	if n == 0 {
		return l
	}
	lo, hi := time.Duration(h.Min())*time.Microsecond, time.Duration(h.Max())*time.Microsecond
	q := func(p float64) time.Duration {
		return min(max(time.Duration(h.ValueAtQuantile(p))*time.Microsecond, lo), hi)
	}
	l.Min, l.Max = lo, hi
	l.Avg = min(max(time.Duration(math.Round(sum/float64(n))), lo), hi)
	l.P50, l.P90, l.P95, l.P99 = q(50), q(90), q(95), q(99)
	return l
}
