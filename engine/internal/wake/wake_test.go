package wake

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// counter is a Waiter that counts its wakes, each held until hold closes.
type counter struct {
	woke *atomic.Int64
	hold chan struct{}
}

func (c *counter) Wake() {
	c.woke.Add(1)
	if c.hold != nil {
		<-c.hold
	}
}

// Every wait watched on a context is woken exactly once when it ends, by
// at most one goroutine per CPU, and the watcher is gone after.
func TestWakesEveryWaitOnceOnFewGoroutines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var woke atomic.Int64
		hold := make(chan struct{})
		const n = 1000
		for range n {
			if !Watch(ctx, &counter{woke: &woke, hold: hold}) {
				t.Fatal("Watch on a live context: false")
			}
		}
		if watching() != 1 {
			t.Fatalf("%d watchers for one context, want 1", watching())
		}
		before := runtime.NumGoroutine()
		cancel()
		synctest.Wait() // every waking goroutine is now held in a Wake
		if extra := runtime.NumGoroutine() - before; extra > runtime.GOMAXPROCS(0)+1 {
			t.Errorf("%d goroutines waking %d waits, want at most one per CPU (%d) and the context's", extra, n, runtime.GOMAXPROCS(0))
		}
		close(hold)
		synctest.Wait()
		if woke.Load() != n {
			t.Errorf("%d of %d waits woken", woke.Load(), n)
		}
		if watching() != 0 {
			t.Errorf("%d watchers left after their context ended", watching())
		}
		if Watch(ctx, &counter{woke: &woke}) {
			t.Error("Watch on an ended context: true")
		}
	})
}

// A wait taken off before its context ends is not woken; the last one off
// drops the watcher, and the next Watch makes a new one.
func TestUnwatchedWaitsAreNotWoken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var woke atomic.Int64
		a, b := &counter{woke: &woke}, &counter{woke: &woke}
		Watch(ctx, a)
		Watch(ctx, b)
		Unwatch(ctx, a)
		Unwatch(ctx, b)
		if watching() != 0 {
			t.Fatalf("%d watchers after the last wait left, want 0", watching())
		}
		c := &counter{woke: &woke}
		Watch(ctx, c)
		Unwatch(ctx, a) // not listed: nothing
		cancel()
		synctest.Wait()
		if woke.Load() != 1 {
			t.Errorf("%d woken, want only the one still watched", woke.Load())
		}
		if Watch(context.Background(), c) {
			t.Error("Watch on a context that never ends: true")
		}
	})
}

// watching counts the watchers (for tests).
func watching() int {
	n := 0
	watchers.Range(func(any, any) bool { n++; return true })
	return n
}
