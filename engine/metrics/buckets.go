package metrics

import (
	"sort"
	"time"
)

// BucketBounds are the upper bounds under which every timer also counts
// its samples as it records them, the buckets of a Prometheus histogram
// (engine/live): from a fast send to a long conversation.
var BucketBounds = [...]time.Duration{
	5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute,
}

// bucketCounts counts a timer's samples by the first bound they do not
// exceed; the last slot holds those above every bound.
type bucketCounts [len(BucketBounds) + 1]uint64

// add counts d. Callers hold the timer's mu.
func (c *bucketCounts) add(d time.Duration) {
	c[sort.Search(len(BucketBounds), func(i int) bool { return d <= BucketBounds[i] })]++
}

// Buckets is one timed operation's samples counted under BucketBounds, the
// shape of a Prometheus histogram: Cumulative[i] is the samples at or
// under BucketBounds[i], Count all of them (the +Inf bucket) and Sum their
// total. The samples are the timed ones of Latency: successful operations
// and, for send, reply and llm, timed-out waits (censored).
type Buckets struct {
	Count      uint64
	Sum        time.Duration
	Cumulative []uint64
}

// BucketNames lists the timed operations Buckets reads, as thresholds name
// them.
var BucketNames = []string{"send", "reply", "llm", "conversation", "first_token", "stall"}

// Buckets returns the named operation's counts under BucketBounds; false
// when no operation has that name. The counts are exact — taken as each
// sample is recorded, not read back from the HDR histogram — and cost a
// copy of a few words under the timer's lock. Only what this Recorder
// recorded is in them: a merge of summaries (absorb) adds none.
func (r *Recorder) Buckets(name string) (Buckets, bool) {
	t, ok := r.allTimers()[name]
	if !ok {
		return Buckets{}, false
	}
	t.mu.Lock()
	counts, sum := t.buckets, t.sum
	t.mu.Unlock()
	b := Buckets{Sum: time.Duration(sum), Cumulative: make([]uint64, len(BucketBounds))}
	for i, n := range counts {
		b.Count += n
		if i < len(BucketBounds) {
			b.Cumulative[i] = b.Count
		}
	}
	return b, true
}
