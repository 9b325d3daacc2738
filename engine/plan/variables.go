package plan

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// EnvVarPrefix prefixes the environment variables that set plan variables:
// VOYPLAN_VAR_channel_id sets var.channel_id.
const EnvVarPrefix = "VOYPLAN_VAR_"

// variable is a `variable "name"` block.
type variable struct {
	name   string
	typ    cty.Type // when typed; otherwise the default's type, else string
	typed  bool
	def    cty.Value // when hasDef; otherwise a value is required
	hasDef bool
	block  *hcl.Block
}

var variableTypes = map[string]cty.Type{"string": cty.String, "number": cty.Number, "bool": cty.Bool}

// decodeVariables decodes the variable blocks and returns the var object.
// A variable without a usable value is unknown in it, so expressions that
// use it are skipped rather than reported a second time.
func (l *loader) decodeVariables(blocks hcl.Blocks) cty.Value {
	ctx := l.scopeContext(l.funcsCtx, 0, -1) // functions, but no variables
	for _, b := range blocks {
		if v := l.decodeVariable(b, ctx); v != nil {
			l.vars[v.name] = v
		}
	}
	l.checkUndeclaredVars()
	l.loadVarFiles() // varfile.go
	vals := make(map[string]cty.Value, len(l.vars))
	for _, name := range decode.SortedKeys(l.vars) {
		vals[name] = l.variableValue(l.vars[name])
	}
	return cty.ObjectVal(vals)
}

func (l *loader) decodeVariable(b *hcl.Block, ctx *hcl.EvalContext) *variable {
	name := b.Labels[0]
	if prev, dup := l.vars[name]; dup {
		l.add(hcl.Diagnostics{decode.Duplicate("variable", name, prev.block, b)})
		return nil
	}
	if !hclsyntax.ValidIdentifier(name) {
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable name",
			Detail:   fmt.Sprintf("%q cannot be used as var.%s: a name starts with a letter and holds letters, digits, _ and -.", name, name),
			Subject:  b.LabelRanges[0].Ptr(),
		}})
	}
	v := &variable{name: name, block: b}
	a := l.content(b, variableSchema)
	a.Ctx = ctx
	var desc string
	a.Str("description", &desc)
	l.variableType(a, v)
	if attr, ok := a.Attributes["default"]; ok {
		v.def, v.hasDef = l.variableDefault(a, v, attr)
	}
	return v
}

// variableType decodes `type`, written as a keyword (type = number) or a
// string (type = "number").
func (l *loader) variableType(a *decode.Attrs, v *variable) {
	attr, ok := a.Attributes["type"]
	if !ok {
		return
	}
	name := hcl.ExprAsKeyword(attr.Expr)
	if name == "" && !a.Str("type", &name) {
		return
	}
	ty, ok := variableTypes[name]
	a.Invalid("type", ok, "Invalid variable type", fmt.Sprintf(
		"%q is not a variable type. Use string, number or bool, e.g. type = number.", name))
	if ok {
		v.typ, v.typed = ty, true
	}
}

// variableDefault evaluates the default and converts it to the declared
// type. A null default means none (a value is required); a default that
// cannot be used is unknown, so nothing else is reported about it.
func (l *loader) variableDefault(a *decode.Attrs, v *variable, attr *hcl.Attribute) (cty.Value, bool) {
	if diags := l.checkExpr(attr.Expr, noData); diags.HasErrors() {
		l.add(diags)
		return cty.DynamicVal, true
	}
	val, diags := attr.Expr.Value(a.Ctx)
	l.add(diags)
	switch {
	case diags.HasErrors():
		return cty.DynamicVal, true
	case val.IsNull():
		return cty.NilVal, false
	case !v.typed:
		return val, true
	}
	cv, err := convert.Convert(val, v.typ)
	if err != nil {
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid default value for variable",
			Detail: fmt.Sprintf("The default of variable %q does not match its type: %s. Change the default or the type.",
				v.name, err),
			Subject: attr.Expr.Range().Ptr(),
		}})
		return cty.DynamicVal, true
	}
	return cv, true
}

// variableValue picks the value, highest first: -var, then the -var-file
// files (the last one that sets it), then VOYPLAN_VAR_<name>, then the
// default. The files' values were read and converted by loadVarFiles.
func (l *loader) variableValue(v *variable) cty.Value {
	if s, ok := l.opts.Vars[v.name]; ok {
		return l.convertInput(v, s, fmt.Sprintf("-var %s=%s", v.name, s))
	}
	if val, ok := l.fileVars.vals[v.name]; ok {
		return val
	}
	if s, ok := l.opts.Env[EnvVarPrefix+v.name]; ok {
		return l.convertInput(v, s, fmt.Sprintf("the environment variable %s%s", EnvVarPrefix, v.name))
	}
	if v.hasDef {
		return v.def
	}
	if l.fileVars.failed { // the value may be in the file that could not be read: that is the mistake to fix
		return cty.DynamicVal
	}
	l.add(hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "No value for required variable",
		Detail: fmt.Sprintf("The variable %q has no default. Set it with -var %s=VALUE, a -var-file or the environment variable %s%s, "+
			"or give it a default.", v.name, v.name, EnvVarPrefix, v.name),
		Subject: v.block.DefRange.Ptr(),
	}})
	return cty.DynamicVal
}

// valueType is the type a given value is converted to: the declared type,
// else the default's when it is a primitive, else any type
// (cty.DynamicPseudoType: a variable file's list or map is taken as written).
func (v *variable) valueType() cty.Type {
	if v.typed {
		return v.typ
	}
	if v.hasDef && v.def.Type().IsPrimitiveType() {
		return v.def.Type()
	}
	return cty.DynamicPseudoType
}

// inputType is the type a command-line or environment string is converted
// to: valueType, with string for any type.
func (v *variable) inputType() cty.Type {
	if ty := v.valueType(); !ty.Equals(cty.DynamicPseudoType) {
		return ty
	}
	return cty.String
}

// convertInput converts a -var or VOYPLAN_VAR_ string; a mistake points at
// the variable's block, the string having no place in a file.
func (l *loader) convertInput(v *variable, s, from string) cty.Value {
	return l.convertValue(v, cty.StringVal(s), v.inputType(), from, v.block.LabelRanges[0].Ptr())
}

// convertValue converts val, given by from, to ty. A value that cannot be
// used is reported at subject and is unknown, so nothing that uses it is
// reported again. The detail quotes no value of its own (from may, for a
// -var the user typed): a variable file's value may be a secret.
func (l *loader) convertValue(v *variable, val cty.Value, ty cty.Type, from string, subject *hcl.Range) cty.Value {
	cv, err := convert.Convert(val, ty)
	if err == nil {
		return cv
	}
	l.add(hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid value for variable",
		Detail: fmt.Sprintf("The value given by %s cannot be used: variable %q is a %s (%s). Give a %s value.",
			from, v.name, ty.FriendlyName(), err, ty.FriendlyName()),
		Subject: subject,
	}})
	return cty.DynamicVal
}

// checkUndeclaredVars reports -var flags naming no variable block. They come
// from the command line, so they have no subject in the file.
func (l *loader) checkUndeclaredVars() {
	for _, name := range decode.SortedKeys(l.opts.Vars) {
		if _, ok := l.vars[name]; ok {
			continue
		}
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Value for undeclared variable",
			Detail: fmt.Sprintf("A variable named %q was given with -var, but the plan declares no such variable.%s "+
				"Fix the name, or declare it with a variable %q {} block.", name, decode.DidYouMean(name, decode.SortedKeys(l.vars)), name),
		}})
	}
}
