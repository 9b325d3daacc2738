package plan

import (
	"errors"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// CompileCheck compiles a threshold's check read back from a run's results
// (voyplan merge judges the thresholds again on the merged metrics) through
// the code Load compiles a plan's checks with: the same expr-lang
// environment (metrics.Snapshot), the same options and, when it does not
// compile, the same diagnostic, returned as the error.
func CompileCheck(name, check string, abort bool) (*Threshold, error) {
	l := &loader{}
	attr := &hcl.Attribute{Name: "check", Expr: hcl.StaticExpr(cty.StringVal(check), hcl.Range{})}
	prog := l.compileCheck(attr, check)
	if prog == nil {
		msgs := make([]string, 0, len(l.diags))
		for _, d := range l.diags {
			msgs = append(msgs, d.Detail)
		}
		return nil, errors.New(strings.Join(msgs, "; "))
	}
	return &Threshold{Name: name, Check: check, Program: prog, Abort: abort}, nil
}
