package plan

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/vars"
)

// keySource finds where an api_key expression reads the key: the
// environment variable of an env("NAME") call, or the variable of a
// var.NAME reference. Both are "" when it says neither (a literal, or no
// api_key at all).
func keySource(attr *hcl.Attribute) (envName, varName string) {
	if attr == nil {
		return "", ""
	}
	node, ok := attr.Expr.(hclsyntax.Node)
	if !ok {
		return "", ""
	}
	_ = decode.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
		switch n := n.(type) {
		case *hclsyntax.FunctionCallExpr:
			if n.Name == "env" && len(n.Args) == 1 && envName == "" {
				if v, diags := n.Args[0].Value(nil); !diags.HasErrors() && v.IsKnown() && v.Type().FriendlyName() == "string" {
					envName = v.AsString()
				}
			}
		case *hclsyntax.ScopeTraversalExpr:
			if len(n.Traversal) >= 2 && n.Traversal.RootName() == "var" && varName == "" {
				if at, ok := n.Traversal[1].(hcl.TraverseAttr); ok {
					varName = at.Name
				}
			}
		}
		return nil
	})
	return envName, varName
}

// CheckKeys reports the llm blocks that a persona with a positive weight
// uses and whose api_key is empty, each with how to set it. validate does
// not call it — a plan is valid without the key — apply does, before
// anything starts.
func (p *Plan) CheckKeys() error {
	var names []string
	for _, ps := range p.Personas {
		if ps.Driver == DriverLLM && p.Plays(ps) && !slices.Contains(names, ps.LLM) {
			names = append(names, ps.LLM)
		}
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		if m := p.LLMs[name]; m != nil && strings.TrimSpace(m.APIKey) == "" {
			errs = append(errs, m.missingKey())
		}
	}
	return errors.Join(errs...)
}

func (m *LLM) missingKey() error {
	switch {
	case m.APIKeyEnv != "":
		return fmt.Errorf("llm %q: api_key is empty — set %s (the plan reads it with env(%q)), in the environment or in %s",
			m.Name, m.APIKeyEnv, m.APIKeyEnv, vars.DotEnvFile)
	case m.APIKeyVar != "":
		return fmt.Errorf("llm %q: api_key is empty — set the variable %s (-var %s=... or VOYPLAN_VAR_%s)",
			m.Name, m.APIKeyVar, m.APIKeyVar, m.APIKeyVar)
	}
	return fmt.Errorf("llm %q: api_key is empty — set it in the llm block at %s, e.g. api_key = env(\"GOOGLE_API_KEY\")",
		m.Name, m.DeclRange)
}
