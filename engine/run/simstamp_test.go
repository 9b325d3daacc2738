package run

import (
	"testing"
	"time"
)

// TestTurnsRecordTheSimulatorsStamp: against the built-in simulator every
// answered turn carries sim_sent_at, so the measured reply latency can be
// checked against the true one (bench/ does, at load).
func TestTurnsRecordTheSimulatorsStamp(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 1, attrs{"latency": `"30ms"`}, attrs{"max_turns": "3"})
	_, convs := runPlan(t, p)
	if len(convs) != 1 || len(convs[0].Turns) != 3 {
		t.Fatalf("want one conversation of 3 turns, got %d conversations", len(convs))
	}
	for _, turn := range convs[0].Turns {
		if turn.ReplyMS == nil || turn.SimSentAt == nil {
			t.Fatalf("turn %d: reply_ms %v, sim_sent_at %v: want both", turn.N, turn.ReplyMS, turn.SimSentAt)
		}
		truth := turn.SimSentAt.Sub(turn.SentAt.Round(0)) // wall clocks, same machine
		measured := time.Duration(*turn.ReplyMS * float64(time.Millisecond))
		if truth < 30*time.Millisecond {
			t.Errorf("turn %d: true latency %s, below the simulator's 30ms", turn.N, truth)
		}
		// The stamp is taken before the callback is even sent: what voyplan
		// measured can only be later, by the delivery time.
		if err := measured - truth; err < -time.Millisecond || err > 100*time.Millisecond {
			t.Errorf("turn %d: measured %s, true %s: error %s", turn.N, measured, truth, err)
		}
	}
}
