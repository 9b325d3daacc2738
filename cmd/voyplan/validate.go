package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) validateCmd() *cobra.Command {
	var (
		vars   *varFlags
		asJSON bool
	)
	cmd := planArg(a.newCommand("validate PLAN", "check a plan; diagnostics with file:line:col", nil,
		func(args []string) error {
			if asJSON {
				return a.validateJSON(args[0], vars)
			}
			return a.validate(args[0], vars)
		}))
	vars = addVarFlags(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the diagnostics as JSON on stdout (file, line, column, severity, summary, detail), for editors and CI")
	return cmd
}

func (a *app) validate(file string, vars *varFlags) error {
	p, err := a.loadPlan(file, vars)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: plan %q is valid (%d personas, %d stages, %d thresholds)\n",
		file, p.Name, len(p.Personas), len(p.Stages), len(p.Thresholds))
	return nil
}

// validateJSON is validate -json: the document on stdout, nothing on
// stderr, and the exit code validate's (1 for an invalid plan).
func (a *app) validateJSON(file string, vars *varFlags) error {
	_, diags, err := a.readPlan(file, vars)
	v := validation(file, diags, err)
	if err := a.writeJSON(v); err != nil {
		return withCode(exitError, err)
	}
	if !v.Valid {
		return withCode(exitError, nil)
	}
	return nil
}
