package verdict

import (
	"testing"

	"github.com/voyplan/voyplan/engine/metrics"
)

func TestReplayLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    metrics.Replay
		want string
	}{
		{"no replay", metrics.Replay{}, ""},
		{"all matched", metrics.Replay{Conversations: 4, MatchedTurns: 48},
			"REPLAY — 4 conversations replayed: every judged reply matched the recording (48 replies; replay.matched_turns)"},
		{"diverged", metrics.Replay{Conversations: 5, Diverged: 3, MatchedTurns: 1, DivergedAt: map[int]int64{7: 1, 4: 2}},
			"REPLAY — 5 conversations replayed: 3 diverged from the recording (turn 4: 2, turn 7: 1), 1 reply matched before " +
				"(replay.diverged, replay.diverged_at, replay.matched_turns); report.html sets each divergence beside the recorded reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ReplayLine(tt.r); got != tt.want {
				t.Errorf("ReplayLine =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
