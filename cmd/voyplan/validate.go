package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) validateCmd() *cobra.Command {
	var vars *varFlags
	cmd := planArg(a.newCommand("validate PLAN", "check a plan; diagnostics with file:line:col", nil,
		func(args []string) error { return a.validate(args[0], vars) }))
	vars = addVarFlags(cmd.Flags())
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
