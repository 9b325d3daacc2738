package plan

import "github.com/hashicorp/hcl/v2"

// AssistantPrice is the assistant block: what the assistant's own tokens
// cost, in USD per 1M tokens, as an llm block prices the simulated
// customers'. The usage the target reports of itself (openai's usage,
// an sse or websocket target's usage expression) is priced at it
// (cost.assistant) and counts in cost.per_success.
//
//	assistant {
//	  price_input  = 0.15 # USD per 1M input tokens the assistant reports
//	  price_output = 0.60 # USD per 1M output tokens
//	}
type AssistantPrice struct {
	Input, Output float64
}

var assistantSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "price_input"}, {Name: "price_output"}},
}

// decodeAssistant decodes the assistant block, if there is one.
func (l *loader) decodeAssistant(b *hcl.Block) {
	if b == nil {
		return
	}
	p := &AssistantPrice{}
	a := l.content(b, assistantSchema)
	a.NonNegative("price_input", &p.Input, "USD per 1M input tokens the assistant reports")
	a.NonNegative("price_output", &p.Output, "USD per 1M output tokens the assistant reports")
	l.plan.AssistantPrice = p
}
