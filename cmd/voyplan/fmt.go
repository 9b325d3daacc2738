package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/voyplan/voyplan/engine/plan"
)

func (a *app) fmtCmd() *cobra.Command {
	var check bool
	cmd := a.newCommand("fmt [--check] [PATH]...", "rewrite plans in canonical format", cobra.ArbitraryArgs,
		func(args []string) error { return a.fmt(check, args) })
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt
	}
	cmd.Flags().BoolVar(&check, "check", false, "do not write; list files that are not formatted and exit 1 if any")
	return cmd
}

// fmt rewrites .hcl files in canonical format; check lists the files that
// are not and exits 1 without writing.
func (a *app) fmt(check bool, paths []string) error {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	files, err := hclFiles(paths)
	if err != nil {
		return withCode(exitError, err)
	}
	var unformatted []string
	broken := 0
	for _, f := range files {
		changed, diags, err := formatFile(f, check)
		if err != nil {
			return withCode(exitError, err)
		}
		if diags.HasErrors() {
			a.writeDiags(diags, nil)
			broken++
			continue
		}
		if changed {
			unformatted = append(unformatted, f)
			fmt.Fprintln(a.stdout, f)
		}
	}
	if broken > 0 {
		return withCode(exitError, fmt.Errorf("%d file(s) do not parse and were left as they are", broken))
	}
	if check && len(unformatted) > 0 {
		return withCode(exitError, fmt.Errorf("%d file(s) not in canonical format; run 'voyplan fmt'", len(unformatted)))
	}
	return nil
}

// formatFile formats one file; changed reports whether it was (or, with
// check, would be) rewritten. A file that does not parse is left alone and
// its diagnostics returned.
func formatFile(path string, check bool) (changed bool, diags hcl.Diagnostics, err error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return false, nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	out, diags := plan.Format(path, src)
	if diags.HasErrors() {
		return false, diags, nil
	}
	if bytes.Equal(src, out) {
		return false, nil, nil
	}
	if check {
		return true, nil, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return false, nil, err
	}
	if err := os.WriteFile(path, out, info.Mode().Perm()); err != nil {
		return false, nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return true, nil, nil
}

// hclFiles expands directories into the .hcl files below them (skipping
// hidden directories and testdata).
func hclFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is said once
			}
			return nil, fmt.Errorf("cannot format %s: %w", p, err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "runs") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".hcl") {
				out = append(out, path)
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return out, nil
}
