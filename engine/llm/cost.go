package llm

import "github.com/voyplan/voyplan/engine/plan"

// Usage is one generation's token counts, from the response's usage
// metadata: promptTokenCount, candidatesTokenCount and thoughtsTokenCount.
type Usage struct {
	Input    int64 // the whole request: system instruction and history included
	Output   int64 // the answer
	Thinking int64 // the model's thinking, billed as output
}

// Price is what a model costs, in USD per million tokens.
type Price struct {
	Input  float64 // per 1M input tokens
	Output float64 // per 1M output tokens, thinking included
}

// PriceOf reads an llm block's prices.
func PriceOf(m *plan.LLM) Price { return Price{Input: m.PriceInput, Output: m.PriceOutput} }

// Cost is what u costs at p: thinking tokens are billed at the output price
// (the old tool ignored them and under-reported).
func (p Price) Cost(u Usage) float64 {
	return (float64(u.Input)*p.Input + float64(u.Output+u.Thinking)*p.Output) / 1e6
}
