package plan

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// noData is the number of visible data blocks for attributes evaluated once
// per plan, where data.* is not available at all.
const noData = -1

// checkExpr checks, before e is evaluated, what HCL cannot check well on its
// own: that var.* names a declared variable, that data.* names a data block
// visible from here and one of its attributes (with "Did you mean"), and
// that every function called exists. visible is the number of data blocks,
// in file order, e may refer to; noData when it may refer to none.
func (l *loader) checkExpr(e hcl.Expression, visible int) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, t := range e.Variables() {
		switch t.RootName() {
		case "var":
			diags = append(diags, l.checkVarRef(t)...)
		case "data":
			diags = append(diags, l.checkDataRef(t, visible)...)
		}
	}
	if se, ok := e.(hclsyntax.Expression); ok {
		diags = append(diags, decode.CheckFunctionNames(se, l.funcNames, "a plan")...)
	}
	return diags
}

func (l *loader) checkVarRef(t hcl.Traversal) hcl.Diagnostics {
	name, rng, ok := traversalStep(t, 1)
	if !ok {
		return nil
	}
	if l.vars.Declared(name) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unsupported attribute",
		Detail: fmt.Sprintf("This object does not have an attribute named %q: no variable %q is declared.%s "+
			"Fix the name, or declare it with a variable %q { default = ... } block.",
			name, name, decode.DidYouMean(name, l.vars.Names()), name),
		Subject: rng.Ptr(),
		Context: t.SourceRange().Ptr(),
	}}
}

func (l *loader) checkDataRef(t hcl.Traversal, visible int) hcl.Diagnostics {
	if visible == noData {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid reference",
			Detail: "data.* values are generated afresh for every virtual user, so only data blocks and a persona's " +
				"script and prompt may refer to them. Use a variable (var.*) or a literal here.",
			Subject: t.SourceRange().Ptr(),
		}}
	}
	name, rng, ok := traversalStep(t, 1)
	if !ok {
		return nil
	}
	i := l.dataIndex(name)
	if i < 0 {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unsupported attribute",
			Detail: fmt.Sprintf("This object does not have an attribute named %q: there is no data block named %q.%s",
				name, name, decode.DidYouMean(name, l.dataNames())),
			Subject: rng.Ptr(),
			Context: t.SourceRange().Ptr(),
		}}
	}
	if i >= visible {
		return hcl.Diagnostics{l.laterDataDiag(name, i, visible, rng)}
	}
	return l.checkDataAttrRef(t, l.data[i])
}

func (l *loader) laterDataDiag(name string, i, visible int, rng hcl.Range) *hcl.Diagnostic {
	detail := fmt.Sprintf("data %q is declared at %s, after the block that refers to it. Data blocks are evaluated "+
		"in file order, so a block may only use the ones above it: move data %q up.", name, l.data[i].block.DefRange, name)
	if i == visible {
		detail = fmt.Sprintf("A data block cannot refer to itself. Compute the value in another data block declared above data %q, or repeat the expression.", name)
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid reference", Detail: detail, Subject: rng.Ptr()}
}

func (l *loader) checkDataAttrRef(t hcl.Traversal, b *dataBlock) hcl.Diagnostics {
	attr, rng, ok := traversalStep(t, 2)
	if !ok || b.has(attr) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unsupported attribute",
		Detail: fmt.Sprintf("This object does not have an attribute named %q: data %q defines %s.%s",
			attr, b.name, decode.QuotedList(b.names()), decode.DidYouMean(attr, b.names())),
		Subject: rng.Ptr(),
		Context: t.SourceRange().Ptr(),
	}}
}

// traversalStep returns the attribute name at step i of t (a.b or a["b"]).
func traversalStep(t hcl.Traversal, i int) (string, hcl.Range, bool) {
	if len(t) <= i {
		return "", hcl.Range{}, false
	}
	switch s := t[i].(type) {
	case hcl.TraverseAttr:
		return s.Name, s.SrcRange, true
	case hcl.TraverseIndex:
		if s.Key.IsKnown() && s.Key.Type() == cty.String && !s.Key.IsNull() {
			return s.Key.AsString(), s.SrcRange, true
		}
	}
	return "", hcl.Range{}, false
}
