package report

import (
	"math"
	"sort"

	"github.com/voyplan/voyplan/engine/transcript"
)

// Samples are the timings of a run's operations, in milliseconds, read back
// from its conversations: the raw material of the latency histograms and of
// the bootstrap in Compare. Each metric holds what the metric of that name
// times (see metrics.Recorder): the sends that were accepted, the replies
// that came, the LLM generations and the completed conversations — each
// timing tagged with the conversation it belongs to, since the timings of
// one conversation are not independent of each other.
type Samples struct {
	Conversations int // every conversation read, timed or not
	timings       map[string][]timing
}

// timing is one sample and the index of its conversation.
type timing struct {
	ms   float64
	conv int32
}

func newSamples() *Samples { return &Samples{timings: map[string][]timing{}} }

// add takes one conversation's timings.
func (s *Samples) add(c *transcript.Conversation) {
	conv := int32(s.Conversations)
	s.Conversations++
	put := func(metric string, ms float64) {
		s.timings[metric] = append(s.timings[metric], timing{ms, conv})
	}
	for _, t := range c.Turns {
		if t.Status >= 200 && t.Status < 300 {
			put("send", t.SendMS)
		}
		if t.ReplyMS != nil {
			put("reply", *t.ReplyMS)
		}
		if t.LLM != nil {
			put("llm", t.LLM.MS)
		}
	}
	if c.Outcome == transcript.Completed {
		put("conversation", c.DurationMS)
	}
}

// Values returns a metric's timings, in milliseconds, in the order read.
func (s *Samples) Values(metric string) []float64 {
	ts := s.timings[metric]
	out := make([]float64, len(ts))
	for i, t := range ts {
		out[i] = t.ms
	}
	return out
}

// ReadSamples reads the timings of every conversation in a
// conversations.jsonl file.
func ReadSamples(path string) (*Samples, error) {
	s := newSamples()
	err := ScanJSONL(path, func(c *transcript.Conversation) error {
		s.add(c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

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
	h.P50, h.P95, h.P99 = quantile(xs, 0.50), quantile(xs, 0.95), quantile(xs, 0.99)
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

// quantile is the q-quantile of sorted xs by the nearest rank, the
// definition HDR histograms use: the smallest x with at least q·n samples
// at or below it.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[rank(len(sorted), q)-1]
}

// rank is the 1-based nearest rank of the q-quantile of n samples.
func rank(n int, q float64) int {
	return min(max(int(math.Ceil(q*float64(n))), 1), n)
}
