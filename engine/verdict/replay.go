package verdict

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/voyplan/voyplan/engine/metrics"
)

// ReplayLine is the line above the verdict of a run that replayed
// recorded conversations: how many diverged from their recording and at
// which turns, and how many replies matched; "" when none was replayed.
// Whether a divergence fails the run is for a threshold on replay.diverged
// to say.
func ReplayLine(r metrics.Replay) string {
	if r.Conversations == 0 {
		return ""
	}
	head := fmt.Sprintf("REPLAY — %d %s replayed: ", r.Conversations, plural(r.Conversations, "conversation"))
	if r.Diverged == 0 {
		return head + fmt.Sprintf("every judged reply matched the recording (%d %s; replay.matched_turns)",
			r.MatchedTurns, plural(r.MatchedTurns, "reply"))
	}
	var at []string
	for _, turn := range slices.Sorted(maps.Keys(r.DivergedAt)) {
		at = append(at, fmt.Sprintf("turn %d: %d", turn, r.DivergedAt[turn]))
	}
	return head + fmt.Sprintf("%d diverged from the recording (%s), %d %s matched before (replay.diverged, "+
		"replay.diverged_at, replay.matched_turns); report.html sets each divergence beside the recorded reply",
		r.Diverged, strings.Join(at, ", "), r.MatchedTurns, plural(r.MatchedTurns, "reply"))
}

// plural is noun, or its plural when n is not 1.
func plural(n int64, noun string) string {
	if n == 1 {
		return noun
	}
	if strings.HasSuffix(noun, "y") {
		return strings.TrimSuffix(noun, "y") + "ies"
	}
	return noun + "s"
}
