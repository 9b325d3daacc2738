package run

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/rig"
)

// A conversation waiting on its reply holds no goroutine (conversation,
// webhook.Mailbox.Park): 300 users waiting on 30-second replies add a few
// goroutines (connections, the receiver), not one each; cut by the end of
// the run, every one is recorded. Not parallel: it counts the process's
// goroutines.
func TestWaitingConversationsHoldNoGoroutine(t *testing.T) {
	const users = 300
	p := testPlan(t, users, attrs{"latency": `"30s"`}, attrs{"reply_timeout": `"60s"`})
	p.Stages[0].SpawnRate = 3000
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rg, err := rig.Open(ctx, p, rig.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rg.Close()
	sink := &memSink{}
	r := New(p, Options{Rig: rg, Sink: sink, GracefulStop: time.Millisecond})
	type ran struct {
		res *Result
		err error
	}
	out := make(chan ran, 1)
	go func() {
		res, err := r.Run(ctx)
		out <- ran{res, err}
	}()
	received := func() uint64 { s, _ := rg.SimStats(); return s.Received }
	grew := 0
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		grew = runtime.NumGoroutine() - before
		if received() == users && grew < users/3 {
			break
		}
	}
	if got := received(); got != users || grew >= users/3 {
		t.Errorf("%d of %d users waiting on their replies: %d goroutines more than before the run; want fewer than %d", got, users, grew, users/3)
	}
	r.Stop()
	cancel() // the graceful stop has no turn to wait for: cut them
	o := <-out
	if o.err != nil {
		t.Fatal(o.err)
	}
	checkAccounted(t, o.res, sink.convs)
	if got := o.res.Snapshot.Conversations.Interrupted; got != users {
		t.Errorf("%d conversations interrupted, want the %d waiting", got, users)
	}
}
