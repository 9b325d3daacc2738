package metrics

import (
	"math"
	"sync/atomic"

	"github.com/voyplan/voyplan/engine/transcript"
)

// costs sums the LLM usage; every field is an atomic.
type costs struct {
	usd       atomicFloat
	assistant atomicFloat // the assistant's own tokens at the plan's prices
	input     atomic.Int64
	output    atomic.Int64
	thinking  atomic.Int64
}

func (c *costs) add(call transcript.LLMCall) {
	c.input.Add(call.InputTokens)
	c.output.Add(call.OutputTokens)
	c.thinking.Add(call.ThinkingTokens)
	c.usd.add(call.CostUSD)
}

func (c *costs) snapshot() Cost {
	return Cost{
		USD:            c.usd.load(),
		Assistant:      c.assistant.load(),
		InputTokens:    c.input.Load(),
		OutputTokens:   c.output.Load(),
		ThinkingTokens: c.thinking.Load(),
	}
}

// atomicFloat is a float64 updated by compare-and-swap on its bits.
type atomicFloat struct{ bits atomic.Uint64 }

func (f *atomicFloat) add(v float64) {
	for {
		old := f.bits.Load()
		if f.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

func (f *atomicFloat) load() float64 { return math.Float64frombits(f.bits.Load()) }

// Price is what the assistant's own tokens cost: USD per 1M input and
// output tokens (the plan's assistant block).
type Price struct{ Input, Output float64 }

// of is what u costs at p; 0 for a nil p.
func (p *Price) of(u transcript.Usage) float64 {
	if p == nil {
		return 0
	}
	return (float64(u.InputTokens)*p.Input + float64(u.OutputTokens)*p.Output) / 1e6
}

// SetAssistantPrice prices the token usage the assistant reports of
// itself from now on (Cost.Assistant, and so cost.per_success); without
// it, that usage is counted but costs nothing.
func (r *Recorder) SetAssistantPrice(p Price) { r.assistantPrice.Store(&p) }
