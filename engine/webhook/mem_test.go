package webhook

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestWaitingConversationMemory holds 10,000 conversations waiting for a
// reply — a mailbox each and a goroutine blocked in Wait — and checks what
// one costs against its share of the 32 KiB per conversation budget.
func TestWaitingConversationMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 10,000 waiting conversations")
	}
	const n = 10_000
	const budget = 8 << 10 // the receiver's share; the rest is the virtual user's
	r := withWidget(newReceiver())
	before := inUse()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	boxes := make([]*Mailbox, n)
	for i := range boxes {
		boxes[i] = r.Open(fmt.Sprintf("3f1c2b9e-0000-4000-8000-%012d@stw.ai", i))
		wg.Go(func() { _, _ = boxes[i].Wait(ctx, 1, time.Minute, time.Second) })
	}
	waitUntil(t, func() bool { return waitingCount(boxes) == n })
	per := (inUse() - before) / n
	cancel()
	wg.Wait()
	t.Logf("%d bytes per waiting conversation (mailbox, timer, goroutine stack)", per)
	if per > budget {
		t.Errorf("%d bytes per waiting conversation, want at most %d", per, budget)
	}
}

func inUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse + ms.StackInuse)
}

func waitingCount(boxes []*Mailbox) int {
	n := 0
	for _, m := range boxes {
		m.mu.Lock()
		if m.waiting {
			n++
		}
		m.mu.Unlock()
	}
	return n
}

// waitUntil polls cond for at most 10 s; test scaffolding only.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not reached within 10s")
}
