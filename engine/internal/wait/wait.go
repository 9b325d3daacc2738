// Package wait is the engine's one context-aware sleep: wait d, or less
// when ctx ends (or a stop channel is closed) first. Backoffs between
// retries (engine/protocol/retry, engine/llm), think time (engine/run) and
// the fixtures' latencies wait through it instead of each holding a copy of
// the timer-and-select.
//
// It owns nothing else: no clock, no schedule.
package wait

import (
	"context"
	"time"
)

// For waits d; false when ctx ended first. With d ≤ 0 it does not wait,
// and reports whether ctx is still live.
func For(ctx context.Context, d time.Duration) bool {
	return ForOrStop(ctx, d, nil)
}

// ForOrStop is For that also gives up, false, when stop is closed (a nil
// stop never is).
func ForOrStop(ctx context.Context, d time.Duration, stop <-chan struct{}) bool {
	select {
	case <-stop:
		return false
	default:
	}
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	case <-t.C:
		return true
	}
}
