// Package wake ends parked waits when their context ends, with no
// goroutine per wait.
//
// A wait that holds no goroutine (a conversation waiting on its reply in
// a webhook mailbox, or thinking before its next message) must still end
// when its context does. context.AfterFunc per wait would end it with a
// goroutine each: ten thousand conversations cut at once by the end of a
// run were ten thousand goroutines, each growing a stack to record its
// turn — the run's peak memory, higher than all the waiting before it
// (BENCH.md, memory). Instead the waits parked on one context (one Done
// channel: a turn's context carries its span but is done with its
// conversation's) are listed under one watcher, and when the context ends
// a few goroutines, one per CPU, wake them one after another.
//
// It owns nothing else: what a wait is, and what waking it does, is its
// owner's.
package wake

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Waiter is a parked wait, woken once when its context ends (unless
// Unwatch came first). Wake runs on one of a few goroutines that wake the
// context's waits one after another, and may keep it: the wait's owner
// goes on there.
type Waiter interface{ Wake() }

// watcher is the waits parked on one Done channel.
type watcher struct {
	done <-chan struct{}
	mu   sync.Mutex
	// parked is nil once the watcher is over (fired, or emptied): a wait
	// cannot join it, Watch makes another.
	parked map[Waiter]struct{}
	stop   func() bool // stops the context's call of fire
}

// watchers maps a Done channel to its *watcher while a wait is parked on it.
var watchers sync.Map

// Watch lists w under ctx's watcher, made if needed, and reports whether
// it did (then w may be woken, and is to be Unwatched when its wait ends
// otherwise). It does not when ctx can never end or has ended. A context
// may end at any moment, so the caller checks ctx.Err() itself once its
// wait is published, and w's Wake and that check must end the wait once
// between them.
func Watch(ctx context.Context, w Waiter) bool {
	done := ctx.Done()
	if done == nil || ctx.Err() != nil {
		return false
	}
	for {
		v, ok := watchers.Load(done)
		if !ok {
			n := &watcher{done: done, parked: map[Waiter]struct{}{}}
			n.mu.Lock() // fire and Unwatch wait for stop
			if v, ok = watchers.LoadOrStore(done, n); !ok {
				n.stop = context.AfterFunc(ctx, n.fire)
			}
			n.mu.Unlock()
		}
		wt := v.(*watcher)
		wt.mu.Lock()
		if wt.parked != nil {
			wt.parked[w] = struct{}{}
			wt.mu.Unlock()
			return true
		}
		wt.mu.Unlock()
		watchers.CompareAndDelete(done, wt) // over: make another, unless ctx ended
		if ctx.Err() != nil {
			return false
		}
	}
}

// Unwatch takes w off ctx's watcher, if it is listed; the last one out
// drops the watcher.
func Unwatch(ctx context.Context, w Waiter) {
	v, ok := watchers.Load(ctx.Done())
	if !ok {
		return
	}
	wt := v.(*watcher)
	wt.mu.Lock()
	delete(wt.parked, w)
	empty := wt.parked != nil && len(wt.parked) == 0
	stop := wt.stop
	if empty {
		wt.parked = nil
	}
	wt.mu.Unlock()
	if empty {
		watchers.CompareAndDelete(wt.done, wt)
		stop()
	}
}

// fire wakes every wait parked on the watcher's context, on a few
// goroutines (one per CPU), one after another on each.
func (wt *watcher) fire() {
	wt.mu.Lock()
	parked := make([]Waiter, 0, len(wt.parked))
	for w := range wt.parked {
		parked = append(parked, w)
	}
	wt.parked = nil
	wt.mu.Unlock()
	watchers.CompareAndDelete(wt.done, wt)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(parked)) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(parked)); i = next.Add(1) - 1 {
				parked[i].Wake()
			}
		})
	}
	wg.Wait()
}
