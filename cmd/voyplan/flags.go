package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/run"
)

// newFlagSet returns a flag set that reports errors instead of exiting.
// Flags may come before or after the positional arguments (parseArgs), and
// take one or two dashes, as Go's flag package allows.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("voyplan "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseArgs parses flags anywhere among args and checks the number of
// positional arguments (want < 0: any). --help prints the flags.
func (a *app) parseArgs(fs *flag.FlagSet, args []string, want int, usage ...string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printFlags(a.stdout, fs, usage)
				return withCode(exitOK, nil)
			}
			return withCode(exitError, fmt.Errorf("%v (see '%s --help')", err, fs.Name()))
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if want >= 0 && len(pos) != want {
		return withCode(exitError, fmt.Errorf("%s takes %d argument(s), got %d (see '%s --help')", fs.Name(), want, len(pos), fs.Name()))
	}
	// Put the positional arguments back where fs.Args() finds them.
	_ = fs.Parse(append([]string{"--"}, pos...))
	return nil
}

func printFlags(w io.Writer, fs *flag.FlagSet, usage []string) {
	fmt.Fprintf(w, "Usage: %s\n", strings.Join(append([]string{fs.Name()}, usage...), " "))
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// varsFlag collects repeated -var NAME=VALUE.
type varsFlag map[string]string

func (v varsFlag) String() string { return "" }
func (v varsFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("-var wants NAME=VALUE, got %q", s)
	}
	v[strings.TrimSpace(name)] = value
	return nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// varUsage is the -var flag's usage, for every command that loads a plan.
const varUsage = "set a plan variable, `NAME=VALUE` (repeatable)"

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
