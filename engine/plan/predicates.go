package plan

import (
	"slices"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/names"
)

var (
	checkKind = decode.ExprKind{
		Summary: "Invalid threshold check",
		What:    "The check",
		Help: "A check is an expr-lang expression over the run's metrics that is true when the threshold holds, " +
			"e.g. conversations.success_rate >= 0.9 or reply.p95 < duration('30s'). It sees " +
			strings.Join(slices.DeleteFunc(names.CheckNames(), func(n string) bool { return n == "personas" }), ", ") +
			" and personas[\"name\"] (with simulator_drift, data_mismatch, crosstalk, cost and pass_k[k]).",
	}
	completeWhenKind = decode.ExprKind{
		Summary: "Invalid complete_when",
		What:    "complete_when",
		Help: "complete_when is an expr-lang expression, checked on each assistant reply, that is true when the " +
			"conversation is done, e.g. reply matches 'https://pay[.]'. It sees reply, messages (role, type, text, " +
			"link), turn, persona and the data blocks by name (customer.cpf).",
	}
)

// compileCheck compiles a threshold's check against metrics.Snapshot, its
// persona names among personas (nil: not checked), and returns what it
// reads.
func (l *loader) compileCheck(attr *hcl.Attribute, src string, personas []string) (*vm.Program, []names.Read, hcl.Diagnostics) {
	return l.compile(attr, attr.Expr.Range(), src, metrics.Snapshot{}, names.CheckShape(personas), checkKind)
}

// personaNames is the plan's personas, by name.
func (l *loader) personaNames() []string {
	names := make([]string, len(l.plan.Personas))
	for i, p := range l.plan.Personas {
		names[i] = p.Name
	}
	return names
}

// completeWhen compiles the conversation's complete_when (or the default)
// against the shape of TurnEnv.
func (l *loader) completeWhen(a *decode.Attrs, src string, rng hcl.Range) *Predicate {
	attr, ok := a.Attributes["complete_when"]
	if ok {
		if !a.Str("complete_when", &src) {
			return nil
		}
		rng = attr.Expr.Range()
	}
	prog, _, diags := l.compile(attr, rng, src, l.turnEnvShape(), names.TurnShape(l.dataShapes()), completeWhenKind)
	l.add(diags)
	if prog == nil {
		return nil
	}
	return &Predicate{Source: src, Program: prog, Range: rng}
}

// turnEnvShape is a TurnEnv with the plan's data blocks and attributes, for
// type-checking complete_when.
func (l *loader) turnEnvShape() map[string]any {
	data := make(map[string]map[string]string, len(l.data))
	for _, b := range l.data {
		attrs := make(map[string]string, len(b.attrs))
		for _, a := range b.attrs {
			attrs[a.Name] = ""
		}
		data[b.name] = attrs
	}
	return TurnEnv(nil, 0, "", data)
}

// compile compiles src, which attr (nil for a default) evaluated to, as a
// boolean expr-lang program over env, then resolves every name it reads
// through names (names.go: expr-lang checks struct fields, not the keys of
// maps such as personas), and returns what it reads. A name that does
// not resolve, or a compile error, is reported at its position inside the
// string when the string is written as a plain literal.
func (l *loader) compile(attr *hcl.Attribute, rng hcl.Range, src string, env any, shape *names.Shape, kind decode.ExprKind) (*vm.Program, []names.Read, hcl.Diagnostics) {
	prog, diag := decode.Compile(l.src, attr, rng, src, env, kind, expr.AsBool())
	if diag != nil {
		return nil, nil, hcl.Diagnostics{diag}
	}
	reads, errs := names.Resolve(src, shape)
	if len(errs) > 0 {
		return nil, nil, names.Diagnostics(l.src, attr, rng, src, errs, kind)
	}
	return prog, reads, nil
}
