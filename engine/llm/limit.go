package llm

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/voyplan/voyplan/engine/internal/wait"
)

// limits are the client-side quotas of one llm block, shared by every
// virtual user of a run: requests per minute and tokens per minute. A nil
// limiter means no limit. rate.Limiter is safe for concurrent use.
type limits struct {
	requests *rate.Limiter
	tokens   *rate.Limiter
	// mu serialises reading the clock with reserving: x/time/rate takes
	// the time it is given as its last update even when an earlier caller
	// already passed a later one, and then counts the interval between the
	// two twice — under load (a goroutine descheduled between time.Now and
	// the limiter's lock) that let bursts through above the quota. Under mu,
	// the times the limiters see never go backwards.
	mu sync.Mutex
}

func newLimits(rpm, tpm int) *limits {
	return &limits{requests: perMinute(rpm), tokens: perMinute(tpm)}
}

// perMinute returns a token bucket that lets through at most n events in
// any 60-second window: a burst of one second's share and a refill rate of
// the rest, so burst + 60 s × rate = n. Nil when n is 0 (no limit).
func perMinute(n int) *rate.Limiter {
	if n <= 0 {
		return nil
	}
	burst := max(1, n/60)
	refill := float64(n-burst) / 60
	if refill <= 0 { // n = 1: one a minute, the window bound is approximate
		refill = float64(n) / 60
	}
	return rate.NewLimiter(rate.Limit(refill), burst)
}

// wait blocks until one request with about tokens tokens may go, and
// returns how long it waited. The error is the context's.
func (l *limits) wait(ctx context.Context, tokens int64) (time.Duration, error) {
	start := time.Now()
	if l.requests != nil {
		if err := l.waitN(ctx, l.requests, 1); err != nil {
			return time.Since(start), err
		}
	}
	err := l.take(ctx, l.tokens, tokens)
	return time.Since(start), err
}

// take waits for n tokens from lim, in pieces no larger than its burst.
func (l *limits) take(ctx context.Context, lim *rate.Limiter, n int64) error {
	if lim == nil {
		return nil
	}
	for n > 0 {
		k := min(n, int64(lim.Burst()))
		if err := l.waitN(ctx, lim, int(k)); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// waitN reserves n tokens of lim at a time read under mu, then waits until
// they are due, or ctx ends (and the reservation is given back).
func (l *limits) waitN(ctx context.Context, lim *rate.Limiter, n int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	now := time.Now()
	r := lim.ReserveN(now, n)
	l.mu.Unlock()
	if !r.OK() { // n is never over the burst: take splits it
		return fmt.Errorf("cannot take %d tokens from a limiter of burst %d", n, lim.Burst())
	}
	if wait.For(ctx, r.DelayFrom(now)) {
		return nil
	}
	l.mu.Lock()
	r.CancelAt(time.Now())
	l.mu.Unlock()
	return ctx.Err()
}

// owe charges tokens the estimate missed, without waiting: the requests
// after this one wait for them.
func (l *limits) owe(n int64) {
	lim := l.tokens
	if lim == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for n > 0 {
		k := min(n, int64(lim.Burst()))
		lim.ReserveN(now, int(k))
		n -= k
	}
}
