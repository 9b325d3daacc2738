package schedule

import (
	"testing"
	"time"
)

// TestArrivalCountIsAboutRateTimesDuration checks the count against rate ×
// duration over many shapes, fractional ones included.
func TestArrivalCountIsAboutRateTimesDuration(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{0.1, 0.3, 1, 2.5, 3, 7, 20, 33.3, 1000} {
		for _, d := range []time.Duration{time.Millisecond, 999 * time.Millisecond, time.Second, 1500 * time.Millisecond, 10 * time.Second, time.Hour} {
			st := Stage{Open: true, ArrivalRate: rate, Duration: d, MaxUsers: 1}
			n := arrivals(st, 0, 0, 0).Count
			exact := rate * d.Seconds()
			if float64(n) < exact-1e-9 || float64(n) > exact+1 {
				t.Errorf("%g/s for %s: %d arrivals, want ⌈%g⌉", rate, d, n, exact)
			}
		}
	}
}

// TestArrivalCountVanishingRate: a rate so small that its second arrival
// lies beyond any Duration still compiles, to one arrival.
func TestArrivalCountVanishingRate(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{1e-9, 1e-12, 1e-300} {
		if n := arrivals(Stage{Open: true, ArrivalRate: rate, Duration: time.Hour}, 0, 0, 0).Count; n != 1 {
			t.Errorf("%g/s for an hour: %d arrivals, want 1", rate, n)
		}
	}
}
