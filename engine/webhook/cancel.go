package webhook

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// A parked wait must end when its context does. context.AfterFunc per
// wait would do it with a goroutine each: ten thousand conversations cut
// at once by the end of a run were ten thousand goroutines, each growing a
// stack to record its turn — the run's peak memory, higher than all the
// waiting before it (BENCH.md, memory). Instead the waits parked on one
// context (one Done channel: a turn's context carries its span, but is
// done with its conversation's) are listed in one watcher, and when the
// context ends a few goroutines end them, one after another.

// watcher is the waits parked on one Done channel.
type watcher struct {
	done <-chan struct{}
	mu   sync.Mutex
	// parked is nil once the context ended: a wait parked after that
	// ends at once, by its own check.
	parked map[*Mailbox]struct{}
	stop   func() bool // stops the context's call of fire
}

// watchers maps a Done channel to its *watcher while a wait is parked on it.
var watchers sync.Map

// watch lists m's wait under ctx's watcher, made if needed. It returns
// false when ctx can never end (no watcher needed).
func watch(ctx context.Context, m *Mailbox) bool {
	done := ctx.Done()
	if done == nil {
		return false
	}
	for {
		v, ok := watchers.Load(done)
		if !ok {
			w := &watcher{done: done, parked: map[*Mailbox]struct{}{}}
			w.mu.Lock() // fire and unwatch wait for stop
			if v, ok = watchers.LoadOrStore(done, w); !ok {
				w.stop = context.AfterFunc(ctx, w.fire)
			}
			w.mu.Unlock()
		}
		w := v.(*watcher)
		w.mu.Lock()
		if w.parked != nil {
			w.parked[m] = struct{}{}
			w.mu.Unlock()
			return true
		}
		w.mu.Unlock()
		// Fired, or emptied and dropped: this watcher is no more.
		watchers.CompareAndDelete(done, w)
		if ctx.Err() != nil {
			return false // the wait's own check ends it
		}
	}
}

// unwatch takes m's wait off ctx's watcher; the last one out drops it.
func unwatch(ctx context.Context, m *Mailbox) {
	v, ok := watchers.Load(ctx.Done())
	if !ok {
		return
	}
	w := v.(*watcher)
	w.mu.Lock()
	delete(w.parked, m)
	empty := w.parked != nil && len(w.parked) == 0
	stop := w.stop
	if empty {
		w.parked = nil // no wait may join it: watch makes a new one
	}
	w.mu.Unlock()
	if empty {
		watchers.CompareAndDelete(w.done, w)
		stop()
	}
}

// fire ends every wait parked on the watcher's context, on a few
// goroutines (one per CPU), one after another on each: the waiters' done
// run there, and may keep them.
func (w *watcher) fire() {
	w.mu.Lock()
	parked := make([]*Mailbox, 0, len(w.parked))
	for m := range w.parked {
		parked = append(parked, m)
	}
	w.parked = nil
	w.mu.Unlock()
	watchers.CompareAndDelete(w.done, w)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(parked)) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(parked)); i = next.Add(1) - 1 {
				parked[i].check(false)
			}
		})
	}
	wg.Wait()
}
