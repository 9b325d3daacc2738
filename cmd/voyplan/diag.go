package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/vars"
)

// loadPlan loads a plan as every command does: the environment after .env,
// -var and -var-file values, and diagnostics rendered once, here, with
// source snippets. Warnings are printed and the load goes on; errors end the
// command (exit 1). A plan file that cannot be read is said once, in one
// line.
func (a *app) loadPlan(file string, vf *varFlags) (*plan.Plan, error) {
	p, diags, err := a.readPlan(file, vf)
	if err != nil {
		return nil, withCode(exitError, err)
	}
	a.writeDiags(diags, vf.files)
	if n := errorCount(diags); n > 0 {
		return nil, withCode(exitError, fmt.Errorf("%s is not a valid plan: %d error(s)", file, n))
	}
	return p, nil
}

// readPlan loads a plan without rendering anything: the plan (nil when
// the diagnostics hold an error), its diagnostics, and an error when
// nothing could be loaded at all (the file cannot be read, nor .env).
func (a *app) readPlan(file string, vf *varFlags) (*plan.Plan, hcl.Diagnostics, error) {
	wd, err := a.getwd()
	if err != nil {
		return nil, nil, fmt.Errorf("cannot find the working directory: %w", err)
	}
	env, err := vars.Environ(wd, a.environ)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read .env: %w", err)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the plan: %w", err)
	}
	p, diags := plan.LoadSource(src, file, plan.Options{Vars: vf.vars, VarFiles: vf.files, Env: env})
	return p, diags, nil
}

// errorCount is the number of errors among diags.
func errorCount(diags hcl.Diagnostics) int {
	n := 0
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			n++
		}
	}
	return n
}

// writeDiags renders diagnostics with hcl's text writer: file:line:col, a
// source snippet with the offending range marked, and the detail. A snippet
// of one of varFiles shows only the value its diagnostic is about
// (vars.RedactFile): the others may be secrets.
func (a *app) writeDiags(diags hcl.Diagnostics, varFiles []string) {
	if len(diags) == 0 {
		return
	}
	sources := map[string][]byte{}
	for _, d := range diags {
		for _, r := range []*hcl.Range{d.Subject, d.Context} {
			if r == nil || sources[r.Filename] != nil {
				continue
			}
			if src, err := os.ReadFile(r.Filename); err == nil {
				sources[r.Filename] = src
			}
		}
	}
	isVarFile := map[string]bool{}
	for _, f := range varFiles {
		isVarFile[f] = true
	}
	for _, d := range diags {
		files := map[string]*hcl.File{}
		for _, r := range []*hcl.Range{d.Subject, d.Context} {
			if r == nil || sources[r.Filename] == nil {
				continue
			}
			src := sources[r.Filename]
			if isVarFile[r.Filename] {
				src = vars.RedactFile(src, r.Filename, d.Subject)
			}
			files[r.Filename] = &hcl.File{Bytes: src}
		}
		a.writeDiag(d, files)
	}
}

// writeDiag writes one diagnostic: the compiler-style line editors jump
// to, with its summary, then hcl's snippet and detail — without hcl's own
// "Error: summary" line, so that the summary is said once.
func (a *app) writeDiag(d *hcl.Diagnostic, files map[string]*hcl.File) {
	var b strings.Builder
	_ = hcl.NewDiagnosticTextWriter(&b, files, 100, a.errColor()).WriteDiagnostic(d)
	_, rest, _ := strings.Cut(b.String(), "\n")
	code := "1;31"
	if d.Severity == hcl.DiagWarning {
		code = "1;33"
	}
	fmt.Fprintf(a.stderr, "%s%s: %s\n%s", position(d.Subject), paintIf(a.errColor(), code, severity(d.Severity)), d.Summary, rest)
}

// position is the compiler-style "file:line:col: " editors jump to.
func position(r *hcl.Range) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d: ", r.Filename, r.Start.Line, r.Start.Column)
}

func severity(s hcl.DiagnosticSeverity) string {
	if s == hcl.DiagWarning {
		return "warning"
	}
	return "error"
}

// color is whether to colour stdout: a terminal, and NO_COLOR unset.
func (a *app) color() bool { return a.isTerminal && !a.noColor() }

// errColor is whether to colour stderr: a terminal, and NO_COLOR unset.
func (a *app) errColor() bool { return a.errTerminal && !a.noColor() }

// noColor reports whether NO_COLOR is set to anything (no-color.org).
func (a *app) noColor() bool {
	for _, kv := range a.environ {
		if len(kv) > 9 && kv[:9] == "NO_COLOR=" {
			return true
		}
	}
	return false
}

// getenv is os.Getenv over the app's environment (the last value wins, as
// in a process's).
func (a *app) getenv(key string) string {
	v := ""
	for _, kv := range a.environ {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}
