package rig

import (
	"context"
	"fmt"

	"github.com/voyplan/voyplan/engine/llm"
	"github.com/voyplan/voyplan/engine/plan"
)

// llmClients holds one client per llm block a persona with users plays
// through (plan.Plays: a replay persona's takeover too): its limiters are
// shared by every virtual user of the run.
type llmClients map[string]*llm.Client

// newLLMClients builds the clients of the llm blocks in use. A block with
// no key fails here, before anything starts (apply reports it earlier,
// naming the variable to set: plan.CheckKeys).
func newLLMClients(p *plan.Plan) (llmClients, error) {
	clients := llmClients{}
	for _, ps := range p.Personas {
		if ps.Driver != plan.DriverLLM || !p.Plays(ps) || clients[ps.LLM] != nil {
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

// LLM is the client of llm block name, shared by every user that plays
// through it; nil when no persona with users plays through that block.
func (rg *Rig) LLM(name string) *llm.Client { return rg.llms[name] }
