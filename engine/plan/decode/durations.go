package decode

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// DurationRange decodes a wait: one duration (example, e.g. "500ms"),
// lo == hi, or a list of exactly two, the least and the most (["1s",
// "3s"]), none negative. A wrong element is reported on the element when
// the list is written out, so the diagnostic's line and column point at it.
func (a *Attrs) DurationRange(name, example string) (lo, hi time.Duration, ok bool) {
	want := fmt.Sprintf(`a duration string such as %q, or a list of two such as ["1s", "3s"]`, example)
	v, ok := a.Value(name, cty.DynamicPseudoType, want)
	if !ok {
		return 0, 0, false
	}
	if ty := v.Type(); ty.IsListType() || ty.IsTupleType() {
		return a.durationPair(name, v, example)
	}
	d, ok := a.oneDuration(name, v, want, example)
	return d, d, ok
}

// oneDuration decodes a wait written as one duration.
func (a *Attrs) oneDuration(name string, v cty.Value, want, example string) (time.Duration, bool) {
	attr := a.Attributes[name]
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		a.Add(TypeError(attr, want, v.Type().FriendlyName()))
		return 0, false
	}
	d, diag := ParseDuration(s.AsString(), attr.Expr.Range())
	if diag != nil {
		a.Add(diag)
		return 0, false
	}
	ok := d >= 0
	a.Require(name, ok, fmt.Sprintf(`a duration of 0 or more, e.g. %q, or a range of two: ["1s", "3s"]`, example))
	return d, ok
}

// durationPair decodes a wait written as a list: the least and the most.
func (a *Attrs) durationPair(name string, v cty.Value, example string) (lo, hi time.Duration, ok bool) {
	if n := v.LengthInt(); n != 2 {
		a.Invalid(name, false, "Invalid duration range", fmt.Sprintf(
			"%s must be one duration, e.g. %q, or a list of exactly two, the least and the most wait, e.g. "+
				"[\"1s\", \"3s\"] for a wait drawn uniformly between 1s and 3s; this list has %d.", name, example, n))
		return 0, 0, false
	}
	subjects := ElementRanges(a.Attributes[name].Expr, 2)
	var ds [2]time.Duration
	ok = true
	for i, ev := range v.AsValueSlice() {
		d, good := a.rangeEnd(name, ev, subjects[i])
		ds[i], ok = d, ok && good
	}
	if !ok {
		return 0, 0, false
	}
	a.Invalid(name, ds[0] <= ds[1], "Invalid duration range", fmt.Sprintf(
		"%s = [%q, %q]: the least wait comes first, then the most. Write [%q, %q].",
		name, ds[0], ds[1], ds[1], ds[0]))
	return ds[0], ds[1], ds[0] <= ds[1]
}

// rangeEnd decodes one end of a wait range, reporting on subject.
func (a *Attrs) rangeEnd(name string, v cty.Value, subject hcl.Range) (time.Duration, bool) {
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		got := "null"
		if !v.IsNull() {
			got = v.Type().FriendlyName()
		}
		a.Add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail: fmt.Sprintf("Inappropriate value in the range of %q: each end is a duration string such as \"1s\"; got %s.",
				name, got),
			Subject: subject.Ptr(),
		})
		return 0, false
	}
	d, diag := ParseDuration(s.AsString(), subject)
	if diag != nil {
		a.Add(diag)
		return 0, false
	}
	if d < 0 {
		a.Add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Value out of range",
			Detail:   fmt.Sprintf("%s must not be negative: each end of the range is a duration of 0 or more; got %s.", name, d),
			Subject:  subject.Ptr(),
		})
		return 0, false
	}
	return d, true
}

// ElementRanges returns the source ranges of a list expression's n
// elements when it is written out as a list ["1s", "3s"]; otherwise (a
// variable, a function call) the whole expression's range, n times.
func ElementRanges(e hcl.Expression, n int) []hcl.Range {
	out := make([]hcl.Range, n)
	elems, diags := hcl.ExprList(e)
	for i := range out {
		out[i] = e.Range()
		if !diags.HasErrors() && len(elems) == n {
			out[i] = elems[i].Range()
		}
	}
	return out
}
