package retry

import (
	"testing"
	"time"
)

// TestPolicyDoublesUpToTheCapWithJitter: the assistant's waits start near
// the given backoff (200 ms by default) and double up to 5 s, each within
// ±50%.
func TestPolicyDoublesUpToTheCapWithJitter(t *testing.T) {
	t.Parallel()
	for first, want := range map[time.Duration][]time.Duration{
		time.Second: {time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second},
		0:           {defaultBackoff, 2 * defaultBackoff, 4 * defaultBackoff},
	} {
		d := policy(first).Start()
		for i, w := range want {
			got, ok := d.Next(0)
			if !ok || got < w/2 || got > w*3/2+1 {
				t.Errorf("backoff %v: wait %d = %v, want %v ± 50%%", first, i+1, got, w)
			}
		}
	}
}
