package run

import (
	"math/rand/v2"
	"time"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/plan"
)

// waits are a virtual user's seeded sources of random waits, one stream
// each for think time and pacing (datagen.ForUserStream), so the same seed
// gives each user the same waits, on any segment, and its persona and data
// (datagen.ForUser) are drawn exactly as without them. A source is made on
// the user's first ranged wait of its kind: a plan of fixed waits never
// makes one. Only the user's own goroutine touches them.
type waits struct {
	think, pacing *rand.Rand
	burst         *rand.Rand // how each message is typed (burst.go)
}

// thinkTime returns how long user v waits before its next message: the
// plan's think_time, or its next draw from the range.
func (r *Runner) thinkTime(v *vu) time.Duration {
	return r.draw(r.plan.Conversation.ThinkTime, &v.waits.think, v.n, datagen.StreamThink)
}

// pacing returns how long user v waits between the conversation that just
// ended and its next: the plan's pacing, or its next draw from the range.
func (r *Runner) pacing(v *vu) time.Duration {
	return r.draw(r.plan.Conversation.Pacing, &v.waits.pacing, v.n, datagen.StreamPacing)
}

// draw returns w's next wait for user n, from *src, made from the user's
// stream on its first ranged wait.
func (r *Runner) draw(w plan.Wait, src **rand.Rand, n int, stream datagen.Stream) time.Duration {
	if w.Fixed() {
		return w.Min
	}
	if *src == nil {
		*src = datagen.ForUserStream(r.plan.Seed, n, stream)
	}
	return w.Draw(*src)
}
