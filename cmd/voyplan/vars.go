package main

import (
	"errors"

	"github.com/spf13/pflag"
)

// varFlags are the plan-variable flags of every command that loads a plan:
// -var NAME=VALUE and -var-file FILE, both repeatable. -var wins over every
// file, a later file over an earlier one (plan.Options).
type varFlags struct {
	vars  varsFlag
	files varFilesFlag
}

// varFileUsage is the -var-file flag's usage.
const varFileUsage = "set plan variables from an HCL `FILE` of name = value lines (repeatable: a later file wins; -var wins over files)"

func addVarFlags(fs *pflag.FlagSet) *varFlags {
	v := &varFlags{vars: varsFlag{}}
	fs.Var(v.vars, "var", varUsage)
	fs.Var(&v.files, "var-file", varFileUsage)
	return v
}

// varFilesFlag collects repeated -var-file FILE, in order.
type varFilesFlag []string

func (f *varFilesFlag) String() string { return "" }
func (f *varFilesFlag) Type() string   { return "FILE" }
func (f *varFilesFlag) Set(s string) error {
	if s == "" {
		return errors.New("-var-file wants a file name")
	}
	*f = append(*f, s)
	return nil
}
