package metrics

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Buckets is one timed operation's samples counted under ascending bounds,
// the shape of a Prometheus histogram: Cumulative[i] is the samples at or
// under Bounds[i], Count all of them (the +Inf bucket) and Sum their total.
// The samples are the timed ones of Latency: successful operations and,
// for send, reply and llm, timed-out waits (censored).
type Buckets struct {
	Count      uint64
	Sum        time.Duration
	Cumulative []uint64
}

// BucketNames lists the timed operations Buckets reads, as thresholds name
// them.
var BucketNames = []string{"send", "reply", "llm", "conversation", "first_token", "stall"}

// Buckets counts the named operation's timed samples under each of bounds
// (ascending); false when no operation has that name. A sample is counted
// under the first bound that its HDR bucket's lowest equivalent value does
// not exceed, so a count is exact up to the histogram's precision (0.1%
// of the bound). The histogram is copied under the timer's lock and read
// outside it: recording never waits for an exporter.
func (r *Recorder) Buckets(name string, bounds []time.Duration) (Buckets, bool) {
	t, ok := r.allTimers()[name]
	if !ok {
		return Buckets{}, false
	}
	t.mu.Lock()
	snap, sum := t.h.Export(), t.sum
	t.mu.Unlock()
	h := hdrhistogram.Import(snap)
	b := Buckets{Count: uint64(h.TotalCount()), Sum: time.Duration(sum), Cumulative: make([]uint64, len(bounds))}
	if b.Count == 0 {
		return b, true
	}
	limits := make([]int64, len(bounds))
	for i, d := range bounds {
		limits[i] = d.Microseconds()
	}
	for _, bar := range h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		for i := range limits { // few bounds: a scan beats a search
			if bar.From <= limits[i] {
				b.Cumulative[i] += uint64(bar.Count)
			}
		}
	}
	return b, true
}
