package main

import "fmt"

func (a *app) validate(args []string) error {
	fs := newFlagSet("validate")
	vars := addVarFlags(fs)
	if err := a.parseArgs(fs, args, 1, "PLAN"); err != nil {
		return err
	}
	p, err := a.loadPlan(fs.Arg(0), vars)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: plan %q is valid (%d personas, %d stages, %d thresholds)\n",
		fs.Arg(0), p.Name, len(p.Personas), len(p.Stages), len(p.Thresholds))
	return nil
}
