package plan

import (
	"github.com/expr-lang/expr"
	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/names"
	"github.com/voyplan/voyplan/engine/plan/peruser"
)

// Rule is one `rule` block of a rules persona (DriverRules). On each
// assistant reply the persona's rules are tried in file order; the first
// whose When holds answers: the customer says the rule's say line
// (rendered per user, User.Says) or, with Stop, ends the conversation on
// purpose (outcome abandoned).
//
//	persona "kataryna" {
//	  rule {
//	    when = "reply matches '(?i)qual o seu cpf'"
//	    say  = data.customer.cpf
//	  }
//	  fallback = "Desculpa, não entendi 😅" # said when no rule matches; twice in a row: persona_stuck
//	}
type Rule struct {
	When      *Predicate
	Stop      bool
	DeclRange hcl.Range
}

// Eval runs the predicate on env (a TurnEnv).
func (p *Predicate) Eval(env map[string]any) (bool, error) {
	out, err := expr.Run(p.Program, env)
	if err != nil {
		return false, err
	}
	ok, _ := out.(bool)
	return ok, nil
}

var ruleSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "when", Required: true}, {Name: "say"}, {Name: "stop"}},
}

var ruleWhenKind = decode.ExprKind{
	Summary: "Invalid rule condition",
	What:    "when",
	Help: "A rule's when is an expr-lang expression, checked on each assistant reply, that is true when the rule " +
		"should answer, e.g. reply matches '(?i)qual o seu cpf'. It sees reply, messages (role, type, text, link), " +
		"turn, persona and the data blocks by name (customer.cpf).",
}

// decodeRules decodes a rules persona's rule blocks and fallback into p,
// and the per-user say expressions into pe.
func (l *loader) decodeRules(blocks hcl.Blocks, a *decode.Attrs, p *Persona, pe *peruser.Persona) {
	p.Driver = DriverRules
	for _, b := range blocks {
		r, say := l.decodeRule(b)
		p.Rules = append(p.Rules, r)
		pe.Says = append(pe.Says, say)
	}
	if fb, ok := a.Attributes["fallback"]; ok {
		p.Fallback, pe.Fallback = true, fb.Expr
	}
}

// decodeRule decodes one rule; say is nil for a stop rule.
func (l *loader) decodeRule(b *hcl.Block) (*Rule, hcl.Expression) {
	r := &Rule{DeclRange: b.DefRange}
	a := l.content(b, ruleSchema)
	a.Bool("stop", &r.Stop)
	var src string
	if a.Str("when", &src) {
		attr := a.Attributes["when"]
		prog, _, diags := l.compile(attr, attr.Expr.Range(), src, l.turnEnvShape(), names.TurnShape(l.dataShapes()), ruleWhenKind)
		l.add(diags)
		if prog != nil {
			r.When = &Predicate{Source: src, Program: prog, Range: attr.Expr.Range()}
		}
	}
	say, hasSay := a.Attributes["say"]
	switch {
	case hasSay && r.Stop:
		l.personaError("Unexpected say", "A rule with stop = true ends the conversation and says nothing. "+
			"Remove say, or remove stop.", say.Range)
	case !hasSay && !r.Stop:
		l.personaError("Missing required argument", "The argument \"say\" is required in a rule, the customer's "+
			"message when the rule matches, e.g. say = data.customer.cpf (or stop = true to end the conversation).", b.DefRange)
	case hasSay:
		return r, say.Expr
	}
	return r, nil
}
