package transcript

// Usage is token usage the assistant under test reported about itself (an
// openai target's usage), kept apart from the simulated customer's Tokens.
type Usage struct {
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
}
