package metrics

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/voyplan/voyplan/engine/transcript"
)

// Replay counts the replayed conversations (a persona with replay) that
// ended: how many diverged from their recording, at which turn, and how
// many of their replies matched the recorded ones. All zero in a run
// without replay.
type Replay struct {
	Conversations int64 `expr:"conversations" json:"conversations"`
	// Diverged counts those whose assistant reply, at some turn, was less
	// similar to the recorded one than the persona's divergence.
	Diverged int64 `expr:"diverged" json:"diverged"`
	// DivergedAt is where they diverged: turn → conversations
	// (replay.diverged_at[3]).
	DivergedAt map[int]int64 `expr:"diverged_at" json:"diverged_at"`
	// MatchedTurns counts the replies judged like the recorded ones.
	MatchedTurns int64 `expr:"matched_turns" json:"matched_turns"`
}

// replays is Replay as a Recorder keeps it.
type replays struct {
	conversations, diverged, matched atomic.Int64
	mu                               sync.Mutex
	at                               map[int]int64 // guarded by mu: the divergence turns
}

// end counts one ended conversation, if it was replayed.
func (r *replays) end(c *transcript.Conversation) {
	if c.Replay == nil {
		return
	}
	var matched int64
	for _, t := range c.Turns {
		if t.Replay != nil && t.Replay.Matched {
			matched++
		}
	}
	r.matched.Add(matched)
	if n := c.DivergedTurn(); n > 0 {
		r.mu.Lock()
		if r.at == nil {
			r.at = make(map[int]int64)
		}
		r.at[n]++
		r.mu.Unlock()
		r.diverged.Add(1)
	}
	r.conversations.Add(1)
}

func (r *replays) snapshot() Replay {
	r.mu.Lock()
	at := maps.Clone(r.at)
	r.mu.Unlock()
	return Replay{Conversations: r.conversations.Load(), Diverged: r.diverged.Load(),
		MatchedTurns: r.matched.Load(), DivergedAt: at}
}

// plus adds two segments' counts.
func (r Replay) plus(o Replay) Replay {
	out := Replay{Conversations: r.Conversations + o.Conversations, Diverged: r.Diverged + o.Diverged,
		MatchedTurns: r.MatchedTurns + o.MatchedTurns}
	for _, m := range []map[int]int64{r.DivergedAt, o.DivergedAt} {
		for turn, n := range m {
			if out.DivergedAt == nil {
				out.DivergedAt = make(map[int]int64)
			}
			out.DivergedAt[turn] += n
		}
	}
	return out
}
