package plan

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/peruser"
)

func (l *loader) decodePersonas(blocks hcl.Blocks) {
	if len(blocks) == 0 {
		l.add(hcl.Diagnostics{l.missingBlock("persona")})
		return
	}
	var weights []hcl.Range
	for _, b := range l.uniqueLabels("persona", blocks) {
		p, pe, weight := l.decodePersona(b)
		l.plan.Personas = append(l.plan.Personas, p)
		l.personas = append(l.personas, pe)
		weights = append(weights, weight)
	}
	l.checkWeights(weights)
	l.resolveTakeovers() // replay.go
}

// decodePersona decodes one persona; weight is where its weight is set (its
// block header when it takes the default).
func (l *loader) decodePersona(b *hcl.Block) (*Persona, peruser.Persona, hcl.Range) {
	p := &Persona{Name: b.Labels[0], Weight: 1, DeclRange: b.DefRange}
	a, rules := l.contentBlocks(b, personaSchema)
	weight := b.DefRange
	if attr, ok := a.Attributes["weight"]; ok {
		weight = attr.Expr.Range()
	}
	a.Number("weight", &p.Weight)
	a.Require("weight", p.Weight >= 0, "0 or more: a persona's share of the users is its weight over the sum of all weights")
	return p, l.personaDriver(a, rules, b, p), weight
}

// personaDriver settles what plays the persona, script, llm or rules, and
// returns the expressions to evaluate per user.
func (l *loader) personaDriver(a *decode.Attrs, rules hcl.Blocks, b *hcl.Block, p *Persona) peruser.Persona {
	script, hasScript := a.Attributes["script"]
	prompt, hasPrompt := a.Attributes["prompt"]
	llm, hasLLM := a.Attributes["llm"]
	hasRules := len(rules) > 0
	var pe peruser.Persona
	if replay, ok := a.Attributes["replay"]; ok {
		if hasScript || hasLLM || hasRules {
			l.personaError("Conflicting persona driver", "A replay persona says a recording's messages; it is not "+
				"also played by a script, an llm or rule blocks. Name the persona that takes over with on_divergence instead.",
				replay.Range)
			return peruser.Persona{Skip: true}
		}
		l.decodeReplay(a, p) // replay.go
		return pe
	}
	l.onlyWithReplay(a)
	switch {
	case hasScript && hasLLM:
		l.personaError("Conflicting persona driver", "A persona is played either by a script (fixed lines) or by an llm "+
			"with a prompt, not both. Remove script, or remove llm and prompt.", llm.Range)
		return peruser.Persona{Skip: true}
	case hasRules && (hasScript || hasLLM):
		l.personaError("Conflicting persona driver", "A persona is played by a script, by an llm or by rule blocks, "+
			"not several. Remove the rule blocks, or remove script and llm.", rules[0].DefRange)
		return peruser.Persona{Skip: true}
	case !hasScript && !hasLLM && !hasRules:
		l.personaError("Missing persona driver", "Give the persona script = [\"Olá\", ...] (fixed lines, first "+
			"message included), llm = \"<llm block name>\" and a prompt, rule { when = \"...\" say = \"...\" } blocks, "+
			"or replay = \"runs/<an earlier run>\" (its customers said again).", b.DefRange)
		return peruser.Persona{Skip: true}
	case hasRules:
		l.decodeRules(rules, a, p, &pe)
		l.unexpectedWithRules(a)
	case hasScript:
		p.Driver, pe.Script = DriverScript, script.Expr
		if hasPrompt {
			l.personaError("Unexpected prompt", "A script persona says its lines as written; prompt is only used with "+
				"llm. Remove prompt, or replace script with llm.", prompt.Range)
		}
	default:
		p.Driver = DriverLLM
		if a.Str("llm", &p.LLM) {
			l.checkLLMName(a, p)
		}
		if !hasPrompt {
			l.personaError("Missing required argument", "The argument \"prompt\" is required for a persona played by an "+
				"llm, e.g. prompt = templatefile(\"personas/kataryna.txt\", { customer = data.customer }).", b.DefRange)
			return peruser.Persona{Skip: true}
		}
		pe.Prompt = prompt.Expr
	}
	if fb, ok := a.Attributes["fallback"]; ok && !hasRules {
		l.personaError("Unexpected fallback", "fallback is the line a rules persona says when no rule matches; "+
			"this persona has no rule blocks. Remove fallback, or add rule blocks.", fb.Range)
	}
	pe.Skip = l.checkPersonaExprs(pe)
	return pe
}

// onlyWithReplay reports a replay persona's attributes on another persona.
func (l *loader) onlyWithReplay(a *decode.Attrs) {
	for _, name := range []string{"on_divergence", "divergence"} {
		if attr, ok := a.Attributes[name]; ok {
			l.personaError("Unexpected "+name, name+" says what a replay persona does when the assistant's replies "+
				"diverge from the recording; this persona has no replay. Remove "+name+", or add replay.", attr.Range)
		}
	}
}

// unexpectedWithRules reports a prompt on a rules persona.
func (l *loader) unexpectedWithRules(a *decode.Attrs) {
	if prompt, ok := a.Attributes["prompt"]; ok {
		l.personaError("Unexpected prompt", "A rules persona says its rules' lines; prompt is only used with llm. "+
			"Remove prompt.", prompt.Range)
	}
}

// checkPersonaExprs checks the references of the persona's expressions and
// reports whether they are wrong.
func (l *loader) checkPersonaExprs(pe peruser.Persona) bool {
	bad := false
	for _, e := range append([]hcl.Expression{pe.Script, pe.Prompt, pe.Fallback}, pe.Says...) {
		if e == nil {
			continue
		}
		if diags := l.checkExpr(e, len(l.data)); diags.HasErrors() {
			l.add(diags)
			bad = true
		}
	}
	return bad
}

func (l *loader) checkLLMName(a *decode.Attrs, p *Persona) {
	if _, ok := l.plan.LLMs[p.LLM]; ok {
		return
	}
	detail := fmt.Sprintf("There is no llm block named %q.", p.LLM)
	if names := decode.SortedKeys(l.plan.LLMs); len(names) > 0 {
		detail += decode.DidYouMean(p.LLM, names) + " The plan declares " + decode.QuotedList(names) + "."
	} else {
		detail += fmt.Sprintf(" Declare one: llm %q { model = \"gemini-2.5-flash\" }.", p.LLM)
	}
	l.personaError("Unknown llm", detail, a.Attributes["llm"].Expr.Range())
}

func (l *loader) personaError(summary, detail string, subject hcl.Range) {
	l.add(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: subject.Ptr()}})
}

// checkWeights reports, on every persona, weights that sum to zero: no
// virtual user could pick a persona.
func (l *loader) checkWeights(ranges []hcl.Range) {
	total := 0.0
	for _, p := range l.plan.Personas {
		if p.Weight < 0 {
			return // already reported
		}
		total += p.Weight
	}
	if total > 0 || len(ranges) == 0 {
		return
	}
	for _, r := range ranges {
		l.personaError("Persona weights sum to zero", "Every persona has weight 0, so no virtual user could be given "+
			"one. Give at least one persona a positive weight (the default is 1).", r)
	}
}
