package funcs

import (
	"fmt"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// TestConvertAgreesWithGoCty: Convert gives convert.Convert's answer,
// value or failure, on small tuples of every shape.
func TestConvertAgreesWithGoCty(t *testing.T) {
	t.Parallel()
	values := map[string]cty.Value{
		"strings":       cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"mixed":         cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(2), cty.True}),
		"with a null":   cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NullVal(cty.String)}),
		"numbers":       cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}),
		"nested":        cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.TupleVal([]cty.Value{cty.StringVal("b")})}),
		"objects":       cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": cty.True}), cty.ObjectVal(map[string]cty.Value{"a": cty.False})}),
		"empty":         cty.EmptyTupleVal,
		"a list":        cty.ListVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")}),
		"a set":         cty.SetVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")}),
		"a string":      cty.StringVal("x"),
		"unknown":       cty.UnknownVal(cty.Tuple([]cty.Type{cty.String})),
		"letters as no": cty.TupleVal([]cty.Value{cty.StringVal("no"), cty.NumberIntVal(1)}),
	}
	types := []cty.Type{
		cty.List(cty.String), cty.List(cty.Number), cty.List(cty.Bool), cty.Set(cty.String),
		cty.List(cty.DynamicPseudoType), cty.Set(cty.DynamicPseudoType), cty.String,
	}
	for name, v := range values {
		for _, ty := range types {
			t.Run(fmt.Sprintf("%s to %s", name, ty.FriendlyName()), func(t *testing.T) {
				want, wantErr := convert.Convert(v, ty)
				got, err := Convert(v, ty)
				if (err != nil) != (wantErr != nil) {
					t.Fatalf("error %v, want %v", err, wantErr)
				}
				if err == nil && !got.RawEquals(want) {
					t.Errorf("got %#v, want %#v", got, want)
				}
			})
		}
	}
}

// TestListFunctionsTakeTuples: the functions wrapped to convert a tuple
// themselves answer as the go-cty ones do.
func TestListFunctionsTakeTuples(t *testing.T) {
	t.Parallel()
	fns := Static(nil, NewFiles(t.TempDir(), nil))
	raw := rawStdlibFunctions()
	for _, src := range []string{
		`join(",", ["a", 1, true])`,
		`join(",", ["a"], ["b", "c"])`,
		`sort(["b", "a", 3])`,
		`distinct(["a", "b", "a"])`,
		`compact(["a", "", "b"])`,
		`chunklist([1, 2, 3], 2)`,
		`zipmap(["a", "b"], [1, 2])`,
		`setunion(["a"], ["b", "a"])`,
		`tolist(["a", "b"])`,
		`toset(["a", "b", "a"])`,
		`join(",", [["a"]])`,
		`sort([{a = 1}])`,
		`tolist(["a", ["b"]])`,
	} {
		t.Run(src, func(t *testing.T) {
			expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			want, wantDiags := expr.Value(&hcl.EvalContext{Functions: raw})
			got, diags := expr.Value(&hcl.EvalContext{Functions: fns})
			if diags.HasErrors() != wantDiags.HasErrors() {
				t.Fatalf("diagnostics %v, want %v", diags, wantDiags)
			}
			if !diags.HasErrors() && !got.RawEquals(want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}
