package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"time"
)

// Turn is what the benchmarks read of one turn of conversations.jsonl.
type Turn struct {
	SentAt    time.Time     // the POST's start (voyplan's wall clock)
	Replied   bool          // a reply came
	Measured  time.Duration // reply_ms: what voyplan measured (streamed: first_token_ms)
	SimSentAt time.Time     // sim_sent_at: when the simulator sent the callback (streamed: the first content chunk); zero if absent
}

// True is the real reply latency, from the POST's start to the moment the
// simulator sent the callback; ok is false without a stamp.
func (t Turn) True() (time.Duration, bool) {
	if !t.Replied || t.SimSentAt.IsZero() {
		return 0, false
	}
	return t.SimSentAt.Sub(t.SentAt), true
}

// turnLine is the subset of a conversations.jsonl line the benchmarks need.
type turnLine struct {
	Turns []struct {
		SentAt    time.Time  `json:"sent_at"`
		ReplyMS   *float64   `json:"reply_ms"`
		SimSentAt *time.Time `json:"sim_sent_at"`
		Stream    *struct {
			FirstTokenMS *float64 `json:"first_token_ms"`
		} `json:"stream"`
	} `json:"turns"`
}

// ReadTurns streams conversations.jsonl and keeps every turn's timings.
func ReadTurns(path string) ([]Turn, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the run's conversations: %w", err)
	}
	defer f.Close()
	var out []Turn
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		var line turnLine
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		for _, t := range line.Turns {
			turn := Turn{SentAt: t.SentAt, Replied: t.ReplyMS != nil}
			if t.ReplyMS != nil {
				turn.Measured = time.Duration(math.Round(*t.ReplyMS * float64(time.Millisecond)))
			}
			if t.SimSentAt != nil {
				turn.SimSentAt = *t.SimSentAt
			}
			if t.Stream != nil && t.Stream.FirstTokenMS != nil { // a streamed reply: its stamp is the first chunk's
				turn.Measured = time.Duration(math.Round(*t.Stream.FirstTokenMS * float64(time.Millisecond)))
			}
			out = append(out, turn)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return out, nil
}

// Within keeps the turns sent in [from, to).
func Within(turns []Turn, from, to time.Time) []Turn {
	var out []Turn
	for _, t := range turns {
		if !t.SentAt.Before(from) && t.SentAt.Before(to) {
			out = append(out, t)
		}
	}
	return out
}

// Rate is how many turns were sent per second over a window: on average,
// and in its slowest whole second.
type Rate struct {
	Avg    float64 `json:"avg"`
	MinSec float64 `json:"min_1s"`
}

// RateOf counts the turns sent in [from, to) by whole second.
func RateOf(turns []Turn, from, to time.Time) Rate {
	secs := int(to.Sub(from) / time.Second)
	if secs <= 0 {
		return Rate{}
	}
	counts := make([]int, secs)
	total := 0
	for _, t := range turns {
		if i := int(t.SentAt.Sub(from) / time.Second); !t.SentAt.Before(from) && i < secs {
			counts[i]++
			total++
		}
	}
	return Rate{Avg: float64(total) / float64(secs), MinSec: float64(slices.Min(counts))}
}

// Dist is a distribution in microseconds at the quantiles the benchmarks
// report, computed exactly from every sample (they are few enough to sort).
type Dist struct {
	N   int     `json:"n"`
	Min float64 `json:"min_us"`
	P10 float64 `json:"p10_us"`
	P50 float64 `json:"p50_us"`
	P90 float64 `json:"p90_us"`
	P99 float64 `json:"p99_us"`
	Max float64 `json:"max_us"`
}

// DistOf sorts samples (in place) and reads its quantiles by nearest rank.
func DistOf(samples []time.Duration) Dist {
	if len(samples) == 0 {
		return Dist{}
	}
	slices.Sort(samples)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	return Dist{
		N: len(samples), Min: us(samples[0]), Max: us(samples[len(samples)-1]),
		P10: us(Quantile(samples, 0.10)), P50: us(Quantile(samples, 0.50)),
		P90: us(Quantile(samples, 0.90)), P99: us(Quantile(samples, 0.99)),
	}
}

// Quantile is the nearest-rank q-quantile of sorted samples: the smallest
// value with at least q of the samples at or below it.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Errors returns, for every answered turn with a simulator stamp, measured
// minus true reply latency, and how many answered turns had no stamp.
func Errors(turns []Turn) (errs []time.Duration, unstamped int) {
	for _, t := range turns {
		truth, ok := t.True()
		switch {
		case ok:
			errs = append(errs, t.Measured-truth)
		case t.Replied:
			unstamped++
		}
	}
	return errs, unstamped
}

// Measured returns the reply latencies voyplan measured.
func Measured(turns []Turn) []time.Duration {
	var out []time.Duration
	for _, t := range turns {
		if t.Replied {
			out = append(out, t.Measured)
		}
	}
	return out
}
