package verdict

import (
	"math"

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

// NewSamples is no timings yet; Add takes each conversation's.
func NewSamples() *Samples { return &Samples{timings: map[string][]timing{}} }

// Add takes one conversation's timings (transcript.Conversation.Timings:
// reply holds the timed-out waits, censored, as the live metric does).
func (s *Samples) Add(c *transcript.Conversation) {
	conv := int32(s.Conversations)
	s.Conversations++
	for t := range c.Timings() {
		s.timings[t.Metric] = append(s.timings[t.Metric], timing{t.MS, conv})
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

// Quantile is the q-quantile of sorted xs by the nearest rank, the
// definition HDR histograms use: the smallest x with at least q·n samples
// at or below it.
func Quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[rank(len(sorted), q)-1]
}

// rank is the 1-based nearest rank of the q-quantile of n samples.
func rank(n int, q float64) int {
	return min(max(int(math.Ceil(q*float64(n))), 1), n)
}
