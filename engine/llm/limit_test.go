package llm

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/llm/llmtest"
	"github.com/voyplan/voyplan/engine/plan"
)

// maxInWindow is the most requests that arrived within any window of
// length w.
func maxInWindow(arrivals []time.Time, w time.Duration) int {
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].Before(arrivals[j]) })
	best, j := 0, 0
	for i := range arrivals {
		for arrivals[i].Sub(arrivals[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// TestRequestsPerMinuteHoldAcrossUsers runs 50 users, 3 messages each, on
// one client limited to 3000 requests a minute: a burst of 50 (one
// second's share) and 2950/60 ≈ 49.2 a second after it. Without the shared
// limiter the 150 requests would all land within a few milliseconds.
func TestRequestsPerMinuteHoldAcrossUsers(t *testing.T) {
	t.Parallel()
	const (
		users, turns = 50, 3
		rpm          = 3000
		burst        = rpm / 60
		perSecond    = float64(rpm-burst) / 60
	)
	srv := llmtest.New(func(llmtest.Request) llmtest.Reply { return answer("ok") })
	defer srv.Close()
	c := newClient(t, srv, func(m *plan.LLM) { m.RequestsPerMinute = rpm })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wait time.Duration
	)
	start := time.Now()
	for range users {
		wg.Go(func() {
			ch := newChat(t, c, "persona")
			for range turns {
				_, call, err := ch.Send(ctx, "Olá")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				wait += time.Duration(call.WaitMS * float64(time.Millisecond))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	reqs := srv.Requests()
	if len(reqs) != users*turns {
		t.Fatalf("%d requests, want %d", len(reqs), users*turns)
	}
	arrivals := make([]time.Time, len(reqs))
	for i, r := range reqs {
		arrivals[i] = r.Arrived
	}
	// The token bucket's bound: at most burst + rate × w in any window w,
	// measured where it matters, at the server — so allow 500ms of transit
	// and scheduling jitter (requests released apart arrive bunched when two
	// cores are shared with other test binaries under -race) and one for the
	// window's edge. Unlimited, all 150 would arrive within a few
	// milliseconds, far above every bound here; the elapsed-time check below
	// is the tight one.
	const jitter = 500 * time.Millisecond
	for _, w := range []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second} {
		limit := burst + int(perSecond*(w+jitter).Seconds()) + 1
		if got := maxInWindow(arrivals, w); got > limit {
			t.Errorf("%d requests within %v; the limit allows %d", got, w, limit)
		}
	}
	secs := float64(users*turns-burst) / perSecond
	least := time.Duration(secs * float64(time.Second))
	if elapsed < least*9/10 {
		t.Errorf("150 requests took %v; at %d a minute they need at least %v", elapsed, rpm, least)
	}
	if wait <= 0 {
		t.Error("no limiter wait was reported")
	}
}

// TestTokensPerMinuteHold: each request is estimated at 110 tokens (a
// 396-character system instruction and a 4-character message, ÷ 4, plus
// max_output_tokens 10); 20 of them at 60000 tokens a minute (a burst of
// 1000, then 59000/60 ≈ 983 a second) need about 1.2 s.
func TestTokensPerMinuteHold(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(func(llmtest.Request) llmtest.Reply { return llmtest.Reply{Text: "ok"} })
	defer srv.Close()
	c := newClient(t, srv, func(m *plan.LLM) { m.TokensPerMinute, m.MaxOutputTokens = 60000, 10 })
	system := string(make([]byte, 396))
	var wg sync.WaitGroup
	start := time.Now()
	for range 20 {
		wg.Go(func() {
			if _, _, err := newChat(t, c, system).Send(context.Background(), "Olá!"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	secs := float64(20*110-1000) / (59000.0 / 60)
	least := time.Duration(secs * float64(time.Second))
	if el := time.Since(start); el < least*9/10 {
		t.Errorf("20 requests of ~110 tokens took %v; at 60000 tokens a minute they need at least %v", el, least)
	}
}

func TestPerMinuteBucket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n     int
		burst int
		rate  float64
	}{
		{60, 1, 59.0 / 60},
		{3000, 50, 2950.0 / 60},
		{1, 1, 1.0 / 60},
	}
	for _, tt := range tests {
		l := perMinute(tt.n)
		if l.Burst() != tt.burst || float64(l.Limit()) != tt.rate {
			t.Errorf("perMinute(%d) = burst %d, rate %v; want %d, %v", tt.n, l.Burst(), l.Limit(), tt.burst, tt.rate)
		}
	}
	if perMinute(0) != nil {
		t.Error("perMinute(0) should be no limit")
	}
}

func TestBackoffDelay(t *testing.T) {
	t.Parallel()
	b := Backoff{Base: time.Second, Max: 8 * time.Second, MaxServerDelay: time.Minute}
	for range 50 {
		d := b.start()
		for n := range 6 {
			interval := min(time.Second<<n, 8*time.Second)
			w, ok := d.Next(0)
			if !ok || w < interval/2 || w > interval*3/2+1 {
				t.Fatalf("retry %d: delay %v, want %v ± 50%%", n, w, interval)
			}
		}
	}
	for range 200 {
		w, ok := b.start().Next(5 * time.Second)
		if !ok || w < 5*time.Second || w >= 5*time.Second+500*time.Millisecond {
			t.Fatalf("server delay 5s: waited %v", w)
		}
	}
	if _, ok := b.start().Next(2 * time.Minute); ok {
		t.Error("a server delay over MaxServerDelay should not be waited for")
	}
}
