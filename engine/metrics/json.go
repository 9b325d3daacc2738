package metrics

import (
	"encoding/json"
	"math"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// latencyJSON is Latency as summary.json carries it: the same keys, with
// durations in milliseconds (floats, microsecond resolution).
type latencyJSON struct {
	Count     int64   `json:"count"`
	Failed    int64   `json:"failed"`
	Censored  int64   `json:"censored"`
	ErrorRate float64 `json:"error_rate"`
	Min       float64 `json:"min"`
	Avg       float64 `json:"avg"`
	P50       float64 `json:"p50"`
	P90       float64 `json:"p90"`
	P95       float64 `json:"p95"`
	P99       float64 `json:"p99"`
	Max       float64 `json:"max"`
	Attempts  int64   `json:"attempts,omitempty"`
}

// MarshalJSON writes durations as milliseconds.
func (l Latency) MarshalJSON() ([]byte, error) {
	return json.Marshal(latencyJSON{
		Count:     l.Count,
		Failed:    l.Failed,
		Censored:  l.Censored,
		ErrorRate: l.ErrorRate,
		Min:       transcript.Ms(l.Min),
		Avg:       transcript.Ms(l.Avg),
		P50:       transcript.Ms(l.P50),
		P90:       transcript.Ms(l.P90),
		P95:       transcript.Ms(l.P95),
		P99:       transcript.Ms(l.P99),
		Max:       transcript.Ms(l.Max),
		Attempts:  l.Attempts,
	})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (l *Latency) UnmarshalJSON(b []byte) error {
	var j latencyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*l = Latency{
		Count:     j.Count,
		Failed:    j.Failed,
		Censored:  j.Censored,
		ErrorRate: j.ErrorRate,
		Min:       fromMs(j.Min),
		Avg:       fromMs(j.Avg),
		P50:       fromMs(j.P50),
		P90:       fromMs(j.P90),
		P95:       fromMs(j.P95),
		P99:       fromMs(j.P99),
		Max:       fromMs(j.Max),
		Attempts:  j.Attempts,
	}
	return nil
}

// fromMs converts milliseconds back to a duration, to the nearest nanosecond.
func fromMs(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}
