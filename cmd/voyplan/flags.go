package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/agext/levenshtein"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/run"
)

// newCommand is a subcommand on cobra: use is its usage line after
// "voyplan" ("apply PLAN"), args checks its positional arguments, and run
// is its body, called once the flags are parsed. Flags may come before or
// after the positional arguments, with one dash or two (normalizeArgs).
func (a *app) newCommand(use, short string, args cobra.PositionalArgs, run func(args []string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args,
		RunE:  func(_ *cobra.Command, args []string) error { return run(args) },
	}
}

// exactArgs wants n positional arguments, with the message the command
// line has always given.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return withCode(exitError, fmt.Errorf("%s takes %d argument(s), got %d (see '%s --help')",
				cmd.CommandPath(), n, len(args), cmd.CommandPath()))
		}
		return nil
	}
}

// planArg is the positional argument of the commands that load a plan:
// one file, completed among the .hcl files.
func planArg(cmd *cobra.Command) *cobra.Command {
	cmd.Args = exactArgs(1)
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt
	}
	return cmd
}

// dirArgs completes the positional arguments among directories (run
// directories).
func dirArgs(cmd *cobra.Command) *cobra.Command {
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	}
	return cmd
}

// normalizeArgs prepares a command line for cobra, keeping every form the
// command line accepted before it (Go's flag package): a long flag with
// one dash (-var, -check, -quiet, -ui=ADDR) gets its second dash, and
// `--ui ADDR` becomes `--ui=ADDR` (joinUIAddr). Shorthands (-t 15, -u 5)
// and the arguments after "--" are left alone.
func normalizeArgs(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil {
		return args
	}
	cmd.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	if cmd.Flags().Lookup("ui") != nil {
		args = joinUIAddr(args)
	}
	out := make([]string, len(args))
	for i, arg := range args {
		if arg == "--" {
			copy(out[i:], args[i:])
			break
		}
		out[i] = arg
		if !strings.HasPrefix(arg, "-") || strings.HasPrefix(arg, "--") {
			continue
		}
		name, _, _ := strings.Cut(arg[1:], "=")
		if len(name) > 1 && (cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil) {
			out[i] = "-" + arg
		}
	}
	return out
}

// varsFlag collects repeated -var NAME=VALUE.
type varsFlag map[string]string

func (v varsFlag) String() string { return "" }
func (v varsFlag) Type() string   { return "NAME=VALUE" }
func (v varsFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("-var wants NAME=VALUE, got %q", s)
	}
	v[strings.TrimSpace(name)] = value
	return nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// terminalWidth is the width of the terminal f is, or 0 when it is not one.
func terminalWidth(f *os.File) func() int {
	return func() int {
		w, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return w
	}
}

// varUsage is the -var flag's usage, for every command that loads a plan.
const varUsage = "set a plan variable, `NAME=VALUE` (repeatable)"

// seconds is a duration flag that also takes a bare number of seconds, as
// Locust's -t does: 15, 90s, 1m30s, 2h.
type seconds time.Duration

func (s *seconds) String() string {
	if *s == 0 {
		return "" // no default shown
	}
	return time.Duration(*s).String()
}

func (s *seconds) Type() string { return "duration" }

func (s *seconds) Set(v string) error {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n < 0 {
			return fmt.Errorf("want a duration ≥ 0, got %q", v)
		}
		*s = seconds(time.Duration(n * float64(time.Second)))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration such as 15 (seconds), 90s or 1m30s, got %q", v)
	}
	*s = seconds(d)
	return nil
}

// secondsVar defines a duration flag that takes bare seconds too.
func secondsVar(fs *pflag.FlagSet, p *time.Duration, name, short string, value time.Duration, usage string) {
	*p = value
	fs.VarP((*seconds)(p), name, short, usage)
}

// segmentFlag is --segment I/N, or --segment auto[/N]: the slice read from
// the environment (an Indexed Job's pod index) by resolve, once the flags
// are parsed.
type segmentFlag struct {
	run.Segment
	auto string // "auto" or "auto/N" until resolved
}

func (f *segmentFlag) String() string {
	if f.auto != "" {
		return f.auto
	}
	if f.Whole() {
		return ""
	}
	return f.Segment.String()
}

func (f *segmentFlag) Type() string { return "I/N" }

func (f *segmentFlag) Set(s string) error {
	if run.IsAutoSegment(s) {
		f.auto = s
		return nil
	}
	seg, err := run.ParseSegment(s)
	if err != nil {
		return err
	}
	f.Segment = seg
	return nil
}

// resolve reads an automatic segment from the environment; a no-op for
// I/N.
func (f *segmentFlag) resolve(getenv func(string) string) error {
	if f.auto == "" {
		return nil
	}
	seg, err := run.AutoSegment(f.auto, getenv)
	if err != nil {
		return err
	}
	f.Segment, f.auto = seg, ""
	return nil
}

// describe is the segment as the start line shows it: the users it takes
// at the plan's peak.
func (f *segmentFlag) describe(p *plan.Plan) string {
	if f.Whole() {
		return ""
	}
	s := p.Schedule()
	if s.Open() { // each process starts its share of the arrivals, up to its own max_users in flight
		all := s.Started()
		return fmt.Sprintf(", segment %s: %d of the %d arrivals, up to %d in flight here", f.Segment, f.Local(all), all, s.Peak())
	}
	peak := s.Peak()
	return fmt.Sprintf(", segment %s: %d of the %d users at the peak", f.Segment, f.Local(peak), peak)
}

// summary is the segment as summary.json records it; nil for a whole run.
func (f *segmentFlag) summary() *results.Segment {
	if f.Whole() {
		return nil
	}
	return &results.Segment{Index: f.Index, Count: f.Count}
}

// flagSuggestion is " (did you mean --NAME?)" for an unknown long flag
// near one of c's, or "".
func flagSuggestion(c *cobra.Command, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	best, dist := "", 3 // at most two edits away
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if d := levenshtein.Distance(name, f.Name, nil); d < dist && !f.Hidden {
			best, dist = f.Name, d
		}
	})
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean --%s?", best)
}
