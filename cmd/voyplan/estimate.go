package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/voyplan/voyplan/engine/llm"
	"github.com/voyplan/voyplan/engine/plan"
)

// printLLMEstimates prints the worst-case bill of every llm block in use,
// so nobody is surprised by it.
func printLLMEstimates(w io.Writer, p *plan.Plan) {
	for _, e := range llm.EstimatePlan(p) {
		m := e.LLM
		fmt.Fprintf(w, "  llm %q (%s, USD %s in / %s out per 1M tokens): worst case USD %.2f\n",
			m.Name, m.Model, price(e.Price.Input), price(e.Price.Output), e.USD)
		conv := fmt.Sprintf("%s conversations", count(e.Conversations))
		if !e.Bounded {
			conv = fmt.Sprintf("≈ %s conversations (repeating: %s a turn assumed)", count(e.Conversations), llm.EstimateTurnTime)
		}
		fmt.Fprintf(w, "    %s × %d generations = %s generations; %s input, %s output, %s thinking tokens\n",
			conv, max(p.Conversation.MaxTurns-1, 0), count(e.Generations),
			count(float64(e.Usage.Input)), count(float64(e.Usage.Output)), count(float64(e.Usage.Thinking)))
		fmt.Fprintf(w, "    a generation: prompt ≈ %d, each reply ≈ %d, message %s, thinking %s tokens; the whole history is re-sent every turn\n",
			e.PromptTokens, e.ReplyTokens, messageNote(e), thinkingNote(e))
	}
}

func messageNote(e llm.Estimate) string {
	if e.LLM.MaxOutputTokens > 0 {
		return fmt.Sprintf("≤ %d (max_output_tokens)", e.MessageTokens)
	}
	return fmt.Sprintf("≈ %d (no max_output_tokens)", e.MessageTokens)
}

func thinkingNote(e llm.Estimate) string {
	if e.DynamicThinking {
		return fmt.Sprintf("≈ %d (dynamic: set thinking_budget to bound it)", e.ThinkingTokens)
	}
	return fmt.Sprintf("≤ %d (thinking_budget)", e.ThinkingTokens)
}

func price(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// count renders a figure with k/M suffixes: 950, 12.3k, 4.5M.
func count(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 1, 64) + "M"
	case v >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}
