package run

import (
	"context"
	"fmt"
	"time"

	"github.com/voyplan/voyplan/engine/llm"
	"github.com/voyplan/voyplan/engine/persona"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// llmClients holds one client per llm block a persona with users plays
// through: its limiters are shared by every virtual user of the run.
type llmClients map[string]*llm.Client

// newLLMClients builds the clients of the llm blocks in use. A block with
// no key fails here, before anything starts (apply reports it earlier,
// naming the variable to set: plan.CheckKeys).
func newLLMClients(p *plan.Plan) (llmClients, error) {
	clients := llmClients{}
	for _, ps := range p.Personas {
		if ps.Driver != plan.DriverLLM || ps.Weight <= 0 || clients[ps.LLM] != nil {
			continue
		}
		m, ok := p.LLMs[ps.LLM]
		if !ok {
			clients.close()
			return nil, fmt.Errorf("persona %q: no llm block named %q", ps.Name, ps.LLM)
		}
		c, err := llm.New(context.Background(), m, llm.Options{})
		if err != nil {
			clients.close()
			return nil, err
		}
		clients[ps.LLM] = c
	}
	return clients, nil
}

func (cs llmClients) close() {
	for _, c := range cs {
		c.Close()
	}
}

// newDriver picks the persona's driver — script, rules or llm — and wraps
// it so every message is checked for staying in character.
func (r *Runner) newDriver(u *plan.User) persona.Driver {
	var d persona.Driver
	opening := r.plan.Conversation.Opening
	switch u.Persona.Driver {
	case plan.DriverRules:
		d = persona.NewRules(u, opening)
	case plan.DriverLLM:
		d = r.llmDriver(u, opening)
	default:
		d = persona.NewScript(u.Script)
	}
	return persona.Watch(d, u.Data)
}

// llmDriver opens the user's chat on the run's shared client.
func (r *Runner) llmDriver(u *plan.User, opening string) persona.Driver {
	c := r.env.llms[u.Persona.LLM]
	if c == nil {
		return failing{fmt.Errorf("persona %q: llm %q has no client in this run", u.Persona.Name, u.Persona.LLM)}
	}
	chat, err := c.NewChat(u.Prompt)
	if err != nil {
		return failing{err}
	}
	return persona.NewLLM(chat, opening)
}

// failing is a driver that could not be built: its conversation fails
// (llm_error) at the first message.
type failing struct{ err error }

func (f failing) Next(context.Context, []transcript.Message) (persona.Step, error) {
	return persona.Step{}, f.err
}

// recordLLM hands a generation to the metrics, unless the run cut it. A
// generation that produced no turn (it failed, or wrote the stop marker)
// is added to the conversation's totals here; the others are counted with
// their turn when the conversation ends.
func (c *conversation) recordLLM(ctx context.Context, step persona.Step, err error) {
	call := step.LLM
	if call == nil {
		return
	}
	if err == nil || ctx.Err() == nil {
		c.r.rec.LLM(time.Duration(call.MS*float64(time.Millisecond)), err == nil, *call)
		select {
		case c.r.billed <- struct{}{}:
		default: // a check is already due
		}
	}
	if err != nil || step.Stop {
		c.rec.Tokens.Input += call.InputTokens
		c.rec.Tokens.Output += call.OutputTokens
		c.rec.Tokens.Thinking += call.ThinkingTokens
		c.rec.CostUSD += call.CostUSD
	}
}

// stopDetail says why a persona ended its conversation.
func stopDetail(step persona.Step) string {
	if step.LLM != nil {
		return "the persona wrote " + persona.StopMarker
	}
	return "a stop rule matched"
}
