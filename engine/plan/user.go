package plan

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/plan/funcs"
)

// userEval is what NewUser needs, built once at load and read-only after:
// safe to share between goroutines.
type userEval struct {
	funcsCtx *hcl.EvalContext // static functions: the parent of templates
	root     *hcl.EvalContext // static functions and var: the parent of a user's context
	files    *funcs.Files
	data     []dataEval
	personas []personaEval // aligned with Plan.Personas
	cum      []float64     // cumulative persona weights, in file order
}

// dataEval is one data block's per-user expressions.
type dataEval struct {
	name  string
	attrs []namedExpr
	skip  bool // only on the load-time probe of a plan with errors
}

// NewUser instantiates virtual user n: its persona (picked by weight), its
// data blocks and its persona's script or prompt, all drawn from
// datagen.ForUser(p.Seed, n). The same seed and n always give the same User.
// NewUser is safe for concurrent use.
func (p *Plan) NewUser(n int) (*User, error) {
	e := p.eval
	if e == nil || len(e.cum) == 0 {
		return nil, errors.New("plan: NewUser needs a plan made by Load")
	}
	r := datagen.ForUser(p.Seed, n)
	i := e.pick(r.Float64())
	ctx, data, diags := e.evalData(r)
	if diags.HasErrors() {
		return nil, fmt.Errorf("cannot generate the data of virtual user %d: %w", n, diags)
	}
	script, prompt, diags := e.evalPersona(i, ctx)
	says, fallback, rdiags := e.evalRules(i, ctx)
	if diags = append(diags, rdiags...); diags.HasErrors() {
		return nil, fmt.Errorf("cannot render persona %q for virtual user %d: %w", p.Personas[i].Name, n, diags)
	}
	return &User{N: n, Persona: p.Personas[i], Data: data, Script: script, Prompt: prompt, Says: says, Fallback: fallback}, nil
}

// pick maps x in [0, 1) to a persona index by cumulative weight.
func (e *userEval) pick(x float64) int {
	total := e.cum[len(e.cum)-1]
	i := sort.Search(len(e.cum), func(i int) bool { return e.cum[i] > x*total })
	if i == len(e.cum) { // rounding at the very top: the last persona with a weight
		i--
		for i > 0 && e.cum[i] == e.cum[i-1] {
			i--
		}
	}
	return i
}

// evalData evaluates the data blocks in order into a fresh context whose
// generators draw from r, and returns that context (data in scope) for the
// persona's expressions.
func (e *userEval) evalData(r *rand.Rand) (*hcl.EvalContext, map[string]map[string]string, hcl.Diagnostics) {
	ctx := e.root.NewChild()
	ctx.Functions = funcs.Scoped(r, e.files, e.funcsCtx)
	ctx.Variables = map[string]cty.Value{"data": cty.EmptyObjectVal}
	objs := make(map[string]cty.Value, len(e.data))
	out := make(map[string]map[string]string, len(e.data))
	var diags hcl.Diagnostics
	for _, b := range e.data {
		obj := cty.DynamicVal
		if !b.skip {
			var strs map[string]string
			var d hcl.Diagnostics
			obj, strs, d = b.eval(ctx)
			diags = append(diags, d...)
			out[b.name] = strs
		}
		objs[b.name] = obj
		ctx.Variables["data"] = cty.ObjectVal(objs)
	}
	return ctx, out, diags
}

// eval evaluates one data block; an attribute that fails is unknown in the
// object, so later blocks that use it report nothing more.
func (b *dataEval) eval(ctx *hcl.EvalContext) (cty.Value, map[string]string, hcl.Diagnostics) {
	vals := make(map[string]cty.Value, len(b.attrs))
	strs := make(map[string]string, len(b.attrs))
	var diags hcl.Diagnostics
	for _, a := range b.attrs {
		v, d := a.expr.Value(ctx)
		diags = append(diags, d...)
		if d.HasErrors() {
			vals[a.name] = cty.UnknownVal(cty.String)
			continue
		}
		s, d := dataString(a, v)
		diags = append(diags, d...)
		vals[a.name] = s
		if s.IsKnown() {
			strs[a.name] = s.AsString()
		}
	}
	return cty.ObjectVal(vals), strs, diags
}

// dataString converts a data attribute's value to a string: numbers and
// bools are written out, null is "".
func dataString(a namedExpr, v cty.Value) (cty.Value, hcl.Diagnostics) {
	if !v.IsWhollyKnown() {
		return cty.UnknownVal(cty.String), nil
	}
	if v.IsNull() {
		return cty.StringVal(""), nil
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		return cty.UnknownVal(cty.String), hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail: fmt.Sprintf("Inappropriate value for data attribute %q: a string, number or bool is required, not %s. "+
				"Use jsonencode(...) or join(...) to turn it into a string.", a.name, v.Type().FriendlyName()),
			Subject: a.expr.Range().Ptr(),
		}}
	}
	return s, nil
}

// evalPersona evaluates persona i's script or prompt in ctx.
func (e *userEval) evalPersona(i int, ctx *hcl.EvalContext) ([]string, string, hcl.Diagnostics) {
	pe := e.personas[i]
	switch {
	case pe.skip:
		return nil, "", nil
	case pe.script != nil:
		script, diags := evalScript(pe.script, ctx)
		return script, "", diags
	case pe.prompt != nil:
		prompt, diags := evalPrompt(pe.prompt, ctx)
		return nil, prompt, diags
	}
	return nil, "", nil
}

func evalScript(e hcl.Expression, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	v, diags := e.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return nil, diags
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || v.IsNull() || lv.LengthInt() == 0 {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid script",
			Detail: "script must be a non-empty list of strings, the customer's messages in order, first message " +
				"included: script = [\"Olá\", \"Quero comprar ingressos\"].",
			Subject: e.Range().Ptr(),
		})
	}
	lines := make([]string, 0, lv.LengthInt())
	for it := lv.ElementIterator(); it.Next(); {
		_, line := it.Element()
		if line.IsNull() {
			line = cty.StringVal("")
		}
		lines = append(lines, line.AsString())
	}
	return lines, diags
}

func evalPrompt(e hcl.Expression, ctx *hcl.EvalContext) (string, hcl.Diagnostics) {
	v, diags := e.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return "", diags
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("Inappropriate value for attribute \"prompt\": a string is required, not %s.", v.Type().FriendlyName()),
			Subject:  e.Range().Ptr(),
		})
	}
	return s.AsString(), diags
}
