package offstack

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestOffStackReturnsWhatFReturns(t *testing.T) {
	t.Parallel()
	want := errors.New("boom")
	v, err := Call(func() (int, error) { return 42, want })
	if v != 42 || !errors.Is(err, want) {
		t.Errorf("Call = %d, %v; want 42, %v", v, err, want)
	}
}

// Calls from many goroutines at once, some of them waiting on each other
// (more than the idle workers), each get their own result: a worker handed
// back to the pool never gives one caller another's end.
func TestConcurrentCallsGetTheirOwnResults(t *testing.T) {
	t.Parallel()
	const callers, calls = 2 * maxIdle, 20
	release := make(chan struct{})
	errs := make(chan error, callers)
	for c := range callers {
		go func() {
			for i := range calls {
				want := c*calls + i
				got, err := Call(func() (int, error) {
					if i == 0 {
						<-release // every caller's first call busy at once: workers beyond maxIdle
					}
					return want, nil
				})
				if got != want || err != nil {
					errs <- fmt.Errorf("caller %d call %d: got %d, %v", c, i, got, err)
					return
				}
			}
			errs <- nil
		}()
	}
	close(release)
	for range callers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := idleWorkers(); n > maxIdle {
		t.Errorf("%d idle workers, want at most %d", n, maxIdle)
	}
}

// BenchmarkCall is the cost of one hand-off to a pooled worker and back.
func BenchmarkCall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Call(func() (int, error) { return 1, nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// Run makes at most cap(running) calls at once, however many callers
// there are; the others wait their turn, and every call runs.
func TestRunBoundsTheCallsAtOnce(t *testing.T) {
	var now, most atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	const callers = 64
	for range callers {
		wg.Go(func() {
			_, _ = Run(func() (int, error) {
				n := now.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				<-release
				now.Add(-1)
				return 0, nil
			})
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for now.Load() < int32(cap(running)) && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if got := most.Load(); got != int32(cap(running)) {
		t.Errorf("at most %d calls ran at once; want exactly the bound, %d", got, cap(running))
	}
}

// Go runs each f once, on another goroutine, and returns at once; its
// workers go back to idle for the next.
func TestGoRunsEachOnceOnAWorker(t *testing.T) {
	t.Parallel()
	const n = 1000
	var ran atomic.Int64
	var wg sync.WaitGroup
	release := make(chan struct{})
	for range n {
		wg.Add(1)
		Go(func() {
			defer wg.Done()
			<-release // Go returned before f ended: it does not wait
			ran.Add(1)
		})
	}
	close(release)
	wg.Wait()
	if ran.Load() != n {
		t.Fatalf("%d of %d ran", ran.Load(), n)
	}
	// A worker back in idle takes the next call.
	v, err := Call(func() (int, error) { return 7, nil })
	if v != 7 || err != nil {
		t.Errorf("Call after Go = %d, %v", v, err)
	}
}

// The pool is a stack: the workers a burst started, left idle at its
// bottom for idleFor, end as others come back, and the pool shrinks to
// what the calls since needed. (Not parallel: it sets idleFor.)
func TestIdleWorkersAtTheBottomEnd(t *testing.T) {
	const burst = 60
	release := make(chan struct{})
	var wg sync.WaitGroup
	var inside atomic.Int32
	for range burst {
		wg.Go(func() {
			_, _ = Call(func() (int, error) { inside.Add(1); <-release; return 0, nil })
		})
	}
	waitFor(t, func() bool { return inside.Load() == burst })
	close(release)
	wg.Wait()
	if n := idleWorkers(); n < burst {
		t.Fatalf("%d idle workers after a burst of %d calls, want them all", n, burst)
	}
	before := runtime.NumGoroutine()
	defer func(d time.Duration) { idleFor = d }(idleFor)
	idleFor = 0             // every worker at the bottom has been idle long enough
	for range 2 * maxIdle { // each call's return ends one at the bottom
		if _, err := Call(func() (int, error) { return 0, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if n := idleWorkers(); n != 1 {
		t.Errorf("%d idle workers after calls one at a time, want the one they took in turn", n)
	}
	waitFor(t, func() bool { return runtime.NumGoroutine() <= before-burst+1 })
}

// waitFor waits, bounded, for cond.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
	}
}
