package offstack

import (
	"errors"
	"fmt"
	"testing"
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
	if n := len(idle); n > maxIdle {
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
