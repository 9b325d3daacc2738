package metrics

import (
	"maps"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// replayed is a replayed conversation whose first matched turns matched
// and, when divergedAt > 0, whose reply to that turn diverged.
func replayed(matched, divergedAt int) *transcript.Conversation {
	c := conv("replayed", transcript.Completed, "", matched, 1000)
	c.Replay = &transcript.Replay{Recording: "rec", DivergedAt: divergedAt}
	for i := range c.Turns {
		c.Turns[i].Replay = &transcript.TurnReplay{Similarity: 1, Matched: true}
	}
	if divergedAt > 0 {
		c.Turns = append(c.Turns, transcript.Turn{N: divergedAt, Replay: &transcript.TurnReplay{Similarity: 0.1}}, transcript.Turn{})
	}
	return c
}

// TestReplayCounts: replayed conversations are counted with where they
// diverged and their matched turns, other conversations not at all; a
// window holds only its own, and segments merge into the sums.
func TestReplayCounts(t *testing.T) {
	t.Parallel()
	r := NewRecorder([]string{"replayed", "p"})
	m0 := r.Mark(0)
	r.ConversationEnded(conv("p", transcript.Completed, "", 5, 1000)) // not replayed
	r.ConversationEnded(replayed(4, 0))
	r.ConversationEnded(replayed(2, 3))
	m1 := r.Mark(time.Minute)
	r.ConversationEnded(replayed(2, 3))
	rebuilt := replayed(5, 6) // from a journal: the turns judged, the conversation's mark lost
	rebuilt.Replay.DivergedAt = 0
	r.ConversationEnded(rebuilt)
	got := r.Snapshot(2 * time.Minute).Replay
	want := Replay{Conversations: 4, Diverged: 3, MatchedTurns: 13, DivergedAt: map[int]int64{3: 2, 6: 1}}
	if !equalReplay(got, want) {
		t.Fatalf("Replay = %+v, want %+v", got, want)
	}
	w := Window(m1, r.Mark(2*time.Minute)).Replay
	if want := (Replay{Conversations: 2, Diverged: 2, MatchedTurns: 7, DivergedAt: map[int]int64{3: 1, 6: 1}}); !equalReplay(w, want) {
		t.Errorf("second window %+v, want %+v", w, want)
	}
	if w := Window(m0, m1).Replay; w.Conversations != 2 || w.Diverged != 1 || w.DivergedAt[3] != 1 || w.DivergedAt[6] != 0 {
		t.Errorf("first window %+v, want 2 conversations, 1 diverged at turn 3", w)
	}
	other := NewRecorder([]string{"replayed"})
	other.ConversationEnded(replayed(2, 3))
	merged, err := Merge([]Part{viaJSON(t, "a", r), viaJSON(t, "b", other)})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Replay{Conversations: 5, Diverged: 4, MatchedTurns: 15, DivergedAt: map[int]int64{3: 3, 6: 1}}); !equalReplay(merged.Snapshot.Replay, want) {
		t.Errorf("merged %+v, want %+v", merged.Snapshot.Replay, want)
	}
}

func equalReplay(a, b Replay) bool {
	return a.Conversations == b.Conversations && a.Diverged == b.Diverged && a.MatchedTurns == b.MatchedTurns &&
		maps.Equal(a.DivergedAt, b.DivergedAt)
}
