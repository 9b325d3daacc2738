package run

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/webhook"
)

// steerPlan is users repeating the Kataryna script against the simulator
// for one stage of d at rate users a second.
func steerPlan(t *testing.T, users int, rate float64, d time.Duration) *plan.Plan {
	t.Helper()
	p := testPlan(t, users, attrs{"latency": `"20ms"`}, attrs{"conversations_per_user": "0", "pacing": `"50ms"`})
	p.Stages[0].SpawnRate = rate
	p.Stages[0].Duration = d
	return p
}

// started runs r in the background; the returned func waits for its end.
func started(t *testing.T, r *Runner) func() (*Result, error) {
	t.Helper()
	return startedIn(context.Background(), t, r)
}

// startedIn is started with the run's context made from ctx (and bounded).
func startedIn(ctx context.Context, t *testing.T, r *Runner) func() (*Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	type out struct {
		res *Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := r.Run(ctx)
		done <- out{res, err}
	}()
	return func() (*Result, error) {
		defer cancel()
		o := <-done
		return o.res, o.err
	}
}

// eventually polls cond every 10ms for up to d.
func eventually(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func TestSetTargetRaisesAndLowersAtTheSpawnRate(t *testing.T) {
	t.Parallel()
	p := steerPlan(t, 1, 4, 6*time.Second)
	sink := &memSink{}
	r := New(p, Options{Sink: sink, GracefulStop: 10 * time.Second})
	wait := started(t, r)
	if !eventually(10*time.Second, func() bool { return r.Recorder().Snapshot(0).Users == 1 }) {
		t.Fatal("the first user never started")
	}
	ctx := context.Background()
	s, err := r.SetTarget(ctx, 5, "test")
	if err != nil {
		t.Fatal(err)
	}
	if s.Action != transcript.SteerUsers || s.From != 1 || s.To != 5 || s.Stage != "all" || s.By != "test" || s.Elapsed <= 0 {
		t.Errorf("steer = %+v", s)
	}
	// 4 more users at 4 a second: the first at once, the last 750ms later.
	// Not all at once: shortly after, some are still to come.
	time.Sleep(100 * time.Millisecond)
	if n := r.Planned(); n < 2 || n > 4 {
		t.Errorf("100ms after raising to 5 at 4/s, %d users planned; want 2 to 4", n)
	}
	if !eventually(5*time.Second, func() bool { return r.Recorder().Snapshot(0).Users == 5 }) {
		t.Fatalf("users %d after raising to 5", r.Recorder().Snapshot(0).Users)
	}
	if r.Target() != 5 {
		t.Errorf("Target() = %d; want 5", r.Target())
	}
	if _, err := r.SetTarget(ctx, 2, "test"); err != nil {
		t.Fatal(err)
	}
	if !eventually(5*time.Second, func() bool { return r.Planned() == 2 }) {
		t.Fatalf("%d users planned after lowering to 2", r.Planned())
	}
	res, err := wait()
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	if res.Interrupted {
		t.Error("a steered run that ran its stages is not interrupted")
	}
	users := map[int]bool{}
	for _, c := range sink.convs {
		users[c.User] = true
	}
	if len(users) != 5 {
		t.Errorf("conversations by %d distinct users; want the 5 started", len(users))
	}
	log := r.Steering()
	if len(log) != 2 || log[0].To != 5 || log[1].From != 5 || log[1].To != 2 {
		t.Errorf("steering log %+v", log)
	}
	if _, err := r.SetTarget(ctx, 3, "test"); !errors.Is(err, ErrStagesOver) {
		t.Errorf("SetTarget after the run: %v; want ErrStagesOver", err)
	}
}

// A run steered to no users in its last stage holds until the stage ends,
// so users can be raised again, instead of ending once nobody runs.
func TestSteeredToZeroHoldsAndRaisesAgain(t *testing.T) {
	t.Parallel()
	p := steerPlan(t, 2, 20, 4*time.Second)
	r := New(p, Options{Sink: &memSink{}, GracefulStop: 10 * time.Second})
	wait := started(t, r)
	if !eventually(10*time.Second, func() bool { return r.Planned() == 2 }) {
		t.Fatal("the users never started")
	}
	ctx := context.Background()
	if _, err := r.SetTarget(ctx, 0, "test"); err != nil {
		t.Fatal(err)
	}
	if !eventually(5*time.Second, func() bool { return r.Recorder().Snapshot(0).Users == 0 }) {
		t.Fatal("the users were not retired")
	}
	time.Sleep(200 * time.Millisecond) // nobody runs: a run that was not held would end now
	if _, err := r.SetTarget(ctx, 1, "test"); err != nil {
		t.Fatalf("raising again after a pause: %v", err)
	}
	if !eventually(5*time.Second, func() bool { return r.Recorder().Snapshot(0).Users == 1 }) {
		t.Fatal("no user started again")
	}
	res, err := wait()
	if err != nil {
		t.Fatal(err)
	}
	if el := res.EndedAt.Sub(res.StartedAt); el < 4*time.Second {
		t.Errorf("the run ended after %v, before its stage", el)
	}
}

func TestStopByHand(t *testing.T) {
	t.Parallel()
	p := steerPlan(t, 2, 20, time.Minute)
	sink := &memSink{}
	r := New(p, Options{Sink: sink, GracefulStop: 10 * time.Second})
	wait := started(t, r)
	if !eventually(10*time.Second, func() bool { return r.Recorder().Snapshot(0).Conversations.Started >= 2 }) {
		t.Fatal("no conversation started")
	}
	s, err := r.StopByHand("test")
	if err != nil || s.Action != transcript.SteerStop || s.By != "test" {
		t.Fatalf("StopByHand = %+v, %v", s, err)
	}
	if _, err := r.StopByHand("test"); !errors.Is(err, ErrStopping) {
		t.Errorf("a second StopByHand: %v; want ErrStopping", err)
	}
	if _, err := r.SetTarget(context.Background(), 4, "test"); !errors.Is(err, ErrStopping) && !errors.Is(err, ErrStagesOver) {
		t.Errorf("SetTarget while stopping: %v", err)
	}
	res, err := wait()
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	if !res.Interrupted {
		t.Error("a run stopped by hand is interrupted")
	}
	if log := r.Steering(); len(log) != 1 || log[0].Action != transcript.SteerStop {
		t.Errorf("steering log %+v", log)
	}
}

func TestSetTargetRejectsNonsense(t *testing.T) {
	t.Parallel()
	r := New(steerPlan(t, 1, 1, time.Second), Options{})
	for _, n := range []int{-1, MaxSteerUsers + 1} {
		if _, err := r.SetTarget(context.Background(), n, "test"); err == nil {
			t.Errorf("SetTarget(%d) accepted", n)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.SetTarget(ctx, 2, "test"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SetTarget before Run: %v; want it to wait for the run, then ctx's error", err)
	}
}

// The live registry shows conversations in flight with their turns, keeps
// the last ones that ended, and times the callbacks the inspector keeps.
func TestLiveConversationsAndInspector(t *testing.T) {
	t.Parallel()
	p := steerPlan(t, 3, 20, 2*time.Second)
	insp := webhook.NewInspector(500)
	sink := &memSink{}
	r := New(p, Options{Sink: sink, GracefulStop: 10 * time.Second, Live: 2, Inspector: insp})
	wait := started(t, r)
	var seen LiveConversation
	ok := eventually(10*time.Second, func() bool {
		list, inFlight := r.LiveConversations(10)
		if inFlight != 2 || len(list) < 2 { // 3 users, at most 2 tracked
			return false
		}
		c, ok := r.LiveConversation(list[0].ID)
		if ok && c.InFlight && len(c.Turns) >= 2 {
			seen = c
			return true
		}
		return false
	})
	if !ok {
		t.Fatal("no conversation in flight with two turns seen")
	}
	if seen.Persona != "kataryna" || seen.Turns[0].Sent == "" || len(seen.Turns[0].Messages) == 0 || seen.Outcome != "" {
		t.Errorf("live conversation %+v", seen)
	}
	res, err := wait()
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	list, inFlight := r.LiveConversations(100)
	if inFlight != 0 || len(list) == 0 || list[0].InFlight || list[0].Outcome == "" {
		t.Errorf("after the run: %d in flight, list %+v", inFlight, list)
	}
	ended, ok := r.LiveConversation(list[0].ID)
	if !ok || ended.InFlight || ended.Outcome == "" || len(ended.Turns) == 0 {
		t.Errorf("an ended conversation: %+v, %v", ended, ok)
	}

	ids := map[string]bool{}
	for _, c := range sink.convs {
		ids[c.ID] = true
	}
	cbs := insp.Recent("", 0)
	timed := 0
	for _, cb := range cbs {
		if !ids[cb.Conversation] || cb.Turn < 1 || cb.Status != 200 || cb.Disposition != webhook.Delivered || cb.Body == "" {
			t.Errorf("callback %+v", cb)
		}
		if cb.LatencyMS != nil {
			timed++
			if *cb.LatencyMS < 20 {
				t.Errorf("callback latency %vms, below the simulator's 20ms", *cb.LatencyMS)
			}
		}
	}
	if len(cbs) == 0 || timed == 0 {
		t.Errorf("%d callbacks inspected, %d timed", len(cbs), timed)
	}
	if int64(len(cbs)) != min(int64(res.Webhook.Received), 500) {
		t.Errorf("%d callbacks inspected; the receiver got %d", len(cbs), res.Webhook.Received)
	}
}

// Without Options.Live the conversation loop keeps nothing for a live view.
func TestLiveIsOffByDefault(t *testing.T) {
	t.Parallel()
	r := New(steerPlan(t, 1, 1, time.Second), Options{})
	if r.live != nil {
		t.Fatal("a live registry without Options.Live")
	}
	r.live.begin(&transcript.Conversation{ID: "x"}) // a nil registry does nothing
	if list, n := r.LiveConversations(10); len(list) != 0 || n != 0 {
		t.Errorf("LiveConversations = %v, %d", list, n)
	}
}
