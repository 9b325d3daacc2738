package plan

import (
	"fmt"
	"math/big"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// Burst is how a customer types one thought (issue 14 §2): as Min to Max
// messages (conversation.burst, drawn per message from the user's seeded
// source), split at sentence and clause boundaries, Gap apart
// (burst_gap), and with probability DoubleText a follow-up ("?", "oi?",
// the message again) while the reply is still settling
// (double_text_rate). The zero value, and Max 1 with no double texts,
// sends every message whole, as before.
type Burst struct {
	Min, Max   int
	Gap        Wait
	DoubleText float64
}

// On reports whether a customer message may be sent otherwise than as
// one message: split, or followed up.
func (b Burst) On() bool { return b.Max > 1 || b.DoubleText > 0 }

// defaultBurstGap is burst_gap when burst is set and burst_gap is not.
var defaultBurstGap = Wait{Min: 300 * time.Millisecond, Max: 2 * time.Second}

// decodeBurst decodes burst, burst_gap and double_text_rate; with none of
// them set, b stays the zero Burst.
func decodeBurst(a *decode.Attrs, b *Burst) {
	set := false
	for _, name := range []string{"burst", "burst_gap", "double_text_rate"} {
		_, present := a.Attributes[name]
		set = set || present
	}
	if !set {
		return
	}
	b.Min, b.Max, b.Gap = 1, 1, defaultBurstGap
	decodeCountRange(a, "burst", &b.Min, &b.Max)
	decodeWait(a, "burst_gap", &b.Gap, "300ms")
	a.Rate("double_text_rate", &b.DoubleText)
}

// decodeCountRange decodes a number of messages: one whole number, or a
// list of two, the least and the most ([1, 3]), each 1 or more. A wrong
// element is reported on the element.
func decodeCountRange(a *decode.Attrs, name string, lo, hi *int) {
	const want = "a whole number such as 2, or a list of two such as [1, 3]"
	v, ok := a.Value(name, cty.DynamicPseudoType, want)
	if !ok {
		return
	}
	attr := a.Attributes[name]
	if ty := v.Type(); !ty.IsListType() && !ty.IsTupleType() {
		n, ok := countOf(a, name, v, attr.Expr.Range())
		if ok {
			*lo, *hi = n, n
		}
		return
	}
	if n := v.LengthInt(); n != 2 {
		a.Invalid(name, false, "Invalid message count range", fmt.Sprintf(
			"%s must be one whole number, e.g. 2, or a list of exactly two, the least and the most messages "+
				"one thought is sent as, e.g. [1, 3]; this list has %d.", name, n))
		return
	}
	subjects := decode.ElementRanges(attr.Expr, 2)
	var ns [2]int
	for i, ev := range v.AsValueSlice() {
		n, ok := countOf(a, name, ev, subjects[i])
		if !ok {
			return
		}
		ns[i] = n
	}
	if ns[0] > ns[1] {
		a.Add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid message count range",
			Detail:  fmt.Sprintf("%s = [%d, %d]: the least comes first, then the most. Write [%d, %d].", name, ns[0], ns[1], ns[1], ns[0]),
			Subject: attr.Expr.Range().Ptr()})
		return
	}
	*lo, *hi = ns[0], ns[1]
}

// maxBurst bounds burst: more fragments than this is no longer a person
// typing.
const maxBurst = 10

// countOf reads one end of a message count: a whole number from 1 to
// maxBurst, reported on subject otherwise.
func countOf(a *decode.Attrs, name string, v cty.Value, subject hcl.Range) (int, bool) {
	bad := func(detail string) (int, bool) {
		a.Add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value out of range", Detail: detail, Subject: subject.Ptr()})
		return 0, false
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Number {
		got := "null"
		if !v.IsNull() {
			got = v.Type().FriendlyName()
		}
		return bad(fmt.Sprintf("%s: each number of messages is a whole number such as 3; got %s.", name, got))
	}
	i, acc := v.AsBigFloat().Int64()
	if acc != big.Exact || i < 1 || i > maxBurst {
		return bad(fmt.Sprintf("%s: each number of messages is a whole number from 1 to %d (1: the message whole); got %s.",
			name, maxBurst, v.AsBigFloat().Text('g', -1)))
	}
	return int(i), true
}
