package plan

import (
	"errors"
	"fmt"

	"github.com/voyplan/voyplan/engine/datagen"
)

// NewUser instantiates virtual user n: its persona (picked by weight), its
// data blocks and its persona's script or prompt, all drawn from
// datagen.ForUser(p.Seed, n). The same seed and n always give the same User.
// NewUser is safe for concurrent use.
func (p *Plan) NewUser(n int) (*User, error) {
	e := p.eval
	if e == nil || len(e.Cum) == 0 {
		return nil, errors.New("plan: NewUser needs a plan made by Load")
	}
	r := datagen.ForUser(p.Seed, n)
	i := e.Pick(r.Float64())
	ctx, data, diags := e.EvalData(r)
	if diags.HasErrors() {
		return nil, fmt.Errorf("cannot generate the data of virtual user %d: %w", n, diags)
	}
	script, prompt, diags := e.EvalPersona(i, ctx)
	says, fallback, rdiags := e.EvalRules(i, ctx)
	if diags = append(diags, rdiags...); diags.HasErrors() {
		return nil, fmt.Errorf("cannot render persona %q for virtual user %d: %w", p.Personas[i].Name, n, diags)
	}
	return &User{N: n, Persona: p.Personas[i], Data: data, Script: script, Prompt: prompt, Says: says, Fallback: fallback}, nil
}
