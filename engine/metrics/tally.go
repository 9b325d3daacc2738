package metrics

import (
	"sync"
	"sync/atomic"

	"github.com/voyplan/voyplan/engine/transcript"
)

// tally counts conversations by outcome, for the whole run or one persona.
// Every counter is an atomic. end bumps turns before the outcome, and
// snapshot reads the outcomes before started and turns, so a snapshot never
// shows more conversations ended than started, nor fewer turns than the
// conversations it counts as ended have taken.
type tally struct {
	started     atomic.Int64
	succeeded   atomic.Int64
	failed      atomic.Int64
	abandoned   atomic.Int64
	interrupted atomic.Int64
	turns       atomic.Int64
	lateStarts  atomic.Int64 // conversations started behind schedule
	dropped     atomic.Int64 // arrivals not started: max_users in flight
	drift       atomic.Int64 // customer messages out of character
	mismatch    atomic.Int64 // customer messages with someone else's data
	crosstalk   atomic.Int64 // assistant replies with another customer's data
	withinSLO   atomic.Int64 // completed with every reply within turn_slo
	cost        costs        // of the ended conversations
	reasons     sync.Map     // reason → *atomic.Int64, failed conversations only
}

// end records one ended conversation; good when it counts in goodput.
func (t *tally) end(c *transcript.Conversation, good bool) {
	t.turns.Add(int64(len(c.Turns)))
	t.character(c)
	t.cost.add(transcript.LLMCall{InputTokens: c.Tokens.Input, OutputTokens: c.Tokens.Output,
		ThinkingTokens: c.Tokens.Thinking, CostUSD: c.CostUSD})
	switch c.Outcome {
	case transcript.Completed:
		if good {
			t.withinSLO.Add(1)
		}
		t.succeeded.Add(1)
	case transcript.Abandoned:
		t.abandoned.Add(1)
	case transcript.Interrupted:
		t.interrupted.Add(1)
	default: // transcript.Failed, and anything unknown: never count it as a success
		t.failed.Add(1)
		t.reason(c.Reason).Add(1)
	}
}

func (t *tally) reason(r string) *atomic.Int64 {
	if r == "" {
		r = "unknown"
	}
	if n, ok := t.reasons.Load(r); ok {
		return n.(*atomic.Int64)
	}
	n, _ := t.reasons.LoadOrStore(r, new(atomic.Int64))
	return n.(*atomic.Int64)
}

func (t *tally) snapshot() Conversations {
	c := Conversations{
		Reasons:     t.reasonCounts(),
		WithinSLO:   t.withinSLO.Load(),
		Succeeded:   t.succeeded.Load(),
		Failed:      t.failed.Load(),
		Abandoned:   t.abandoned.Load(),
		Interrupted: t.interrupted.Load(),
	}
	c.Started = t.started.Load()
	c.Turns = t.turns.Load()
	c.LateStarts = t.lateStarts.Load()
	c.Dropped = t.dropped.Load()
	c.SimulatorDrift, c.DataMismatch = t.drift.Load(), t.mismatch.Load()
	c.Crosstalk = t.crosstalk.Load()
	c.Cost = t.cost.snapshot()
	c.derive()
	return c
}

// derive computes the figures that follow from the counts — in flight,
// success rate, turns per ended conversation — for a snapshot and for a
// merge of several runs' counts alike.
func (c *Conversations) derive() {
	judged := c.judged()
	ended := judged + c.Interrupted
	c.InFlight = c.Started - ended
	c.SuccessRate = ratio(c.Succeeded, judged)
	c.TurnsAvg = ratio(c.Turns, ended)
	c.Cost.PerSuccess = 0
	if c.Succeeded > 0 {
		c.Cost.PerSuccess = (c.Cost.USD + c.Cost.Assistant) / float64(c.Succeeded)
	}
}

// derivePassK sets pass^k (personas only) from the judged conversations.
func (c *Conversations) derivePassK() { c.PassK = PassK(c.Succeeded, c.judged()) }

// judged counts the conversations that ended with a verdict on them.
func (c *Conversations) judged() int64 { return c.Succeeded + c.Failed + c.Abandoned }

func (t *tally) reasonCounts() map[string]int64 {
	out := make(map[string]int64)
	t.reasons.Range(func(r, n any) bool {
		out[r.(string)] = n.(*atomic.Int64).Load()
		return true
	})
	return out
}

// ratio is n/d, 0 when d is 0.
func ratio(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
