package plan

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// CompileCheck compiles a threshold's check read back from a run's results
// (voyplan merge judges the thresholds again on the merged metrics) through
// the code Load compiles a plan's checks with: the same expr-lang
// environment (metrics.Snapshot), the same options and, when it does not
// compile, the same diagnostics, returned as a *DiagnosticsError for the
// CLI to render.
func CompileCheck(name, check string, abort bool) (*Threshold, error) {
	attr := &hcl.Attribute{Name: "check", Expr: hcl.StaticExpr(cty.StringVal(check), hcl.Range{})}
	prog, diags := (&loader{}).compileCheck(attr, check)
	if prog == nil {
		return nil, &DiagnosticsError{Diagnostics: diags}
	}
	return &Threshold{Name: name, Check: check, Program: prog, Abort: abort}, nil
}

// DiagnosticsError carries diagnostics that have no place in a plan file
// (a check read back from summary.json): the CLI renders Diagnostics with
// hcl.NewDiagnosticTextWriter; Error is their details on one line, for
// callers that only wrap it.
type DiagnosticsError struct {
	Diagnostics hcl.Diagnostics
}

func (e *DiagnosticsError) Error() string {
	msgs := make([]string, 0, len(e.Diagnostics))
	for _, d := range e.Diagnostics {
		msgs = append(msgs, d.Detail)
	}
	return strings.Join(msgs, "; ")
}
