package vars

import (
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// EnvPrefix prefixes the environment variables that set plan variables:
// VOYPLAN_VAR_channel_id sets var.channel_id.
const EnvPrefix = "VOYPLAN_VAR_"

// Inputs are the values of variables given outside the plan file.
type Inputs struct {
	// Vars are the -var NAME=VALUE flags. They win over Files, over
	// VOYPLAN_VAR_<name> and over the variable's default.
	Vars map[string]string
	// Files are the -var-file paths, in the order given: files of
	// name = value lines whose values win over VOYPLAN_VAR_<name> and the
	// default, a later file over an earlier one (varfile.go).
	Files []string
	// Env is the environment VOYPLAN_VAR_<name> is read from.
	Env map[string]string
}

// Set is a plan's variables: its variable blocks, and their values from
// Inputs or their defaults.
type Set struct {
	in    Inputs
	vars  map[string]*variable
	files fileVars // the values of in.Files (varfile.go)
	diags hcl.Diagnostics
}

// New returns an empty Set whose values will come from in.
func New(in Inputs) *Set {
	return &Set{in: in, vars: make(map[string]*variable)}
}

// Declared reports whether a variable block declares name; while Decode
// runs, whether one above the current one does.
func (s *Set) Declared(name string) bool {
	_, ok := s.vars[name]
	return ok
}

// Names are the declared variables' names, sorted.
func (s *Set) Names() []string { return decode.SortedKeys(s.vars) }

func (s *Set) add(diags hcl.Diagnostics) {
	s.diags = append(s.diags, diags...)
}

// variable is a `variable "name"` block.
type variable struct {
	name   string
	typ    cty.Type // when typed; otherwise the default's type, else string
	typed  bool
	def    cty.Value // when hasDef; otherwise a value is required
	hasDef bool
	// sensitive is `sensitive = true`: the value is never printed
	// (Secrets, and diagnostics never quote a value at all).
	sensitive bool
	block     *hcl.Block
}

var variableTypes = map[string]cty.Type{"string": cty.String, "number": cty.Number, "bool": cty.Bool}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "default"}, {Name: "description"}, {Name: "type"}, {Name: "sensitive"}},
}

// Decode decodes the variable blocks in scope (functions, but no
// variables; scope.Check sees the variables declared so far) and returns
// the var object. A variable without a usable value is unknown in it, so
// expressions that use it are skipped rather than reported a second time.
func (s *Set) Decode(blocks hcl.Blocks, scope decode.Scope) (cty.Value, hcl.Diagnostics) {
	for _, b := range blocks {
		if v := s.decodeVariable(b, scope); v != nil {
			s.vars[v.name] = v
		}
	}
	s.checkUndeclaredVars()
	s.loadVarFiles() // varfile.go
	vals := make(map[string]cty.Value, len(s.vars))
	for _, name := range decode.SortedKeys(s.vars) {
		vals[name] = s.variableValue(s.vars[name])
	}
	diags := s.diags
	s.diags = nil
	return cty.ObjectVal(vals), diags
}

func (s *Set) decodeVariable(b *hcl.Block, scope decode.Scope) *variable {
	name := b.Labels[0]
	if prev, dup := s.vars[name]; dup {
		s.add(hcl.Diagnostics{decode.Duplicate("variable", name, prev.block, b)})
		return nil
	}
	if !hclsyntax.ValidIdentifier(name) {
		s.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable name",
			Detail:   fmt.Sprintf("%q cannot be used as var.%s: a name starts with a letter and holds letters, digits, _ and -.", name, name),
			Subject:  b.LabelRanges[0].Ptr(),
		}})
	}
	v := &variable{name: name, block: b}
	a, _ := decode.Content(b, variableSchema, scope, &s.diags)
	var desc string
	a.Str("description", &desc)
	a.Bool("sensitive", &v.sensitive)
	s.variableType(a, v)
	if attr, ok := a.Attributes["default"]; ok {
		v.def, v.hasDef = s.variableDefault(a, v, attr)
	}
	return v
}

// variableType decodes `type`, written as a keyword (type = number) or a
// string (type = "number").
func (s *Set) variableType(a *decode.Attrs, v *variable) {
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
func (s *Set) variableDefault(a *decode.Attrs, v *variable, attr *hcl.Attribute) (cty.Value, bool) {
	if diags := a.Check(attr.Expr); diags.HasErrors() {
		s.add(diags)
		return cty.DynamicVal, true
	}
	val, diags := attr.Expr.Value(a.Ctx)
	s.add(diags)
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
		// The value is described, never quoted, and the subject is the
		// type (or the block), not the line that holds the value.
		subject := v.block.DefRange.Ptr()
		if t, ok := a.Attributes["type"]; ok {
			subject = t.Range.Ptr()
		}
		s.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid default value for variable",
			Detail: fmt.Sprintf("The default of variable %q, %s, is not a %s. Change the default or the type.",
				v.name, Describe(val), v.typ.FriendlyName()),
			Subject: subject,
		}})
		return cty.DynamicVal, true
	}
	return cv, true
}

// variableValue picks the value, highest first: -var, then the -var-file
// files (the last one that sets it), then VOYPLAN_VAR_<name>, then the
// default. The files' values were read and converted by loadVarFiles.
func (s *Set) variableValue(v *variable) cty.Value {
	if in, ok := s.in.Vars[v.name]; ok {
		return s.convertInput(v, in, "-var "+v.name)
	}
	if val, ok := s.files.vals[v.name]; ok {
		return val
	}
	if in, ok := s.in.Env[EnvPrefix+v.name]; ok {
		return s.convertInput(v, in, fmt.Sprintf("the environment variable %s%s", EnvPrefix, v.name))
	}
	if v.hasDef {
		return v.def
	}
	if s.files.failed { // the value may be in the file that could not be read: that is the mistake to fix
		return cty.DynamicVal
	}
	s.add(hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "No value for required variable",
		Detail: fmt.Sprintf("The variable %q has no default. Set it with -var %s=VALUE, a -var-file or the environment variable %s%s, "+
			"or give it a default.", v.name, v.name, EnvPrefix, v.name),
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
func (s *Set) convertInput(v *variable, in, from string) cty.Value {
	return s.convertValue(v, cty.StringVal(in), v.inputType(), from, v.block.LabelRanges[0].Ptr())
}

// convertValue converts val, given by from, to ty. A value that cannot be
// used is reported at subject and is unknown, so nothing that uses it is
// reported again. The detail describes the value by its type and length
// and never quotes it, sensitive or not: a key given to the wrong variable
// (-var users=AIza...) is still a key.
func (s *Set) convertValue(v *variable, val cty.Value, ty cty.Type, from string, subject *hcl.Range) cty.Value {
	cv, err := convert.Convert(val, ty)
	if err == nil {
		if err = decode.CheckValue(cv); err == nil {
			return cv
		}
		s.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("The value given by %s for variable %q cannot be used: %s.", from, v.name, err),
			Subject:  subject,
		}})
		return cty.DynamicVal
	}
	s.add(hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid value for variable",
		Detail: fmt.Sprintf("The value given by %s, %s, cannot be used: variable %q is a %s. Give a %s value.",
			from, Describe(val), v.name, ty.FriendlyName(), ty.FriendlyName()),
		Subject: subject,
	}})
	return cty.DynamicVal
}

// Describe names a value by its type and size, never its contents: "a
// string of 39 characters", "a list of 2 elements".
func Describe(v cty.Value) string {
	ty := v.Type()
	switch {
	case v.IsNull():
		return "null"
	case !v.IsKnown():
		return "a value not yet known"
	case ty == cty.String:
		return plural("a string of %d character", utf8.RuneCountInString(v.AsString()))
	case ty == cty.Number:
		return "a number"
	case ty == cty.Bool:
		return "a bool"
	case ty.IsObjectType() || ty.IsMapType():
		return plural("an object of %d attribute", v.LengthInt())
	case ty.IsTupleType() || ty.IsListType() || ty.IsSetType():
		return plural("a list of %d element", v.LengthInt())
	}
	return "a " + ty.FriendlyName()
}

func plural(format string, n int) string {
	s := fmt.Sprintf(format, n)
	if n != 1 {
		s += "s"
	}
	return s
}

// Secrets are the values of the sensitive variables, as strings: what
// must never be printed. Known primitive values only; a list's or map's
// elements each.
func (s *Set) Secrets(obj cty.Value) []string {
	var out []string
	if !obj.IsKnown() || obj.IsNull() || !obj.Type().IsObjectType() {
		return nil
	}
	for _, name := range decode.SortedKeys(s.vars) {
		if !s.vars[name].sensitive || !obj.Type().HasAttribute(name) {
			continue
		}
		out = appendStrings(out, obj.GetAttr(name))
	}
	return out
}

// appendStrings appends the string form of every known primitive in v.
func appendStrings(out []string, v cty.Value) []string {
	if !v.IsKnown() || v.IsNull() {
		return out
	}
	ty := v.Type()
	if ty.IsPrimitiveType() {
		if sv, err := convert.Convert(v, cty.String); err == nil && sv.AsString() != "" {
			out = append(out, sv.AsString())
		}
		return out
	}
	if ty.IsCollectionType() || ty.IsTupleType() || ty.IsObjectType() {
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = appendStrings(out, e)
		}
	}
	return out
}

// checkUndeclaredVars reports -var flags naming no variable block. They come
// from the command line, so they have no subject in the file.
func (s *Set) checkUndeclaredVars() {
	for _, name := range decode.SortedKeys(s.in.Vars) {
		if _, ok := s.vars[name]; ok {
			continue
		}
		s.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Value for undeclared variable",
			Detail: fmt.Sprintf("A variable named %q was given with -var, but the plan declares no such variable.%s "+
				"Fix the name, or declare it with a variable %q {} block.", name, decode.DidYouMean(name, decode.SortedKeys(s.vars)), name),
		}})
	}
}
