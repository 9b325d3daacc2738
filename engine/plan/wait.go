package plan

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// Wait is how long a customer waits: the conversation's think_time (between
// a reply and the next message) or pacing (between two conversations). A
// fixed wait ("500ms") has Min == Max; a range (["1s", "3s"], Locust's
// between(1, 3)) draws a fresh duration, uniform in [Min, Max], for every
// wait, from the virtual user's own seeded source (run: datagen.StreamThink,
// datagen.StreamPacing). 0 ≤ Min ≤ Max in a loaded plan.
type Wait struct {
	Min, Max time.Duration
}

// FixedWait is a wait of exactly d.
func FixedWait(d time.Duration) Wait { return Wait{Min: d, Max: d} }

// Fixed reports whether every wait is the same, Min: no draw is needed.
func (w Wait) Fixed() bool { return w.Max <= w.Min }

// Draw returns the next wait: Min when fixed (r is not drawn from and may
// be nil), else a duration uniform in [Min, Max], to the nanosecond, from
// r. It does not allocate.
func (w Wait) Draw(r *rand.Rand) time.Duration {
	if w.Fixed() {
		return w.Min
	}
	// Max−Min ≤ MaxInt64, so the span + 1 fits a uint64.
	return w.Min + time.Duration(r.Uint64N(uint64(w.Max-w.Min)+1))
}

// String is "500ms" for a fixed wait, "1s–3s" for a range.
func (w Wait) String() string {
	if w.Fixed() {
		return w.Min.String()
	}
	return w.Min.String() + "–" + w.Max.String()
}

// decodeWait decodes a Wait: one duration (example, e.g. "500ms"), or a
// list of exactly two, the least and the most wait (["1s", "3s"]), none
// negative. A wrong element is reported on the element when the list is
// written out, so the diagnostic's line and column point at it.
func decodeWait(a *decode.Attrs, name string, dst *Wait, example string) bool {
	want := fmt.Sprintf(`a duration string such as %q, or a list of two such as ["1s", "3s"]`, example)
	v, ok := a.Value(name, cty.DynamicPseudoType, want)
	if !ok {
		return false
	}
	var w Wait
	if ty := v.Type(); ty.IsListType() || ty.IsTupleType() {
		w, ok = waitRange(a, name, v, example)
	} else {
		w, ok = fixedWait(a, name, v, want, example)
	}
	if ok {
		*dst = w
	}
	return ok
}

// fixedWait decodes a wait written as one duration.
func fixedWait(a *decode.Attrs, name string, v cty.Value, want, example string) (Wait, bool) {
	attr := a.Attributes[name]
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		a.Add(decode.TypeError(attr, want, v.Type().FriendlyName()))
		return Wait{}, false
	}
	d, diag := decode.ParseDuration(s.AsString(), attr.Expr.Range())
	if diag != nil {
		a.Add(diag)
		return Wait{}, false
	}
	ok := d >= 0
	a.Require(name, ok, fmt.Sprintf(`a duration of 0 or more, e.g. %q, or a range of two: ["1s", "3s"]`, example))
	return FixedWait(d), ok
}

// waitRange decodes a wait written as a list: the least and the most.
func waitRange(a *decode.Attrs, name string, v cty.Value, example string) (Wait, bool) {
	if n := v.LengthInt(); n != 2 {
		a.Invalid(name, false, "Invalid duration range", fmt.Sprintf(
			"%s must be one duration, e.g. %q, or a list of exactly two, the least and the most wait, e.g. "+
				"[\"1s\", \"3s\"] for a wait drawn uniformly between 1s and 3s; this list has %d.", name, example, n))
		return Wait{}, false
	}
	subjects := elementRanges(a.Attributes[name].Expr, 2)
	var ds [2]time.Duration
	ok := true
	for i, ev := range v.AsValueSlice() {
		d, good := waitElement(a, name, ev, subjects[i])
		ds[i], ok = d, ok && good
	}
	if !ok {
		return Wait{}, false
	}
	a.Invalid(name, ds[0] <= ds[1], "Invalid duration range", fmt.Sprintf(
		"%s = [%q, %q]: the least wait comes first, then the most. Write [%q, %q].",
		name, ds[0], ds[1], ds[1], ds[0]))
	return Wait{Min: ds[0], Max: ds[1]}, ds[0] <= ds[1]
}

// waitElement decodes one end of a wait range, reporting on subject.
func waitElement(a *decode.Attrs, name string, v cty.Value, subject hcl.Range) (time.Duration, bool) {
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
	d, diag := decode.ParseDuration(s.AsString(), subject)
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

// elementRanges returns the source ranges of a list expression's n
// elements when it is written out as a list ["1s", "3s"]; otherwise (a
// variable, a function call) the whole expression's range, n times.
func elementRanges(e hcl.Expression, n int) []hcl.Range {
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
