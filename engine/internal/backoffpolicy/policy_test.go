package backoffpolicy

import (
	"net/http"
	"testing"
	"time"
)

// TestExponentialWithJitter: the n-th wait lies within ±50% of Base × 2ⁿ
// capped at Max, and the waits of one request are not all the same.
func TestExponentialWithJitter(t *testing.T) {
	t.Parallel()
	p := Policy{Base: time.Second, Max: 8 * time.Second}
	seen := map[time.Duration]bool{}
	for range 100 {
		d := p.Start()
		for n := range 6 {
			interval := min(time.Second<<n, 8*time.Second)
			w, ok := d.Next(0)
			lo, hi := time.Duration(float64(interval)*(1-Jitter)), time.Duration(float64(interval)*(1+Jitter))+1
			if !ok || w < lo || w > hi {
				t.Fatalf("wait %d = %v (ok %v); want in [%v, %v]", n, w, ok, lo, hi)
			}
			if n == 0 {
				seen[w] = true
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("100 first waits took %d values: no jitter", len(seen))
	}
}

func TestServerDelay(t *testing.T) {
	t.Parallel()
	p := Policy{Base: time.Second, Max: 8 * time.Second, MaxServerDelay: time.Minute}
	for range 200 {
		w, ok := p.Start().Next(5 * time.Second)
		if !ok || w < 5*time.Second || w >= 5*time.Second+500*time.Millisecond {
			t.Fatalf("server delay 5s: waited %v", w)
		}
	}
	if _, ok := p.Start().Next(2 * time.Minute); ok {
		t.Error("a server delay over MaxServerDelay should not be waited for")
	}
	if w, ok := (Policy{Base: time.Second}).Start().Next(time.Hour); !ok || w < time.Hour {
		t.Errorf("no MaxServerDelay: waited %v, %v; want the hour", w, ok)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"7": 7 * time.Second, " 1.5 ": 1500 * time.Millisecond, "": 0, "soon": 0, "-3": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Minute).Format(http.TimeFormat):     0,
	} {
		if got := RetryAfter(v, now); got != want {
			t.Errorf("RetryAfter(%q) = %v; want %v", v, got, want)
		}
	}
}
