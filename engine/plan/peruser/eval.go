package peruser

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/funcs"
)

// Evaluator is what a plan needs to instantiate its virtual users, built
// once at load and read-only after: safe to share between goroutines.
type Evaluator struct {
	Funcs    *hcl.EvalContext // static functions: the parent of templates
	Root     *hcl.EvalContext // static functions and var: the parent of a user's context
	Files    *funcs.Files
	Data     []Data
	Personas []Persona // aligned with the plan's personas
	Cum      []float64 // cumulative persona weights, in file order
}

// Data is one data block's per-user expressions.
type Data struct {
	Name  string
	Attrs []Attr // in file order
	Skip  bool   // only on the load-time probe of a plan with errors
}

// Attr is one attribute kept for per-user evaluation.
type Attr struct {
	Name string
	Expr hcl.Expression
}

// Persona holds a persona's per-user expressions: Script (a script
// persona), Prompt (an llm persona) or Says and Fallback (a rules persona;
// a stop rule's say is nil), evaluated with the user's data in scope.
type Persona struct {
	Script   hcl.Expression
	Prompt   hcl.Expression
	Says     []hcl.Expression
	Fallback hcl.Expression
	// Skip is true when the persona's expressions are wrong (already
	// reported); the load-time probe then does not evaluate them.
	Skip bool

	// lines is Script's value when it is the same for every user (fixed),
	// set by Probe and shared, read-only, by every user.
	lines []string
}

// Probe evaluates every persona's expressions in ctx, the load-time probe
// user's, and keeps the lines of each script that reads nothing of a user,
// so that a 100,000-line script is evaluated once per load rather than
// once per user. Call it once, before the Evaluator is shared.
func (e *Evaluator) Probe(ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i := range e.Personas {
		script, _, d := e.EvalPersona(i, ctx)
		diags = append(diags, d...)
		if pe := &e.Personas[i]; !d.HasErrors() && script != nil && fixed(pe.Script) {
			pe.lines = script
		}
		_, _, d = e.EvalRules(i, ctx)
		diags = append(diags, d...)
	}
	return diags
}

// fixed reports whether e evaluates the same for every user: it reads no
// data block and calls no function of a user's scope (a generator,
// templatefile).
func fixed(e hcl.Expression) bool {
	se, ok := e.(hclsyntax.Expression)
	if !ok {
		return false
	}
	for _, tr := range se.Variables() {
		if tr.RootName() == "data" {
			return false
		}
	}
	scoped := decode.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
		if call, ok := n.(*hclsyntax.FunctionCallExpr); ok && funcs.IsScoped(call.Name) {
			return hcl.Diagnostics{{Severity: hcl.DiagError}}
		}
		return nil
	})
	return !scoped.HasErrors()
}

// Pick maps x in [0, 1) to a persona index by cumulative weight.
func (e *Evaluator) Pick(x float64) int {
	total := e.Cum[len(e.Cum)-1]
	i := sort.Search(len(e.Cum), func(i int) bool { return e.Cum[i] > x*total })
	if i == len(e.Cum) { // rounding at the very top: the last persona with a weight
		i--
		for i > 0 && e.Cum[i] == e.Cum[i-1] {
			i--
		}
	}
	return i
}

// EvalData evaluates the data blocks in order into a fresh context whose
// generators draw from r, and returns that context (data in scope) for the
// persona's expressions.
func (e *Evaluator) EvalData(r *rand.Rand) (*hcl.EvalContext, map[string]map[string]string, hcl.Diagnostics) {
	ctx := e.Root.NewChild()
	ctx.Functions = funcs.Scoped(r, e.Files, e.Funcs)
	ctx.Variables = map[string]cty.Value{"data": cty.EmptyObjectVal}
	objs := make(map[string]cty.Value, len(e.Data))
	out := make(map[string]map[string]string, len(e.Data))
	var diags hcl.Diagnostics
	for _, b := range e.Data {
		obj := cty.DynamicVal
		if !b.Skip {
			var strs map[string]string
			var d hcl.Diagnostics
			obj, strs, d = b.eval(ctx)
			diags = append(diags, d...)
			out[b.Name] = strs
		}
		objs[b.Name] = obj
		ctx.Variables["data"] = cty.ObjectVal(objs)
	}
	return ctx, out, diags
}

// eval evaluates one data block; an attribute that fails is unknown in the
// object, so later blocks that use it report nothing more.
func (b *Data) eval(ctx *hcl.EvalContext) (cty.Value, map[string]string, hcl.Diagnostics) {
	vals := make(map[string]cty.Value, len(b.Attrs))
	strs := make(map[string]string, len(b.Attrs))
	var diags hcl.Diagnostics
	for _, a := range b.Attrs {
		v, d := a.Expr.Value(ctx)
		diags = append(diags, d...)
		if d.HasErrors() {
			vals[a.Name] = cty.UnknownVal(cty.String)
			continue
		}
		s, d := dataString(a, v)
		diags = append(diags, d...)
		vals[a.Name] = s
		if s.IsKnown() {
			strs[a.Name] = s.AsString()
		}
	}
	return cty.ObjectVal(vals), strs, diags
}

// dataString converts a data attribute's value to a string: numbers and
// bools are written out, null is "".
func dataString(a Attr, v cty.Value) (cty.Value, hcl.Diagnostics) {
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
				"Use jsonencode(...) or join(...) to turn it into a string.", a.Name, v.Type().FriendlyName()),
			Subject: a.Expr.Range().Ptr(),
		}}
	}
	return s, nil
}

// EvalPersona evaluates persona i's script or prompt in ctx.
func (e *Evaluator) EvalPersona(i int, ctx *hcl.EvalContext) ([]string, string, hcl.Diagnostics) {
	pe := e.Personas[i]
	switch {
	case pe.Skip:
		return nil, "", nil
	case pe.lines != nil:
		return pe.lines, "", nil
	case pe.Script != nil:
		script, diags := evalScript(pe.Script, ctx)
		return script, "", diags
	case pe.Prompt != nil:
		prompt, diags := evalPrompt(pe.Prompt, ctx)
		return nil, prompt, diags
	}
	return nil, "", nil
}

func evalScript(e hcl.Expression, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	v, diags := e.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return nil, diags
	}
	lv, err := funcs.Convert(v, cty.List(cty.String)) // linear in the script's length
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

// EvalRules renders persona i's say lines and fallback in ctx.
func (e *Evaluator) EvalRules(i int, ctx *hcl.EvalContext) ([]string, string, hcl.Diagnostics) {
	pe := e.Personas[i]
	if pe.Skip || (len(pe.Says) == 0 && pe.Fallback == nil) {
		return nil, "", nil
	}
	var diags hcl.Diagnostics
	says := make([]string, len(pe.Says))
	for j, say := range pe.Says {
		if say != nil {
			var d hcl.Diagnostics
			says[j], d = evalLine(say, ctx, "say")
			diags = append(diags, d...)
		}
	}
	var fallback string
	if pe.Fallback != nil {
		var d hcl.Diagnostics
		fallback, d = evalLine(pe.Fallback, ctx, "fallback")
		diags = append(diags, d...)
	}
	return says, fallback, diags
}

// evalLine evaluates a customer's line: a non-empty string.
func evalLine(e hcl.Expression, ctx *hcl.EvalContext, name string) (string, hcl.Diagnostics) {
	v, diags := e.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return "", diags
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || v.IsNull() || s.AsString() == "" {
		return "", append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + name,
			Detail: fmt.Sprintf("%s must be a non-empty string, the customer's message, e.g. %s = \"Sim, pode enviar\" "+
				"or %s = data.customer.cpf.", name, name, name),
			Subject: e.Range().Ptr(),
		})
	}
	return s.AsString(), diags
}

// DataContext returns a user's context with data given rather than
// generated — a replayed conversation's recorded data — in scope, for
// EvalPersona and EvalRules; its generators draw from r.
func (e *Evaluator) DataContext(r *rand.Rand, data map[string]map[string]string) *hcl.EvalContext {
	ctx := e.Root.NewChild()
	ctx.Functions = funcs.Scoped(r, e.Files, e.Funcs)
	objs := make(map[string]cty.Value, len(data))
	for name, attrs := range data {
		vals := make(map[string]cty.Value, len(attrs))
		for k, v := range attrs {
			vals[k] = cty.StringVal(v)
		}
		objs[name] = cty.ObjectVal(vals)
	}
	ctx.Variables = map[string]cty.Value{"data": cty.ObjectVal(objs)}
	return ctx
}
