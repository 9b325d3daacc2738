package vars

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// fileVars are the values the -var-file files give, as loadVarFiles found
// them.
type fileVars struct {
	// vals holds each variable's value from the last file that sets it,
	// converted to the variable's type; unknown when it could not be used
	// (that was reported).
	vals map[string]cty.Value
	// failed is set when a file could not be read or parsed: a required
	// variable left without a value is then not reported, since its value
	// may be in that file.
	failed bool
}

// loadVarFiles reads opts.VarFiles in order, once the variable blocks are
// decoded. A variable file is HCL holding only `name = value` lines, like a
// Terraform .tfvars: the values are literals (no variables, no functions in
// scope), converted to the variable's type as a -var value is. Every
// assignment of every file is checked, even one a later file or a -var
// overrides; a later file's value wins.
func (s *Set) loadVarFiles() {
	s.files.vals = make(map[string]cty.Value)
	for _, path := range s.in.Files {
		body := s.parseVarFile(path)
		if body == nil {
			s.files.failed = true
			continue
		}
		for _, item := range varFileItems(body) {
			if item.attr != nil {
				s.varFileAssignment(path, item.attr)
				continue
			}
			s.add(hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Unexpected block in variable file",
				Detail: fmt.Sprintf("A variable file holds only name = value lines, such as channel_id = \"...\"; "+
					"a %s block cannot be used in it. Variables are declared by variable blocks in the plan.", item.block.Type),
				Subject: item.block.DefRange().Ptr(),
			}})
		}
	}
}

// varFileItem is an attribute or a block of a variable file.
type varFileItem struct {
	attr  *hclsyntax.Attribute
	block *hclsyntax.Block
	start int // byte offset
}

// varFileItems returns a variable file's attributes and blocks as they are
// written, so its diagnostics come in file order.
func varFileItems(body *hclsyntax.Body) []varFileItem {
	items := make([]varFileItem, 0, len(body.Attributes)+len(body.Blocks))
	for _, a := range body.Attributes {
		items = append(items, varFileItem{attr: a, start: a.SrcRange.Start.Byte})
	}
	for _, b := range body.Blocks {
		items = append(items, varFileItem{block: b, start: b.TypeRange.Start.Byte})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].start < items[j].start })
	return items
}

// parseVarFile reads and parses one variable file; nil when it cannot be
// used, which is reported.
func (s *Set) parseVarFile(path string) *hclsyntax.Body {
	src, err := os.ReadFile(path)
	if err != nil {
		reason := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error() // the path is named already
		}
		detail := fmt.Sprintf("Cannot read the variable file %s given by -var-file: %s.", path, reason)
		if errors.Is(err, fs.ErrNotExist) {
			detail = fmt.Sprintf("The variable file %s given by -var-file does not exist. "+
				"Check the path: it is relative to the working directory, not to the plan.", path)
		}
		s.add(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read variable file", Detail: detail}})
		return nil
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if !diags.HasErrors() {
		diags = append(diags, decode.Meter(f.Body.(*hclsyntax.Body))...)
	}
	s.add(diags)
	if diags.HasErrors() {
		return nil
	}
	return f.Body.(*hclsyntax.Body)
}

// varFileAssignment checks one `name = value` line of the variable file at
// path and records its value.
func (s *Set) varFileAssignment(path string, attr *hclsyntax.Attribute) {
	v, ok := s.vars[attr.Name]
	if !ok {
		s.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Undeclared variable",
			Detail: fmt.Sprintf("The variable file %s sets %q, but the plan declares no such variable.%s "+
				"Fix the name, or declare it with a variable %q {} block.", path, attr.Name, decode.DidYouMean(attr.Name, decode.SortedKeys(s.vars)), attr.Name),
			Subject: attr.NameRange.Ptr(),
		}})
		return
	}
	val, diags := attr.Expr.Value(nil) // literals only: no variables, no functions
	s.add(diags)
	switch {
	case diags.HasErrors():
		val = cty.DynamicVal
	case val.IsNull():
		s.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail: fmt.Sprintf("The variable file %s sets %q to null, which is no value. "+
				"Remove the line to leave the variable to -var, VOYPLAN_VAR_%s or its default.", path, v.name, v.name),
			Subject: attr.Expr.Range().Ptr(),
		}})
		val = cty.DynamicVal
	default:
		// A failure points at the name: the snippet then shows the line
		// with its value written over (RedactFile).
		val = s.convertValue(v, val, v.valueType(), "the variable file "+path, attr.NameRange.Ptr())
	}
	s.files.vals[v.name] = val
}

// RedactFile returns src, the source of the variable file filename, with
// every value written over by '*' — byte for byte, lines kept, so ranges
// still point where they did — except the value keep is about (the subject
// of a diagnostic). The keys of a map stay, only its values go. A
// diagnostic's source snippet is rendered from it: a variable file may hold
// secrets (an API key), and a snippet shows only the value its diagnostic
// is about, as a mistaken -var quotes only its own value. Values the parser
// could not reach (after a syntax error) are left as they are.
func RedactFile(src []byte, filename string, keep *hcl.Range) []byte {
	out := bytes.Clone(src)
	f, _ := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return out
	}
	var redactExpr func(e hclsyntax.Expression)
	redactExpr = func(e hclsyntax.Expression) {
		r := e.Range()
		if keep != nil && keep.Filename == r.Filename && keep.Start.Byte <= r.Start.Byte && r.End.Byte <= keep.End.Byte {
			return // the value the diagnostic is about
		}
		switch e := e.(type) {
		case *hclsyntax.ObjectConsExpr:
			for _, item := range e.Items {
				redactExpr(item.ValueExpr)
			}
			return
		case *hclsyntax.TupleConsExpr:
			for _, elem := range e.Exprs {
				redactExpr(elem)
			}
			return
		}
		if keep != nil && r.Overlaps(*keep) {
			return // the diagnostic is about part of it (a variable in it, say)
		}
		for i := r.Start.Byte; i < r.End.Byte && i < len(out); i++ {
			if out[i] != '\n' && out[i] != '\r' {
				out[i] = '*'
			}
		}
	}
	var redact func(b *hclsyntax.Body)
	redact = func(b *hclsyntax.Body) {
		for _, a := range b.Attributes {
			redactExpr(a.Expr)
		}
		for _, blk := range b.Blocks {
			redact(blk.Body)
		}
	}
	redact(body)
	return out
}
