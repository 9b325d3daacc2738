package transcript

// Usage is token usage the assistant under test reported about itself (an
// openai target's usage), kept apart from the simulated customer's Tokens.
type Usage struct {
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
}

// Add adds u2 to u.
func (u *Usage) Add(u2 Usage) {
	u.InputTokens += u2.InputTokens
	u.OutputTokens += u2.OutputTokens
}

// AddLLM adds a generation's tokens and cost to the conversation's totals.
func (c *Conversation) AddLLM(call *LLMCall) {
	c.Tokens.Input += call.InputTokens
	c.Tokens.Output += call.OutputTokens
	c.Tokens.Thinking += call.ThinkingTokens
	c.CostUSD += call.CostUSD
}
