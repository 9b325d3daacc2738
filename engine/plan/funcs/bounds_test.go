package funcs

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestResultsAreBounded: a call whose result would dwarf the plan is
// refused before it is built (found by fuzzing: each of these is a few
// dozen bytes of plan and took gigabytes), and the ordinary ones work.
func TestResultsAreBounded(t *testing.T) {
	t.Parallel()
	fns := Static(nil, NewFiles(t.TempDir(), nil))
	tests := []struct{ src, err string }{
		{`indent(1000000000, "a\nb")`, "larger than 16 MiB"},
		{`setproduct(range(1000), range(1000), range(1000))`, "at most 65536"},
		{`split("", indent(2000000, "\nx"))`, "at most 262144"},
		{`replace(indent(10000, "\n"), "", indent(10000, "\n"))`, "larger than 16 MiB"},
		{`regex_replace(indent(5000, "\n"), "", indent(5000, "\n"))`, "larger than 16 MiB"},
		{`join(indent(20000, "\n"), range(1000))`, "larger than 16 MiB"},
		{`format("%999999999s", "a")`, "larger than 16 MiB"},
		{`format("%99999999999999999999999s", "a")`, "larger than 16 MiB"},
		{`formatlist("%100000s", range(1000))`, "larger than 16 MiB"},
		{`indent(2, "a\nb")`, ""},
		{`split("", "abc")`, ""},
		{`replace("aaa", "", "b")`, ""},
		{`regex_replace(indent(20000, "\n"), "x+", "yy")`, ""},
		{`join(", ", ["a", "b"])`, ""},
		{`format("%-10s|%5.2f", "a", 1.5)`, ""},
		{`formatlist("%s=%d", ["a", "b"], [1, 2])`, ""},
		{`length(setproduct(range(100), range(100)))`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			expr, diags := hclsyntax.ParseExpression([]byte(tt.src), "test.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			_, diags = expr.Value(&hcl.EvalContext{Functions: fns})
			switch {
			case tt.err == "" && diags.HasErrors():
				t.Errorf("error %v", diags)
			case tt.err != "" && (!diags.HasErrors() || !strings.Contains(diags.Error(), tt.err)):
				t.Errorf("diagnostics %v, want %q", diags, tt.err)
			}
		})
	}
}
