package llm

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// limits are the client-side quotas of one llm block, shared by every
// virtual user of a run: requests per minute and tokens per minute. A nil
// limiter means no limit. rate.Limiter is safe for concurrent use.
type limits struct {
	requests *rate.Limiter
	tokens   *rate.Limiter
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
		if err := l.requests.Wait(ctx); err != nil {
			return time.Since(start), err
		}
	}
	err := take(ctx, l.tokens, tokens)
	return time.Since(start), err
}

// take waits for n tokens from lim, in pieces no larger than its burst.
func take(ctx context.Context, lim *rate.Limiter, n int64) error {
	if lim == nil {
		return nil
	}
	for n > 0 {
		k := min(n, int64(lim.Burst()))
		if err := lim.WaitN(ctx, int(k)); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// owe charges tokens the estimate missed, without waiting: the requests
// after this one wait for them.
func (l *limits) owe(n int64) {
	lim := l.tokens
	if lim == nil {
		return
	}
	now := time.Now()
	for n > 0 {
		k := min(n, int64(lim.Burst()))
		lim.ReserveN(now, int(k))
		n -= k
	}
}
