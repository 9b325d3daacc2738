package webhook

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// bubbled makes r's parked waits end on goroutines of their own, for a
// synctest bubble: the process-wide workers (offstack.Go) cannot be
// shared with one.
func bubbled(r *Receiver) *Receiver {
	r.spawn = func(f func()) { go f() }
	return r
}

// parkAll parks a wait for turn 1 on each of n new mailboxes of r and
// returns them, the replies' slots, their errors and how many ended.
func parkAll(ctx context.Context, r *Receiver, n int, timeout time.Duration) ([]*Mailbox, []Reply, []error, *atomic.Int64) {
	boxes, replies, errs := make([]*Mailbox, n), make([]Reply, n), make([]error, n)
	var ended atomic.Int64
	for i := range n {
		boxes[i] = r.Open("c" + strconv.Itoa(i))
		boxes[i].Park(ctx, 1, timeout, 0, func(reply Reply, err error) {
			replies[i], errs[i] = reply, err
			ended.Add(1)
		})
	}
	return boxes, replies, errs, &ended
}

// A parked wait holds no goroutine: a thousand of them add none, and each
// ends exactly once, with its reply, when its callback comes.
func TestParkedWaitsHoldNoGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 1000
		before := runtime.NumGoroutine()
		boxes, replies, errs, ended := parkAll(context.Background(), bubbled(withWidget(newReceiver())), n, time.Minute)
		synctest.Wait()
		if now := runtime.NumGoroutine(); now > before+2 || ended.Load() != 0 {
			t.Fatalf("%d waits parked: %d goroutines (%d before), %d ended; want no more goroutines, none ended", n, now, before, ended.Load())
		}
		for i, m := range boxes {
			deliverText(m, 1, "reply "+strconv.Itoa(i))
			deliverText(m, 1, "reply "+strconv.Itoa(i)) // a repeat: no second end
		}
		synctest.Wait()
		if ended.Load() != n {
			t.Fatalf("%d of %d waits ended", ended.Load(), n)
		}
		for i := range n {
			if errs[i] != nil || len(replies[i].Messages) != 1 || replies[i].Messages[0].Text != "reply "+strconv.Itoa(i) {
				t.Fatalf("wait %d: %v, %+v", i, errs[i], replies[i].Messages)
			}
		}
	})
}

// Parked waits end with their context, all of them, exactly once, with no
// goroutine left behind; a wait on a context already ended ends at once.
func TestParkedWaitsEndWithTheirContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 500
		r := bubbled(withWidget(newReceiver()))
		ctx, cancel := context.WithCancel(context.Background())
		before := runtime.NumGoroutine()
		_, _, errs, ended := parkAll(ctx, r, n, time.Minute)
		time.Sleep(time.Second)
		cancel()
		synctest.Wait()
		if ended.Load() != n {
			t.Fatalf("%d of %d waits ended with their context", ended.Load(), n)
		}
		for i, err := range errs {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("wait %d: %v, want context.Canceled", i, err)
			}
		}
		if now := runtime.NumGoroutine(); now > before {
			t.Errorf("%d goroutines after the waits ended, %d before", now, before)
		}
		// A context already ended: the wait ends at once.
		_, _, errs, ended = parkAll(ctx, r, 1, time.Minute)
		synctest.Wait()
		if ended.Load() != 1 || !errors.Is(errs[0], context.Canceled) {
			t.Errorf("a wait on an ended context: %d ended, %v", ended.Load(), errs[0])
		}
	})
}

// A parked wait's timeout is exact.
func TestParkedWaitTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, _, errs, ended := parkAll(ctx, bubbled(withWidget(newReceiver())), 3, 3*time.Second)
		time.Sleep(3*time.Second - time.Nanosecond)
		synctest.Wait()
		if ended.Load() != 0 {
			t.Fatalf("%d waits ended before their 3s timeout", ended.Load())
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if ended.Load() != 3 {
			t.Fatalf("%d of 3 waits ended at their 3s timeout", ended.Load())
		}
		for _, err := range errs {
			if !errors.Is(err, ErrTimeout) {
				t.Errorf("wait: %v, want ErrTimeout", err)
			}
		}
	})
}
