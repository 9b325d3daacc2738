// Command voyplan load-tests conversational assistants from a plan kept in
// git. This package is the command line only: flags, subcommands, output and
// exit codes; the work is done in engine/.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes (DESIGN.md).
const (
	exitOK          = 0   // every threshold held
	exitError       = 1   // the run could not be carried out
	exitThreshold   = 2   // a threshold failed
	exitInterrupted = 130 // interrupted; results so far are written
)

// exitError carries an exit code with an error, k6-style.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *codedError) Unwrap() error { return e.err }

// withCode attaches an exit code to err. A nil err with a code still exits
// with that code and prints nothing more.
func withCode(code int, err error) error { return &codedError{code: code, err: err} }

// app is everything the commands touch of the outside world, injected so the
// CLI is testable without a process.
type app struct {
	stdout, stderr io.Writer
	environ        []string
	getwd          func() (string, error)
	// notify delivers SIGINT/SIGTERM; stop releases the registration.
	notify func() (<-chan os.Signal, func())
	// isTerminal reports whether stdout is a terminal (the verdict's colour);
	// errTerminal whether stderr is (progress redrawn in place, coloured
	// diagnostics).
	isTerminal, errTerminal bool
	// width and errWidth are the widths of the terminals stdout and
	// stderr are, read anew each time (the window may be resized); nil or
	// 0: not a terminal, no limit.
	width, errWidth func() int
}

func main() {
	a := &app{
		stdout:  os.Stdout,
		stderr:  os.Stderr,
		environ: os.Environ(),
		getwd:   os.Getwd,
		notify: func() (<-chan os.Signal, func()) {
			ch := make(chan os.Signal, 2)
			signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
			return ch, func() { signal.Stop(ch) }
		},
		isTerminal:  isTerminal(os.Stdout),
		errTerminal: isTerminal(os.Stderr),
		width:       terminalWidth(os.Stdout),
		errWidth:    terminalWidth(os.Stderr),
	}
	os.Exit(a.main(os.Args[1:]))
}

// commands are voyplan's subcommands, in the order the usage lists them
// (cobra adds help and completion).
func (a *app) commands() []*cobra.Command {
	cmds := []*cobra.Command{
		a.validateCmd(), a.planCmd(), a.applyCmd(), a.reportCmd(), a.compareCmd(), a.mergeCmd(),
		a.fmtCmd(), a.simCmd(), a.versionCmd(),
	}
	for i, c := range cmds {
		c.Annotations = map[string]string{ordinal: fmt.Sprintf("%02d", i)}
	}
	return cmds
}

// rootCmd is the command line: the subcommands, --version, completion,
// and errors left to main to print (once, with the exit code they carry).
func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "voyplan",
		Short:         "voyplan load-tests conversational assistants from a plan kept in git.",
		Version:       voyplanVersion(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// A mistyped command: "did you mean" from two edits away.
		SuggestionsMinimumDistance: 2,
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetVersionTemplate(versionLine())
	root.AddCommand(a.commands()...)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "completion":
			c.Use, c.Short = "completion SHELL", "print the completion script of SHELL (bash, zsh, fish or powershell): source <(voyplan completion bash)"
		case "help":
			c.Short = "help about a command"
		}
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return withCode(exitError, fmt.Errorf("%v%s (see '%s --help')", err, flagSuggestion(c, err), c.CommandPath()))
	})
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		if c == root {
			a.usage(c.OutOrStdout(), root)
			return
		}
		fmt.Fprintf(c.OutOrStdout(), "%s\n\n", wrapWords(c.Short, usageColumns, 0))
		_ = c.Usage()
	})
	root.SetUsageFunc(func(c *cobra.Command) error { return a.commandUsage(c) })
	return root
}

// main runs the command line and maps its error to an exit code.
func (a *app) main(args []string) int {
	a.stdout, a.stderr = lockedWriter(a.stdout), lockedWriter(a.stderr)
	root := a.rootCmd()
	if len(args) == 0 {
		a.usage(a.stdout, root)
		return exitError
	}
	root.SetArgs(normalizeArgs(root, args))
	err := root.Execute()
	if m := cobraUnknown.FindStringSubmatch(errText(err)); m != nil {
		err = unknownCommand(root, m[1])
	}
	return a.exit(err)
}

// cobraUnknown is cobra's error for a command it does not have, which
// unknownCommand says in one line.
var cobraUnknown = regexp.MustCompile(`^unknown command "(.*?)" for`)

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// unknownCommand says a command does not exist, and which one was meant
// when one is near it.
func unknownCommand(root *cobra.Command, name string) error {
	hint := ""
	if s := root.SuggestionsFor(name); len(s) > 0 {
		hint = fmt.Sprintf("; did you mean %q?", s[0])
	}
	return withCode(exitError, fmt.Errorf("unknown command %q%s (see 'voyplan --help')", name, hint))
}

func (a *app) exit(err error) int {
	if err == nil {
		return exitOK
	}
	var ce *codedError
	if errors.As(err, &ce) {
		if ce.err != nil && ce.err.Error() != "" {
			fmt.Fprintf(a.stderr, "voyplan: %v\n", ce.err)
		}
		return ce.code
	}
	fmt.Fprintf(a.stderr, "voyplan: %v\n", err)
	return exitError
}

// usageColumns is the width `voyplan --help` keeps to, and a command's
// --help when not on a terminal: a description wraps under itself past it.
const usageColumns = 80

// wrapWords breaks s between words into lines of at most n columns, each
// after the first indented by indent spaces; a word longer than n stands
// alone on its line.
func wrapWords(s string, n, indent int) string {
	var b strings.Builder
	col := 0
	for i, word := range strings.Fields(s) {
		switch {
		case i == 0:
		case col+1+len(word) > n:
			b.WriteString("\n" + strings.Repeat(" ", indent))
			col = 0
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

// usage is `voyplan --help`: every command with its arguments, and the
// exit codes.
func (a *app) usage(w io.Writer, root *cobra.Command) {
	fmt.Fprintf(w, "%s\n\nUsage:\n", root.Short)
	cmds := commandsInOrder(root)
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.Use))
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  voyplan %-*s %s\n", width, c.Use, wrapWords(c.Short, usageColumns-len("  voyplan ")-width-1, len("  voyplan ")+width+1))
	}
	fmt.Fprint(w, "\nRun 'voyplan COMMAND --help' for a command's flags.\n"+
		"Exit codes: 0 every threshold held, 1 the run could not be carried out,\n"+
		"2 a threshold failed, 130 interrupted (results so far are written).\n")
}

// commandsInOrder are root's commands as commands lists them (cobra
// sorts them by name), then those cobra adds (help, completion).
func commandsInOrder(root *cobra.Command) []*cobra.Command {
	var ours, added []*cobra.Command
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() && c.Name() != "help" {
			continue
		}
		if _, ok := c.Annotations[ordinal]; ok {
			ours = append(ours, c)
		} else {
			added = append(added, c)
		}
	}
	slices.SortStableFunc(ours, func(x, y *cobra.Command) int {
		return strings.Compare(x.Annotations[ordinal], y.Annotations[ordinal])
	})
	return append(ours, added...)
}

// ordinal is the annotation that keeps commands in commands' order.
const ordinal = "voyplan.order"

// commandUsage is a command's --help after its summary: its usage line
// and its flags, each once with its short form, wrapped to the terminal.
func (a *app) commandUsage(c *cobra.Command) error {
	width := usageColumns
	if a.width != nil && a.width() > 0 {
		width = a.width()
	}
	w := c.OutOrStdout()
	fmt.Fprintf(w, "Usage:\n  %s\n", c.UseLine())
	if c.HasAvailableSubCommands() {
		fmt.Fprintln(w, "\nCommands:")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				fmt.Fprintf(w, "  %-12s %s\n", sub.Name(), sub.Short)
			}
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", c.LocalFlags().FlagUsagesWrapped(width))
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprintf(w, "\nGlobal flags:\n%s", c.InheritedFlags().FlagUsagesWrapped(width))
	}
	return nil
}

// syncWriter serialises the writes to one writer: during a run the
// progress line, the signal handler, a lost-results notice and the verdict
// write to stderr from their own goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// lockedWriter wraps w in a syncWriter, once.
func lockedWriter(w io.Writer) io.Writer {
	if _, ok := w.(*syncWriter); ok {
		return w
	}
	return &syncWriter{w: w}
}
