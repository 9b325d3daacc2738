package run

import (
	"context"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

// slowSink takes delay to write each conversation, as a full disk or a
// contended file lock would.
type slowSink struct {
	memSink
	delay time.Duration
}

func (s *slowSink) Write(c *transcript.Conversation) error {
	time.Sleep(s.delay)
	return s.memSink.Write(c)
}

// TestLateStartsAreReported: a user's next conversation is due pacing after
// the previous one ended; when the engine's own work (here a slow sink)
// holds it back, the run says so instead of silently offering less load.
func TestLateStartsAreReported(t *testing.T) {
	t.Parallel()
	const users, perUser = 2, 3
	p := testPlan(t, users, nil, attrs{
		"max_turns":              "1", // one turn, then the conversation ends (max_turns)
		"conversations_per_user": "3",
		"pacing":                 `"20ms"`,
	})
	sink := &slowSink{delay: 4 * metrics.LateStartSlack}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := New(p, Options{Sink: sink, GracefulStop: 10 * time.Second}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	c := res.Snapshot.Conversations
	if c.Started != users*perUser {
		t.Fatalf("started %d conversations; want %d", c.Started, users*perUser)
	}
	// Every conversation after a user's first waited for the slow sink on
	// top of its pacing. The first ones were due at their schedule step.
	wantMin, wantMax := int64(users*(perUser-1)), int64(users*perUser)
	if c.LateStarts < wantMin || c.LateStarts > wantMax {
		t.Errorf("late_starts = %d; want %d..%d", c.LateStarts, wantMin, wantMax)
	}
	if got := res.Snapshot.Personas["kataryna"].LateStarts; got != c.LateStarts {
		t.Errorf("personas[kataryna].late_starts = %d; want the total %d", got, c.LateStarts)
	}
}

// TestPacedConversationsStartOnTime: pacing itself is the schedule, not a
// delay; a run whose users keep up reports no late starts.
func TestPacedConversationsStartOnTime(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, nil, attrs{
		"max_turns":              "1",
		"conversations_per_user": "3",
		"pacing":                 `"100ms"`,
	})
	res, _ := runPlan(t, p)
	c := res.Snapshot.Conversations
	// Generous: only a stall of the whole machine beyond the slack could
	// make a start late here, and never all of them.
	if c.LateStarts >= c.Started {
		t.Errorf("late_starts = %d of %d started: every paced conversation counted late", c.LateStarts, c.Started)
	}
}
