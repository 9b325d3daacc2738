package decode

import (
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// meteredAttr parses `x = src`, meters it, and returns the attribute's
// expression as a plan's decoder sees it.
func meteredAttr(t *testing.T, src string) (hcl.Expression, hcl.Diagnostics) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte("x = "+src+"\n"), "plan.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	body := f.Body.(*hclsyntax.Body)
	if diags := Meter(body); diags.HasErrors() {
		return nil, diags
	}
	attrs, diags := body.JustAttributes()
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return attrs["x"].Expr, nil
}

func testCtx() *hcl.EvalContext {
	lines := make([]cty.Value, 20000)
	for i := range lines {
		lines[i] = cty.StringVal("line")
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{
			"lines": cty.TupleVal(lines), "on": cty.True, "n": cty.NumberIntVal(3),
		})},
		Functions: map[string]function.Function{
			"range": stdlib.RangeFunc, "length": stdlib.LengthFunc, "tonumber": stdlib.MakeToFunc(cty.Number),
			"jsonencode": stdlib.JSONEncodeFunc, "concat": stdlib.ConcatFunc, "upper": stdlib.UpperFunc,
			"format": stdlib.FormatFunc, "contains": stdlib.ContainsFunc,
		},
	}
}

// TestBudgetStopsWhatWouldTakeTheMachine: each of these built or went
// through hundreds of millions of values (found by fuzzing, or their
// kind was); metered, each stops with a diagnostic at its own place.
func TestBudgetStopsWhatWouldTakeTheMachine(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		`[for a in var.lines : [for b in var.lines : b]]`,
		`[for a in var.lines : length([for b in var.lines : b if var.on])]`,
		`[for a in range(1024) : jsonencode([for b in range(1024) : [for c in range(100) : c]])]`,
		// a reference given to a function costs its walk, each turn
		`[for a in range(1024) : contains(var.lines, "x")]`,
		`[for a in range(1024) : var.lines == var.lines]`,
		`{for a in range(1024) : a => [for b in var.lines : upper(b)]}`,
	} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			e, diags := meteredAttr(t, src)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			_, diags = e.Value(testCtx())
			if len(diags) != 1 || diags[0].Summary != "Expression too costly" {
				t.Fatalf("%d diagnostics, want one Expression too costly: %.500v", len(diags), diags)
			}
			if r := diags[0].Subject; r == nil || r.Filename != "plan.hcl" || r.Start.Line != 1 {
				t.Errorf("subject %v, want a place in plan.hcl", r)
			}
		})
	}
}

// TestLoopConditionReportsAsBefore: a counted condition that is not a
// bool is HCL's own "Invalid 'for' condition" at the condition, not an
// operator's error the plan never wrote.
func TestLoopConditionReportsAsBefore(t *testing.T) {
	t.Parallel()
	e, _ := meteredAttr(t, `[for x in ["a", "b"] : x if "yes"]`)
	_, diags := e.Value(testCtx())
	if len(diags) != 1 || diags[0].Summary != "Invalid 'for' condition" || diags[0].Subject.Start.Column != 33 {
		t.Fatalf("diagnostics %v, want one Invalid 'for' condition at column 33", diags)
	}
}

// TestElementsAreMeteredOnTheirOwn: a decoder that takes a list or an
// object apart (hcl.ExprList, hcl.ExprMap) and evaluates each element
// gives each one a budget of its own.
func TestElementsAreMeteredOnTheirOwn(t *testing.T) {
	t.Parallel()
	nested := `[for a in var.lines : [for b in var.lines : b]]`
	l, _ := meteredAttr(t, "["+nested+", 1]")
	elems, diags := hcl.ExprList(l)
	if diags.HasErrors() || len(elems) != 2 {
		t.Fatalf("ExprList: %d elements, %v", len(elems), diags)
	}
	o, _ := meteredAttr(t, "{ a = "+nested+" }")
	pairs, diags := hcl.ExprMap(o)
	if diags.HasErrors() || len(pairs) != 1 {
		t.Fatalf("ExprMap: %d pairs, %v", len(pairs), diags)
	}
	for _, e := range []hcl.Expression{elems[0], pairs[0].Value} {
		if _, diags := e.Value(testCtx()); !diags.HasErrors() || !strings.Contains(diags.Error(), "Expression too costly") {
			t.Errorf("diagnostics %v, want Expression too costly", diags)
		}
	}
}

// TestTemplateIsMetered: a template file's loops have the budget too.
func TestTemplateIsMetered(t *testing.T) {
	t.Parallel()
	src := "%{ for a in var.lines }%{ for b in var.lines }${b}%{ endfor }%{ endfor }"
	tmpl, diags := hclsyntax.ParseTemplate([]byte(src), "t.tmpl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	e, diags := MeterTemplate(tmpl)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if _, diags = e.Value(testCtx()); !diags.HasErrors() || !strings.Contains(diags.Error(), "Expression too costly") {
		t.Fatalf("diagnostics %v, want Expression too costly", diags)
	}
}

// TestBudgetLetsPlansWork: what a plan writes evaluates as it did.
func TestBudgetLetsPlansWork(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]cty.Value{
		`length([for l in var.lines : l])`:                     cty.NumberIntVal(20000),
		`length([for l in var.lines : upper(l) if var.on])`:    cty.NumberIntVal(20000),
		`length(concat(var.lines, var.lines, var.lines))`:      cty.NumberIntVal(60000),
		`[for a in range(3) : [for b in range(2) : a * b]][2]`: cty.TupleVal([]cty.Value{cty.NumberIntVal(0), cty.NumberIntVal(2)}),
		`format("%d-%s", var.n * 2, "x")`:                      cty.StringVal("6-x"),
		`"${var.n}${upper("a")}"`:                              cty.StringVal("3A"),
		`{for i, l in ["a", "b"] : l => i if i > 0}`:           cty.ObjectVal(map[string]cty.Value{"b": cty.NumberIntVal(1)}),
		`1e308 + 0`: cty.MustParseNumberVal("1e308"),
	} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			e, diags := meteredAttr(t, src)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			got, diags := e.Value(testCtx())
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if !got.RawEquals(want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}

// TestNumberSize: a number out of range is named by its power of ten,
// found without writing it out.
func TestNumberSize(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]string{
		"1e999999": "about 1e999999:", "-2.5e400": "about 1e400:", "9.9e-500": "about 1e-500:",
		"1e-400": "about 1e-400:", "1e999999999": "is infinite:",
	} {
		err := checkNumber(cty.MustParseNumberVal(src))
		if got := numberDiag(hcl.Range{}, err).Detail; !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", src, got, want)
		}
	}
}

// TestNumbersOutOfRange: a literal is refused where it is written, before
// anything evaluates; a computed one where it is computed. Writing
// 1e999999999 as a string is a billion digits.
func TestNumbersOutOfRange(t *testing.T) {
	t.Parallel()
	for src, col := range map[string]int{
		`"${1e999999999}"`:                      8,
		`[1, -2e400]`:                           10,
		`1e-400`:                                5,
		`format("%d", tonumber("1e999999999"))`: 18,
		`"${tonumber("1e-99999")}"`:             8,
		`[for x in [1e300] : x * x * x]`:        25,
	} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			e, diags := meteredAttr(t, src)
			if !diags.HasErrors() {
				_, diags = e.Value(testCtx())
			}
			if !diags.HasErrors() || diags[0].Summary != "Number out of range" {
				t.Fatalf("diagnostics %v, want Number out of range", diags)
			}
			if d := diags[0].Detail; !strings.Contains(d, "is about 1e") && !strings.Contains(d, "is infinite") {
				t.Errorf("detail %q does not say how large", d)
			}
			if got := diags[0].Subject.Start.Column; got != col {
				t.Errorf("column %d, want %d (%v)", got, col, diags[0])
			}
		})
	}
}

// TestMeteredTreeKeepsItsShape: what reads the tree still finds every
// reference (hclsyntax.Variables, by node type), every call (VisitAll)
// and a list's elements (hcl.ExprList, through UnwrapExpression).
func TestMeteredTreeKeepsItsShape(t *testing.T) {
	t.Parallel()
	e, _ := meteredAttr(t, `[for x in var.lines : upper(format("%s", var.a)) if var.on]`)
	var refs []string
	for _, tr := range e.Variables() {
		refs = append(refs, tr.RootName()+"."+tr[1].(hcl.TraverseAttr).Name)
	}
	slices.Sort(refs)
	if want := []string{"var.a", "var.lines", "var.on"}; !slices.Equal(refs, want) {
		t.Errorf("Variables %v, want %v", refs, want)
	}
	var calls []string
	VisitAll(e.(hclsyntax.Node), func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			calls = append(calls, c.Name)
		}
		return nil
	})
	if want := []string{"upper", "format"}; !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
	l, _ := meteredAttr(t, `[upper("a"), var.b]`)
	if elems, diags := hcl.ExprList(l); diags.HasErrors() || len(elems) != 2 {
		t.Errorf("ExprList: %d elements, %v", len(elems), diags)
	}
}
