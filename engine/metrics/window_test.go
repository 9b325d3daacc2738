package metrics

import (
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// slowTurns is a completed conversation whose replies took ms each.
func slowTurns(persona string, ms ...float64) *transcript.Conversation {
	c := conv(persona, transcript.Completed, "", len(ms), 1000)
	for i := range ms {
		c.Turns[i].ReplyMS = &ms[i]
	}
	return c
}

// TestWindowHoldsOnlyWhatHappenedInIt: the second window's figures are
// those of the operations and conversations recorded between its marks —
// percentiles, counts, cost, goodput over its length — not the run's.
func TestWindowHoldsOnlyWhatHappenedInIt(t *testing.T) {
	t.Parallel()
	r := NewRecorder([]string{"a", "b"})
	r.SetTurnSLO(2 * time.Second)
	m0 := r.Mark(0)
	for range 100 { // a fast first minute
		r.Reply(100*time.Millisecond, true)
	}
	r.ConversationStarted("a")
	r.ConversationEnded(slowTurns("a", 100, 100))
	r.LLM(time.Second, true, transcript.LLMCall{CostUSD: 0.5})
	m1 := r.Mark(time.Minute)
	for range 10 { // a slow second one, with a timeout
		r.Reply(3*time.Second, true)
	}
	r.ReplyTimedOut(5 * time.Second)
	r.Error("reply_timeout", "no reply within 5s")
	for _, c := range []*transcript.Conversation{slowTurns("b", 100, 2500), slowTurns("b", 100), slowTurns("b", 200)} {
		r.ConversationStarted("b")
		r.ConversationEnded(c)
	}
	r.ConversationStarted("a") // still in flight at the end
	r.LLM(time.Second, true, transcript.LLMCall{CostUSD: 0.25})
	m2 := r.Mark(90 * time.Second)

	first, second := Window(m0, m1), Window(m1, m2)
	if first.Reply.Count != 100 || !near(first.Reply.P95, 100*time.Millisecond) {
		t.Errorf("first window reply: %d, p95 %v; want 100, 100ms", first.Reply.Count, first.Reply.P95)
	}
	if second.Reply.Count != 11 || second.Reply.Censored != 1 || !near(second.Reply.Min, 3*time.Second) ||
		!near(second.Reply.Max, 5*time.Second) || second.Reply.ErrorRate != 1.0/11 {
		t.Errorf("second window reply: %+v; want 11 (1 censored at 5s), from 3s", second.Reply)
	}
	c := second.Conversations
	if c.Started != 4 || c.Succeeded != 3 || c.InFlight != 1 || c.SuccessRate != 1 || c.WithinSLO != 2 {
		t.Errorf("second window conversations: %+v; want 4 started, 3 succeeded, 2 within the SLO, 1 in flight", c)
	}
	if p := second.Personas["a"]; p.Started != 1 || p.Succeeded != 0 || p.InFlight != 1 {
		t.Errorf("second window persona a: %+v; want 1 started, none ended", p)
	}
	if second.Cost.USD != 0.25 || second.Cost.PerSuccess != 0.25/3 {
		t.Errorf("second window cost: %+v; want 0.25, per success 0.25/3", second.Cost)
	}
	if second.Elapsed != 30*time.Second || second.Goodput != 4 { // 2 in half a minute
		t.Errorf("second window: %v long, goodput %v; want 30s, 4/min", second.Elapsed, second.Goodput)
	}
	if len(second.Errors) != 1 || len(first.Errors) != 0 {
		t.Errorf("errors: first %v, second %v; want none, then the timeout", first.Errors, second.Errors)
	}
	whole := r.Snapshot(90 * time.Second)
	if whole.Reply.Count != 111 || whole.Conversations.WithinSLO != 3 || whole.Goodput != 2 {
		t.Errorf("whole run: %d replies, %d within the SLO, goodput %v; want 111, 3, 2/min",
			whole.Reply.Count, whole.Conversations.WithinSLO, whole.Goodput)
	}
}

// near is within the histogram's precision (0.1%).
func near(got, want time.Duration) bool {
	d := got - want
	return d <= want/1000 && -d <= want/1000
}
