package schedule

import (
	"math"
	"testing"
	"time"
)

// A ramp takes the rate linearly from the previous stage's to the stage's
// own: arrival k is due when the integral of the rate reaches k.
func TestRampingArrivals(t *testing.T) {
	t.Parallel()
	s := CompileStages([]Stage{
		// 0 → 10/s over 10 s: slope 1/s², arrival k at √(2k) s; 50 in all.
		{Name: "up", Open: true, ArrivalRate: 10, Ramp: 10 * time.Second, Duration: 10 * time.Second, MaxUsers: 100},
		// 10/s → 2/s over 4 s, then 2/s for 6 s: (10+2)/2×4 + 2×6 = 36.
		{Name: "down", Open: true, ArrivalRate: 2, Ramp: 4 * time.Second, Duration: 10 * time.Second, MaxUsers: 100},
		// a step, as without ramp: 3/s for 2 s.
		{Name: "step", Open: true, ArrivalRate: 3, Duration: 2 * time.Second, MaxUsers: 100},
	})
	up, down, step := s.Arrivals[0], s.Arrivals[1], s.Arrivals[2]
	if up.Count != 50 || down.Count != 36 || step.Count != 6 {
		t.Fatalf("counts %d, %d, %d; want 50, 36, 6", up.Count, down.Count, step.Count)
	}
	if up.From != 0 || down.From != 10 || step.Ramp != 0 {
		t.Errorf("ramps from %g and %g, step ramp %s", up.From, down.From, step.Ramp)
	}
	for k, want := range map[int]time.Duration{0: 0, 2: 2 * time.Second, 8: 4 * time.Second, 18: 6 * time.Second, 32: 8 * time.Second} {
		if got := up.At(k); got != want {
			t.Errorf("ramp up: arrival %d at %s, want %s", k, got, want)
		}
	}
	// Ramping down from 10/s: arrival k at t where 10t − t² = k (slope −2/s²);
	// the ramp holds 24 arrivals, then one every 0.5 s.
	for k, wantS := range map[int]float64{0: 0, 9: 1, 16: 2, 21: 3, 24: 4, 25: 4.5, 35: 9.5} {
		if got := down.At(k) - down.Start; math.Abs(got.Seconds()-wantS) > 1e-6 {
			t.Errorf("ramp down: arrival %d at %s after the stage's start, want %gs", k, got, wantS)
		}
	}
	if down.First != 51 || step.First != 87 || s.Started() != 92 {
		t.Errorf("numbering: first %d, %d; started %d", down.First, step.First, s.Started())
	}
	for _, a := range s.Arrivals { // due times rise within the stage
		for k := 1; k < a.Count; k++ {
			if a.At(k) <= a.At(k-1) || a.At(k) >= a.Start+a.Duration {
				t.Fatalf("stage %d: arrival %d at %s after %s", a.Stage, k, a.At(k), a.At(k-1))
			}
		}
	}
}

// Ramping to 0 ends the arrivals with the ramp: the quiet rest of the
// stage starts none.
func TestRampToQuiet(t *testing.T) {
	t.Parallel()
	s := CompileStages([]Stage{
		{Open: true, ArrivalRate: 4, Duration: time.Second, MaxUsers: 10},
		{Open: true, ArrivalRate: 0, Ramp: 2 * time.Second, Duration: 5 * time.Second, MaxUsers: 10},
	})
	a := s.Arrivals[1]
	if a.Count != 4 || a.At(a.Count-1) >= a.Start+a.Ramp {
		t.Errorf("ramp 4/s → 0 over 2 s: %d arrivals, the last at %s; want 4 within the ramp", a.Count, a.At(a.Count-1))
	}
}
