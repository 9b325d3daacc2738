package verdict

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

// RenderOptions says how to render the end of a run.
type RenderOptions struct {
	Interrupted bool          // the run was stopped before its stages ended
	Elapsed     time.Duration // how long it ran; 0 uses the snapshot's
	Color       bool          // PASS green, FAIL red (ANSI); never when false
	LLMName     string        // the LLM row's label, "Gemini" when empty
	// Steering is the changes made by hand while the run went on; the
	// verdict line says the run was steered and tells them ("users 6→10 at
	// 0:12").
	Steering []transcript.Steer
}

// Render writes, in order: a heading with the run time, the requests table in the old Locust shape and the
// conversations line, the errors table (when anything failed), the per-persona table, the thresholds table, and the
// one-line verdict. Sections are separated by a blank line.
func Render(w io.Writer, s metrics.Snapshot, rs []Result, o RenderOptions) error {
	if o.Elapsed == 0 {
		o.Elapsed = s.Elapsed
	}
	sections := []func(io.Writer) error{
		func(w io.Writer) error { return renderRequests(w, s, o) },
		func(w io.Writer) error { return renderErrors(w, s.Errors) },
		func(w io.Writer) error { return renderPersonas(w, s.Personas) },
		func(w io.Writer) error { return renderThresholds(w, rs, o.Color) },
	}
	for _, section := range sections {
		if err := section(w); err != nil {
			return fmt.Errorf("cannot render the verdict: %w", err)
		}
	}
	if _, err := fmt.Fprintln(w, VerdictLine(rs, o)); err != nil {
		return fmt.Errorf("cannot render the verdict: %w", err)
	}
	return nil
}

// VerdictLine is the last line of a run: "PASS — all 3 thresholds held",
// "FAIL — 1 of 3 thresholds failed: success", marked STEERED when it was
// changed by hand and INTERRUPTED when it was cut short.
func VerdictLine(rs []Result, o RenderOptions) string {
	line := verdictWord(rs, o.Color) + " — " + verdictDetail(rs)
	if len(o.Steering) > 0 {
		line += " — " + paint(o.Color, yellow, "STEERED") + " by hand: " + strings.Join(steeringLines(o.Steering), ", ")
	}
	if o.Interrupted {
		line += " — " + paint(o.Color, yellow, "INTERRUPTED") + interruptedDetail(o.Elapsed)
	}
	return line
}

func verdictWord(rs []Result, color bool) string {
	if Passed(rs) {
		return paint(color, green, "PASS")
	}
	return paint(color, red, "FAIL")
}

func verdictDetail(rs []Result) string {
	n := len(rs)
	failed := Failed(rs)
	switch {
	case n == 0:
		return "no thresholds to check"
	case len(failed) > 0:
		return fmt.Sprintf("%d of %s failed: %s", len(failed), thresholds(n), names(failed))
	case n == 1:
		return "1 threshold held"
	}
	return fmt.Sprintf("all %s held", thresholds(n))
}

func interruptedDetail(elapsed time.Duration) string {
	if elapsed <= 0 {
		return ": results are partial"
	}
	return fmt.Sprintf(" after %s: results are partial", elapsed.Round(time.Second))
}

func thresholds(n int) string {
	if n == 1 {
		return "1 threshold"
	}
	return fmt.Sprintf("%d thresholds", n)
}

func names(rs []Result) string {
	ns := make([]string, len(rs))
	for i, r := range rs {
		ns[i] = r.Name
	}
	return strings.Join(ns, ", ")
}

// ANSI colors, used only when RenderOptions.Color is set.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	reset  = "\x1b[0m"
)

func paint(on bool, color, s string) string {
	if !on {
		return s
	}
	return color + s + reset
}
