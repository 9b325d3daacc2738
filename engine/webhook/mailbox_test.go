package webhook

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// These tests drive a mailbox without the network, in a synctest bubble, so
// the settle and timeout arithmetic is checked to the nanosecond.

// deliverText files a one-item callback as the handler would.
func deliverText(m *Mailbox, turn int, s string) outcome {
	msg := []transcript.Message{{Role: "assistant", Type: "text", Text: s}}
	return m.deliver(turn, time.Now(), m.r.fingerprint([]byte(s)), msg)
}

// deliverEvery files count callbacks for turn, one every gap.
func deliverEvery(m *Mailbox, turn, count int, gap time.Duration) {
	for i := range count {
		time.Sleep(gap)
		deliverText(m, turn, string(rune('a'+i)))
	}
}

func TestSettleRestartsOnEachCallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := bubbled(withWidget(newReceiver())).Open("c")
		go deliverEvery(m, 1, 3, 30*time.Millisecond) // at 30, 60, 90 ms
		start := time.Now()
		reply, err := m.Wait(context.Background(), 1, time.Second, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 140*time.Millisecond {
			t.Errorf("Wait took %v, want 140ms (last callback at 90ms + settle 50ms)", took)
		}
		if reply.First.Sub(start) != 30*time.Millisecond || reply.Callbacks != 3 {
			t.Errorf("reply %+v, want first at 30ms and 3 callbacks", reply)
		}
		wantTexts(t, reply.Messages, "a", "b", "c")
	})
}

func TestSettleCountsFromTheLastArrival(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := bubbled(withWidget(newReceiver())).Open("c")
		deliverText(m, 1, "early")
		time.Sleep(time.Second) // the reply came long before Wait: nothing to settle
		start := time.Now()
		if _, err := m.Wait(context.Background(), 1, time.Second, 100*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("Wait took %v, want 0", took)
		}
	})
}

func TestWaitNeverExceedsTimeoutPlusSettle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := bubbled(withWidget(newReceiver())).Open("c")
		go deliverEvery(m, 1, 20, 40*time.Millisecond) // a chatty assistant, until 800ms
		start := time.Now()
		reply, err := m.Wait(context.Background(), 1, 200*time.Millisecond, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 250*time.Millisecond {
			t.Errorf("Wait took %v, want 250ms (timeout + settle)", took)
		}
		if reply.Callbacks != 6 { // 40, 80, ..., 240 ms
			t.Errorf("Callbacks = %d, want 6", reply.Callbacks)
		}
		synctest.Wait()
		time.Sleep(time.Second)
		if got := len(m.Late()[1]); got != 14 {
			t.Errorf("%d late items, want 14", got)
		}
	})
}

func TestTimeoutIsExact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := bubbled(withWidget(newReceiver())).Open("c")
		start := time.Now()
		_, err := m.Wait(context.Background(), 1, 3*time.Second, time.Second)
		if !errors.Is(err, ErrTimeout) || time.Since(start) != 3*time.Second {
			t.Errorf("Wait = %v after %v, want ErrTimeout after 3s", err, time.Since(start))
		}
		if o := deliverText(m, 1, "late"); o != late {
			t.Errorf("callback after the timeout: outcome %d, want late", o)
		}
	})
}

func TestArrivalOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := bubbled(withWidget(newReceiver())).Open("c")
		t0 := time.Now()
		// The second callback's body was read first: order follows arrival.
		m.deliver(1, t0.Add(time.Millisecond), 2, []transcript.Message{{Text: "second"}})
		m.deliver(1, t0, 1, []transcript.Message{{Text: "first"}})
		reply, err := m.Wait(context.Background(), 1, time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		wantTexts(t, reply.Messages, "first", "second")
		if !reply.First.Equal(t0) {
			t.Errorf("First = %v, want %v", reply.First, t0)
		}
	})
}

func TestSkippedTurnBecomesLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := bubbled(withWidget(newReceiver()))
		m := r.Open("c")
		deliverText(m, 1, "for turn 1")
		deliverText(m, 2, "for turn 2")
		reply, err := m.Wait(context.Background(), 2, time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		wantTexts(t, reply.Messages, "for turn 2")
		wantTexts(t, m.Late()[1], "for turn 1")
		if r.Stats().Late != 1 {
			t.Errorf("Stats.Late = %d, want 1", r.Stats().Late)
		}
	})
}

func TestContextEndsSettleWithReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := bubbled(withWidget(newReceiver())).Open("c")
		deliverText(m, 1, "got this")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		reply, err := m.Wait(ctx, 1, time.Second, time.Second)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait: %v, want DeadlineExceeded", err)
		}
		wantTexts(t, reply.Messages, "got this")
	})
}

// A closed conversation is remembered for closedFor, then forgotten, so the
// receiver's memory of closed conversations stops growing once a run has
// gone on that long (make soak: it had grown for the quarter of an hour
// 65,536 conversations took).
func TestClosedConversationsAreForgottenAfterClosedFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := bubbled(withWidget(newReceiver()))
		known := func(id string) bool { _, ok := r.lookup(id); return ok }
		r.Open("old").Close()
		time.Sleep(closedFor / 2)
		r.Open("recent").Close()
		if !known("old") || !known("recent") {
			t.Fatalf("old known %v, recent known %v; want both remembered within closedFor", known("old"), known("recent"))
		}
		time.Sleep(closedFor/2 + time.Second)
		r.Open("next").Close()
		if known("old") || !known("recent") || !known("next") {
			t.Errorf("after closedFor: old known %v, recent %v, next %v; want only old forgotten", known("old"), known("recent"), known("next"))
		}
		// A long run closing one conversation every 100 ms remembers no more
		// than closedFor's worth.
		for i := range 12000 { // 20 minutes
			r.Open("c" + strconv.Itoa(i)).Close()
			time.Sleep(100 * time.Millisecond)
		}
		r.mu.RLock()
		n, held := len(r.closed), len(r.closedOrder)-r.closedHead
		r.mu.RUnlock()
		if want := int(closedFor/(100*time.Millisecond)) + 1; n > want || held != n {
			t.Errorf("%d closed conversations remembered (%d in order); want at most %d, the same", n, held, want)
		}
	})
}
