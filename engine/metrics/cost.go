package metrics

import (
	"math"
	"sync/atomic"

	"github.com/voyplan/voyplan/engine/transcript"
)

// costs sums the LLM usage; every field is an atomic.
type costs struct {
	usd      atomicFloat
	input    atomic.Int64
	output   atomic.Int64
	thinking atomic.Int64
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
