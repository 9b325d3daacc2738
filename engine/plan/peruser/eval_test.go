package peruser

import "testing"

func TestPick(t *testing.T) {
	t.Parallel()
	e := &Evaluator{Cum: []float64{0, 2, 2, 3, 3}}
	tests := map[float64]int{0: 1, 0.5: 1, 0.66: 1, 0.67: 3, 0.999999: 3, 1: 3}
	for x, want := range tests {
		if got := e.Pick(x); got != want {
			t.Errorf("pick(%v) = %d, want %d", x, got, want)
		}
	}
}
