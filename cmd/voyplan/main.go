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
	"sync"
	"syscall"
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
	}
	os.Exit(a.main(os.Args[1:]))
}

type command struct {
	name, usage, summary string
	run                  func(a *app, args []string) error
}

func commands() []command {
	return []command{
		{"validate", "validate PLAN [-var NAME=VALUE]...", "check a plan; diagnostics with file:line:col", (*app).validate},
		{"plan", "plan PLAN [-var NAME=VALUE]...", "print the compiled schedule without running anything", (*app).plan},
		{"apply", "apply PLAN [flags]", "run a plan; print the verdict; write the results", (*app).apply},
		{"report", "report DIR", "render report.html, stats.csv, history.csv, failures.csv and junit.xml again from a run directory", (*app).report},
		{"compare", "compare BASE NEW [flags]", "compare two runs; exit 2 on a regression of a gated metric past the noise and the minimum change", (*app).compare},
		{"merge", "merge [--out DIR] RUN_DIR...", "combine the results of a run's segments (apply --segment I/N) into one verdict", (*app).merge},
		{"fmt", "fmt [-check] [PATH]...", "rewrite plans in canonical format", (*app).fmt},
		{"sim", "sim [--listen ADDR] [flags]", "serve the built-in Voyager-compatible simulator", (*app).sim},
		{"version", "version", "print the version", (*app).version},
	}
}

// main dispatches to a subcommand and maps its error to an exit code.
func (a *app) main(args []string) int {
	a.stdout, a.stderr = lockedWriter(a.stdout), lockedWriter(a.stderr)
	if len(args) == 0 || isHelp(args[0]) {
		a.usage(a.stdout)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return a.exit(c.run(a, args[1:]))
		}
	}
	fmt.Fprintf(a.stderr, "voyplan: unknown command %q\n\n", args[0])
	a.usage(a.stderr)
	return exitError
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

func (a *app) usage(w io.Writer) {
	fmt.Fprint(w, "voyplan load-tests conversational assistants from a plan kept in git.\n\nUsage:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  voyplan %-40s %s\n", c.usage, c.summary)
	}
	fmt.Fprint(w, "\nRun 'voyplan COMMAND --help' for a command's flags.\n"+
		"Exit codes: 0 every threshold held, 1 the run could not be carried out,\n"+
		"2 a threshold failed, 130 interrupted (results so far are written).\n")
}

func isHelp(s string) bool { return s == "-h" || s == "--help" || s == "help" || s == "-help" }

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
