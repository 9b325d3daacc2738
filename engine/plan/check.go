package plan

import (
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// CheckSource is a threshold as a run's results recorded it, for
// CompileCheck.
type CheckSource struct {
	Name  string
	Check string
	Abort bool
	// OnNoData is "pass" or "fail"; "" is "fail".
	OnNoData string
	// Personas are the run's persona names, against which the check's
	// personas["name"] are resolved; nil when not known (not checked).
	Personas []string
	// Window is the threshold's window (0: the whole run).
	Window time.Duration
}

// CompileCheck compiles a threshold's check read back from a run's results
// (voyplan merge judges the thresholds again on the merged metrics) through
// the code Load compiles a plan's checks with: the same names resolved,
// the same expr-lang environment (metrics.Snapshot), the same options and,
// when it does not compile, the same diagnostics, returned as a
// *DiagnosticsError for the CLI to render.
func CompileCheck(c CheckSource) (*Threshold, error) {
	if c.OnNoData == "" {
		c.OnNoData = NoDataFail
	}
	if !ValidOnNoData(c.OnNoData) {
		return nil, &DiagnosticsError{Diagnostics: hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid on_no_data",
			Detail:   `on_no_data must be "fail" or "pass", not "` + c.OnNoData + `".`,
		}}}
	}
	attr := &hcl.Attribute{Name: "check", Expr: hcl.StaticExpr(cty.StringVal(c.Check), hcl.Range{})}
	prog, reads, diags := (&loader{}).compileCheck(attr, c.Check, c.Personas)
	if prog == nil {
		return nil, &DiagnosticsError{Diagnostics: diags}
	}
	return &Threshold{Name: c.Name, Check: c.Check, Program: prog, Abort: c.Abort, Reads: reads, OnNoData: c.OnNoData,
		Window: c.Window}, nil
}

// ValidOnNoData reports whether v is a value on_no_data may take.
func ValidOnNoData(v string) bool { return v == NoDataFail || v == NoDataPass }

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
