package schedule

import (
	"slices"
	"testing"
	"time"
)

// TestCapacitySearch: doubling from From until a step fails, then
// bisecting, against a known knee; the steps are exactly those.
func TestCapacitySearch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    Capacity
		knee float64 // loads up to knee hold
		want []float64
	}{
		{"users", Capacity{Vary: VaryUsers, From: 1, To: 64, Steps: 8}, 12, []float64{1, 2, 4, 8, 16, 12, 14, 13}},
		{"users, few steps", Capacity{Vary: VaryUsers, From: 1, To: 64, Steps: 5}, 12, []float64{1, 2, 4, 8, 16}},
		{"to holds", Capacity{Vary: VaryUsers, From: 2, To: 10, Steps: 8}, 100, []float64{2, 4, 8, 10}},
		{"from fails", Capacity{Vary: VaryUsers, From: 2, To: 10, Steps: 8}, 1, []float64{2}},
		{"adjacent users", Capacity{Vary: VaryUsers, From: 1, To: 64, Steps: 20}, 4, []float64{1, 2, 4, 8, 6, 5}},
		{"rate", Capacity{Vary: VaryArrivalRate, From: 0.5, To: 8, Steps: 6}, 1.3, []float64{0.5, 1, 2, 1.5, 1.25, 1.375}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var tried []Tried
			var got []float64
			for load, ok := tt.c.Next(nil); ok; load, ok = tt.c.Next(tried) {
				got = append(got, load)
				tried = append(tried, Tried{Load: load, Held: load <= tt.knee})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("steps %v; want %v", got, tt.want)
			}
		})
	}
}

func TestCapacityWorst(t *testing.T) {
	t.Parallel()
	c := Capacity{Vary: VaryUsers, From: 1, To: 64, Steps: 8, Ramp: 20 * time.Second, Hold: 2 * time.Minute}
	if c.Worst() != 8*140*time.Second || c.PeakLoad() != 64 {
		t.Errorf("worst %v, peak %v; want 18m40s, 64", c.Worst(), c.PeakLoad())
	}
}

// An arrival_rate step is one stage of arrivals through its ramp and
// hold: evenly spaced across the two, Before splitting them, numbered on.
func TestCapacityStepArrivals(t *testing.T) {
	t.Parallel()
	c := Capacity{Vary: VaryArrivalRate, From: 1, To: 8, Steps: 4, Ramp: 2 * time.Second, Hold: 4 * time.Second, MaxUsers: 7}
	a := c.StepArrivals(1.5, 10*time.Second, c.Ramp+c.Hold, 21)
	if a.Count != 9 || a.First != 21 || a.MaxUsers != 7 || a.At(0) != 10*time.Second {
		t.Fatalf("arrivals %+v; want 9 from user 21, the first at 10s", a)
	}
	if n := a.Before(12 * time.Second); n != 3 || a.At(n) < 12*time.Second || a.At(n-1) >= 12*time.Second {
		t.Errorf("%d arrivals before the hold (12s); want 3 (0s, 0.67s, 1.33s into the step)", n)
	}
	if w := c.WorstStages(); len(w) != 1 || !w[0].Open || w[0].ArrivalRate != 8 || w[0].MaxUsers != 7 || w[0].Duration != 24*time.Second {
		t.Errorf("worst %+v; want 8/s open for 24s, max_users 7", w)
	}
	if c.Pauses() != 3 || (Capacity{Vary: VaryUsers, Steps: 4}).Pauses() != 3 {
		t.Errorf("pauses %d; want 3, over users too (a step down waits for the users it retired)", c.Pauses())
	}
}
