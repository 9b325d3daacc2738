package llm

import (
	"slices"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/schedule"
)

// Token assumptions of an Estimate, where nothing better is known.
const (
	EstimateReplyTokens    = 150              // one assistant reply, as the model reads it
	EstimateThinkingTokens = 1024             // a generation's thinking when the budget is dynamic
	EstimateTurnTime       = 10 * time.Second // one turn when conversations repeat: reply + generation, as seen live
	charsPerToken          = 4
)

// Estimate is the worst-case bill of one llm block in a run of a plan:
// every conversation of its personas (by weight) goes to max_turns, each
// generation re-sending the whole history.
type Estimate struct {
	LLM   *plan.LLM
	Price Price
	// Conversations is the most the personas of the block can hold: users ×
	// conversations_per_user (open stages: the arrivals) × their share of
	// the weights. When
	// conversations repeat until the stages end it is an estimate (Bounded
	// false) at EstimateTurnTime a turn.
	Conversations float64
	Bounded       bool
	Generations   float64 // Conversations × (max_turns − 1): the opening is not generated
	// Per generation: the rendered prompt, a reply, the customer's message
	// (max_output_tokens, or the expected length) and thinking
	// (thinking_budget, or EstimateThinkingTokens when dynamic).
	PromptTokens, ReplyTokens, MessageTokens, ThinkingTokens int64
	DynamicThinking                                          bool
	Usage                                                    Usage // all generations
	USD                                                      float64
}

// EstimatePlan returns the worst-case bill of each llm block the plan's
// personas use, by block name.
func EstimatePlan(p *plan.Plan) []Estimate {
	s := p.Schedule()
	total := 0.0
	for _, ps := range p.Personas {
		total += ps.Weight
	}
	conversations, bounded := planConversations(p, s)
	var out []Estimate
	for _, name := range llmNames(p) {
		share := 0.0
		for _, ps := range p.Personas {
			if ps.Driver == plan.DriverLLM && ps.LLM == name {
				share += ps.Weight / total
			}
		}
		e := Estimate{LLM: p.LLMs[name], Conversations: conversations * share, Bounded: bounded}
		e.fill(p, promptTokens(p, name))
		out = append(out, e)
	}
	return out
}

func llmNames(p *plan.Plan) []string {
	var names []string
	for _, ps := range p.Personas {
		if ps.Driver == plan.DriverLLM && ps.Weight > 0 && p.LLMs[ps.LLM] != nil && !slices.Contains(names, ps.LLM) {
			names = append(names, ps.LLM)
		}
	}
	slices.Sort(names)
	return names
}

// planConversations is how many conversations the run holds at most; when
// they repeat until the stages end, an estimate from the users' time. Open
// stages hold one per arrival (Σ rate × duration), dropped ones included.
func planConversations(p *plan.Plan, s schedule.Schedule) (float64, bool) {
	c := p.Conversation
	if n, ok := s.Conversations(c.ConversationsPerUser); ok {
		return float64(n), true
	}
	// The shortest waits of a think_time or pacing range: the most
	// conversations fit in the users' time, so the bill is the worst.
	per := time.Duration(c.MaxTurns)*(EstimateTurnTime+c.ThinkTime.Min) + c.Pacing.Min
	return s.UserTime().Seconds() / per.Seconds(), false
}

// promptTokens estimates the rendered prompt of the block's first persona
// from the first virtual users' renderings.
func promptTokens(p *plan.Plan, name string) int64 {
	longest := 0
	for n := range 64 {
		u, err := p.NewUser(n)
		if err == nil && u.Persona.Driver == plan.DriverLLM && u.Persona.LLM == name {
			longest = max(longest, len(u.Prompt))
		}
	}
	return int64(longest / charsPerToken)
}

// fill works out the per-generation figures and the totals.
func (e *Estimate) fill(p *plan.Plan, prompt int64) {
	m := e.LLM
	e.Price = PriceOf(m)
	e.PromptTokens, e.ReplyTokens, e.MessageTokens = prompt, EstimateReplyTokens, expectedOutput
	if m.MaxOutputTokens > 0 {
		e.MessageTokens = int64(m.MaxOutputTokens)
	}
	switch {
	case m.ThinkingBudget == nil || *m.ThinkingBudget < 0:
		e.ThinkingTokens, e.DynamicThinking = EstimateThinkingTokens, true
	default:
		e.ThinkingTokens = int64(*m.ThinkingBudget)
	}
	g := int64(max(p.Conversation.MaxTurns-1, 0)) // generations per conversation
	// Generation i reads the prompt, i replies and i-1 earlier messages.
	input := g*e.PromptTokens + e.ReplyTokens*g*(g+1)/2 + e.MessageTokens*g*(g-1)/2
	e.Generations = e.Conversations * float64(g)
	e.Usage = Usage{
		Input:    int64(e.Conversations * float64(input)),
		Output:   int64(e.Generations * float64(e.MessageTokens)),
		Thinking: int64(e.Generations * float64(e.ThinkingTokens)),
	}
	e.USD = e.Price.Cost(e.Usage)
}
