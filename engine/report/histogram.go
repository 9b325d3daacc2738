package report

import (
	"math"
	"sort"

	"github.com/voyplan/voyplan/engine/verdict"
)

// Histogram is a latency distribution as report.html draws it: equal-width
// bins in milliseconds; what lies above the last bin is counted in Over.
type Histogram struct {
	Count int64   `json:"count"`
	Bins  []Bin   `json:"bins"`
	Over  int64   `json:"over"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
}

// Bin is [Lo, Hi) milliseconds holding N samples.
type Bin struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
	N  int64   `json:"n"`
}

// histogramBins is about how many bins a histogram has.
const histogramBins = 30

// histogramOf bins xs (sorted in place): about 30 bins of a round width
// from below the smallest sample to the largest, or to the p99 when the
// tail is long (the rest counted in Over).
func histogramOf(xs []float64) *Histogram {
	h := &Histogram{Count: int64(len(xs)), Bins: []Bin{}}
	if len(xs) == 0 {
		return h
	}
	sort.Float64s(xs)
	h.P50, h.P95, h.P99 = verdict.Quantile(xs, 0.50), verdict.Quantile(xs, 0.95), verdict.Quantile(xs, 0.99)
	lo, hi := xs[0], xs[len(xs)-1]
	if hi > lo+2*(h.P99-lo) {
		hi = h.P99
	}
	width := niceStep((hi - lo) / histogramBins)
	start := math.Floor(lo/width) * width
	n := int(math.Floor((hi-start)/width)) + 1
	h.Bins = make([]Bin, n)
	for i := range h.Bins {
		h.Bins[i] = Bin{Lo: round6(start + float64(i)*width), Hi: round6(start + float64(i+1)*width)}
	}
	for _, x := range xs {
		i := int(math.Floor((x - start) / width))
		if i >= n {
			h.Over++
			continue
		}
		h.Bins[max(i, 0)].N++
	}
	return h
}

// niceStep rounds a bin width up to 1, 2 or 5 times a power of ten; at
// least a microsecond.
func niceStep(w float64) float64 {
	if w <= 0.001 || math.IsNaN(w) {
		return 0.001
	}
	p := math.Pow(10, math.Floor(math.Log10(w)))
	for _, m := range []float64{1, 2, 5, 10} {
		if w <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
