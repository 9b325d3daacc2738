package plan

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

// attrs decodes the attributes of one block, evaluated once in ctx. Each
// getter leaves its destination alone (the default) when the attribute is
// absent, null, not yet known (it depends on a variable that has no value)
// or wrong, and reports what was wrong.
type attrs struct {
	l   *loader
	m   hcl.Attributes
	ctx *hcl.EvalContext
}

// content decodes b's body against schema and returns its attributes.
func (l *loader) content(b *hcl.Block, schema *hcl.BodySchema) attrs {
	c, diags := b.Body.Content(schema)
	l.add(diags)
	return attrs{l: l, m: c.Attributes, ctx: l.ctx}
}

// value evaluates the attribute and converts it to ty; want names ty in a
// diagnostic ("a string").
func (a attrs) value(name string, ty cty.Type, want string) (cty.Value, bool) {
	attr, ok := a.m[name]
	if !ok {
		return cty.NilVal, false
	}
	if diags := a.l.checkExpr(attr.Expr, noData); diags.HasErrors() {
		a.l.add(diags)
		return cty.NilVal, false
	}
	v, diags := attr.Expr.Value(a.ctx)
	a.l.add(diags)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		a.l.add(hcl.Diagnostics{typeError(attr, want, v.Type().FriendlyName())})
		return cty.NilVal, false
	}
	return cv, true
}

// typeError reports a value of the wrong type: want is what is required
// ("a string"), got what was given ("tuple").
func typeError(attr *hcl.Attribute, want, got string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Incorrect attribute value type",
		Detail:   fmt.Sprintf("Inappropriate value for attribute %q: %s is required, got %s.", attr.Name, want, got),
		Subject:  attr.Expr.Range().Ptr(),
	}
}

func (a attrs) str(name string, dst *string) bool {
	v, ok := a.value(name, cty.String, "a string")
	if ok {
		*dst = v.AsString()
	}
	return ok
}

func (a attrs) number(name string, dst *float64) bool {
	v, ok := a.value(name, cty.Number, "a number")
	if ok {
		f, _ := v.AsBigFloat().Float64()
		*dst = f
	}
	return ok
}

func (a attrs) boolean(name string, dst *bool) bool {
	v, ok := a.value(name, cty.Bool, "a bool (true or false)")
	if ok {
		*dst = v.True()
	}
	return ok
}

func (a attrs) integer(name string, dst *int) bool {
	v, ok := a.value(name, cty.Number, "a whole number")
	if !ok {
		return false
	}
	bf := v.AsBigFloat()
	if !bf.IsInt() {
		a.l.add(hcl.Diagnostics{typeError(a.m[name], "a whole number", bf.Text('g', -1))})
		return false
	}
	i, acc := bf.Int64()
	ok = acc == big.Exact && i <= math.MaxInt32 && i >= math.MinInt32
	a.require(name, ok, fmt.Sprintf("between %d and %d", math.MinInt32, math.MaxInt32))
	if ok {
		*dst = int(i)
	}
	return ok
}

func (a attrs) duration(name string, dst *time.Duration) bool {
	v, ok := a.value(name, cty.String, `a duration string such as "30s"`)
	if !ok {
		return false
	}
	d, ok := a.l.parseDuration(v.AsString(), a.m[name].Expr.Range())
	if ok {
		*dst = d
	}
	return ok
}

// parseDuration parses s, or reports "Invalid duration" on subject.
func (l *loader) parseDuration(s string, subject hcl.Range) (time.Duration, bool) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid duration",
			Detail: fmt.Sprintf("%q is not a duration (%s). Write a number followed by a unit (ns, us, ms, s, m, h), "+
				"as a string: \"30s\", \"1m30s\" or \"500ms\".", s, err),
			Subject: subject.Ptr(),
		}})
		return 0, false
	}
	return d, true
}

// require reports "Value out of range" on the attribute when ok is false; the
// detail says what the value must be. Defaults always satisfy their rules, so
// nothing is reported for an absent attribute.
func (a attrs) require(name string, ok bool, must string) {
	a.invalid(name, ok, "Value out of range", fmt.Sprintf("%s must be %s.", name, must))
}

// invalid reports summary/detail on the attribute's value when ok is false
// and the attribute is present.
func (a attrs) invalid(name string, ok bool, summary, detail string) {
	attr, present := a.m[name]
	if ok || !present {
		return
	}
	a.l.add(hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   detail,
		Subject:  attr.Expr.Range().Ptr(),
	}})
}

// httpURL reports an attribute that is not an absolute http(s) URL.
func (a attrs) httpURL(name, value string) {
	u, err := url.Parse(value)
	ok := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	a.invalid(name, ok, "Invalid URL", fmt.Sprintf(
		"%s must be an absolute http or https URL, such as \"https://hooks.example.com\"; got %q.", name, value))
}

// listen reports an attribute that is not a host:port listen address.
func (a attrs) listen(name, value string) {
	_, port, err := net.SplitHostPort(value)
	a.invalid(name, err == nil && port != "", "Invalid listen address", fmt.Sprintf(
		"%s must be host:port, such as \"127.0.0.1:5001\" or \"127.0.0.1:0\" for any free port; got %q.", name, value))
}

// quotedList renders names as "a", "b" and "c" for a Detail.
func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	switch len(q) {
	case 0:
		return "nothing"
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
