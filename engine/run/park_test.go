package run

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/rig"
	"github.com/voyplan/voyplan/engine/sim"
)

// goroutinesIn counts the goroutines with a frame of one of the functions
// named (as a stack trace spells them).
func goroutinesIn(funcs ...string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		for _, f := range funcs {
			if strings.Contains(g, f) {
				count++
				break
			}
		}
	}
	return count
}

// A conversation waiting holds no goroutine (conversation): while 300
// users wait on 30-second replies (webhook.Mailbox.Park), or think 30
// seconds after their first reply (conversation.nap), no goroutine is
// inside a conversation or a user's life (each was, waiting, before).
// Cut by the end of the run, or stopped, every one is recorded,
// interrupted, at once. Not parallel: it looks at every goroutine of the
// process.
func TestWaitingConversationsHoldNoGoroutine(t *testing.T) {
	const users = 300
	for _, tc := range []struct {
		name      string
		sim, conv attrs
		waiting   func(simStats) bool // every user is waiting
		cut       bool                // end the run (else Stop it)
	}{
		{"on their replies", attrs{"latency": `"30s"`}, attrs{"reply_timeout": `"60s"`},
			func(s simStats) bool { return s.Received == users }, true},
		{"thinking", nil, attrs{"think_time": `"30s"`},
			func(s simStats) bool { return s.Delivered == users }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPlan(t, users, tc.sim, tc.conv)
			p.Stages[0].SpawnRate = 3000
			waitingHoldsNoGoroutine(t, p, tc.waiting, tc.cut)
		})
	}
}

type simStats = sim.Stats

// waitingHoldsNoGoroutine runs p until waiting says its users all wait,
// checks no goroutine is inside a conversation or a user then, and cuts
// the run (or stops it): every conversation ends interrupted, within the
// bound of a run with no turn left to finish.
func waitingHoldsNoGoroutine(t *testing.T, p *plan.Plan, waiting func(simStats) bool, cut bool) {
	users := p.Stages[0].Users
	rg := openRig(t, p)
	sink := &memSink{}
	r := New(p, Options{Rig: rg, Sink: sink, GracefulStop: 20 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ended := startedIn(ctx, t, r)
	stats := func() simStats { s, _ := rg.SimStats(); return s }
	inside := 0
	if !eventually(20*time.Second, func() bool {
		inside = goroutinesIn("/engine/run.(*conversation).", "/engine/run.(*Runner).runUser", "/engine/run.(*Runner).goOn")
		return waiting(stats()) && inside == 0
	}) {
		s := stats()
		t.Errorf("users waiting: %v (%+v); %d goroutines inside a conversation or a user, want none", waiting(s), s, inside)
	}
	stopped := time.Now()
	r.Stop()
	if cut {
		cancel() // a reply wait is not cut by Stop: the run's end cuts it
	}
	res, err := ended()
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(stopped); took > 10*time.Second {
		t.Errorf("the run took %v to end after it was stopped, want the waits cut at once", took)
	}
	checkAccounted(t, res, sink.convs)
	if got := res.Snapshot.Conversations.Interrupted; got != int64(users) {
		t.Errorf("%d conversations interrupted, want the %d waiting", got, users)
	}
}

// openRig opens p's rig for a test, as apply does (the caller opens it),
// closed when the test ends.
func openRig(t *testing.T, p *plan.Plan) *rig.Rig {
	t.Helper()
	rg, err := rig.Open(t.Context(), p, rig.Options{}) // the context is the opening's only
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rg.Close)
	return rg
}
