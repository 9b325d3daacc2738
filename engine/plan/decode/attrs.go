package decode

import (
	"fmt"
	"math"
	"math/big"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Scope is where a block's attributes are evaluated.
type Scope struct {
	// Ctx evaluates the attributes, once.
	Ctx *hcl.EvalContext
	// Check, when set, checks an expression before it is evaluated (its
	// references and function calls); an error skips the evaluation.
	Check func(hcl.Expression) hcl.Diagnostics
}

// Attrs decodes the attributes of one block, evaluated once in its scope.
// Each getter leaves its destination alone (the default) when the attribute
// is absent, null, not yet known (it depends on a variable that has no
// value) or wrong, and reports what was wrong to the diagnostics Attrs was
// made with, in the order the getters are called.
type Attrs struct {
	Attributes hcl.Attributes
	Scope
	diags *hcl.Diagnostics
}

// New returns the Attrs of attributes, reporting to diags.
func New(attributes hcl.Attributes, s Scope, diags *hcl.Diagnostics) *Attrs {
	return &Attrs{Attributes: attributes, Scope: s, diags: diags}
}

// Content decodes b's body against schema, reporting to diags, and returns
// its attributes and nested blocks.
func Content(b *hcl.Block, schema *hcl.BodySchema, s Scope, diags *hcl.Diagnostics) (*Attrs, hcl.Blocks) {
	c, d := b.Body.Content(schema)
	*diags = append(*diags, d...)
	return New(c.Attributes, s, diags), c.Blocks
}

// Add reports diags along with the getters' own.
func (a *Attrs) Add(diags ...*hcl.Diagnostic) {
	*a.diags = append(*a.diags, diags...)
}

// Value evaluates the attribute and converts it to ty; want names ty in a
// diagnostic ("a string").
func (a *Attrs) Value(name string, ty cty.Type, want string) (cty.Value, bool) {
	attr, ok := a.Attributes[name]
	if !ok {
		return cty.NilVal, false
	}
	if a.Check != nil {
		if diags := a.Check(attr.Expr); diags.HasErrors() {
			a.Add(diags...)
			return cty.NilVal, false
		}
	}
	v, diags := attr.Expr.Value(a.Ctx)
	a.Add(diags...)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		a.Add(TypeError(attr, want, v.Type().FriendlyName()))
		return cty.NilVal, false
	}
	return cv, true
}

// TypeError reports a value of the wrong type: want is what is required
// ("a string"), got what was given ("tuple").
func TypeError(attr *hcl.Attribute, want, got string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Incorrect attribute value type",
		Detail:   fmt.Sprintf("Inappropriate value for attribute %q: %s is required, got %s.", attr.Name, want, got),
		Subject:  attr.Expr.Range().Ptr(),
	}
}

// Str decodes a string.
func (a *Attrs) Str(name string, dst *string) bool {
	v, ok := a.Value(name, cty.String, "a string")
	if ok {
		*dst = v.AsString()
	}
	return ok
}

// Number decodes a number.
func (a *Attrs) Number(name string, dst *float64) bool {
	v, ok := a.Value(name, cty.Number, "a number")
	if ok {
		f, _ := v.AsBigFloat().Float64()
		*dst = f
	}
	return ok
}

// Bool decodes a bool.
func (a *Attrs) Bool(name string, dst *bool) bool {
	v, ok := a.Value(name, cty.Bool, "a bool (true or false)")
	if ok {
		*dst = v.True()
	}
	return ok
}

// Integer decodes a whole number that fits an int32.
func (a *Attrs) Integer(name string, dst *int) bool {
	v, ok := a.Value(name, cty.Number, "a whole number")
	if !ok {
		return false
	}
	bf := v.AsBigFloat()
	if !bf.IsInt() {
		a.Add(TypeError(a.Attributes[name], "a whole number", bf.Text('g', -1)))
		return false
	}
	i, acc := bf.Int64()
	ok = acc == big.Exact && i <= math.MaxInt32 && i >= math.MinInt32
	a.Require(name, ok, fmt.Sprintf("between %d and %d", math.MinInt32, math.MaxInt32))
	if ok {
		*dst = int(i)
	}
	return ok
}

// Duration decodes a duration string such as "30s".
func (a *Attrs) Duration(name string, dst *time.Duration) bool {
	v, ok := a.Value(name, cty.String, `a duration string such as "30s"`)
	if !ok {
		return false
	}
	d, diag := ParseDuration(v.AsString(), a.Attributes[name].Expr.Range())
	if diag != nil {
		a.Add(diag)
		return false
	}
	*dst = d
	return true
}

// ParseDuration parses s, or returns "Invalid duration" on subject.
func ParseDuration(s string, subject hcl.Range) (time.Duration, *hcl.Diagnostic) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid duration",
			Detail: fmt.Sprintf("%q is not a duration (%s). Write a number followed by a unit (ns, us, ms, s, m, h), "+
				"as a string: \"30s\", \"1m30s\" or \"500ms\".", s, err),
			Subject: subject.Ptr(),
		}
	}
	return d, nil
}

// Rate decodes a fraction in [0, 1].
func (a *Attrs) Rate(name string, dst *float64) {
	a.Number(name, dst)
	a.Require(name, *dst >= 0 && *dst <= 1, "a fraction between 0 and 1, e.g. 0.05 for 5%")
}

// NonNegative decodes a finite number of 0 or more; what says what it
// counts.
func (a *Attrs) NonNegative(name string, dst *float64, what string) {
	a.Number(name, dst)
	a.Require(name, *dst >= 0 && !math.IsInf(*dst, 0), "0 or more ("+what+")")
}

// Count decodes a whole number of 0 or more (0: the default).
func (a *Attrs) Count(name string, dst *int) {
	a.Integer(name, dst)
	a.Require(name, *dst >= 0, "a whole number of 0 or more (0 means the default)")
}

// Require reports "Value out of range" on the attribute when ok is false; the
// detail says what the value must be. Defaults always satisfy their rules, so
// nothing is reported for an absent attribute.
func (a *Attrs) Require(name string, ok bool, must string) {
	a.Invalid(name, ok, "Value out of range", fmt.Sprintf("%s must be %s.", name, must))
}

// Invalid reports summary/detail on the attribute's value when ok is false
// and the attribute is present.
func (a *Attrs) Invalid(name string, ok bool, summary, detail string) {
	attr, present := a.Attributes[name]
	if ok || !present {
		return
	}
	a.Add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   detail,
		Subject:  attr.Expr.Range().Ptr(),
	})
}

// HTTPURL reports an attribute that is not an absolute http(s) URL.
func (a *Attrs) HTTPURL(name, value string) {
	u, err := url.Parse(value)
	ok := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	a.Invalid(name, ok, "Invalid URL", fmt.Sprintf(
		"%s must be an absolute http or https URL, such as \"https://hooks.example.com\"; got %q.", name, value))
}

// Listen reports an attribute that is not a host:port listen address.
func (a *Attrs) Listen(name, value string) {
	_, port, err := net.SplitHostPort(value)
	a.Invalid(name, err == nil && port != "", "Invalid listen address", fmt.Sprintf(
		"%s must be host:port, such as \"127.0.0.1:5001\" or \"127.0.0.1:0\" for any free port; got %q.", name, value))
}
