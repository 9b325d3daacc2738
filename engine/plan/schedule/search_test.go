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
