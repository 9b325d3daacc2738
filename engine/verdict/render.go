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
	// Protocol is the target's protocol ("" is voyager): it names the
	// send and reply rows (Timers).
	Protocol string
	// Steering is the changes made by hand while the run went on; the
	// verdict line says the run was steered and tells them ("users 6→10 at
	// 0:12").
	Steering []transcript.Steer
	// Invalid, when set, says why the run's results are incomplete: the
	// verdict line is then INVALID and why, whatever the thresholds say,
	// so no PASS is ever printed for such a run.
	Invalid string
	// Capacity, for a capacity search, is its outcome: its steps' table
	// and line come before the thresholds.
	Capacity *Capacity
}

// Render writes, in order: a heading with the run time, the requests table in the old Locust shape and the
// conversations line, the errors table (when anything failed), the per-persona table, the thresholds table, the
// replay line (when conversations were replayed), the cross-talk line (when a reply carried another customer's data), and the one-line verdict. Sections are separated by a blank line.
func Render(w io.Writer, s metrics.Snapshot, rs []Result, o RenderOptions) error {
	if o.Elapsed == 0 {
		o.Elapsed = s.Elapsed
	}
	sections := []func(io.Writer) error{
		func(w io.Writer) error { return renderRequests(w, s, o) },
		func(w io.Writer) error { return renderErrors(w, s.Errors) },
		func(w io.Writer) error { return renderPersonas(w, s.Personas) },
		func(w io.Writer) error { return renderCapacity(w, o.Capacity) },
		func(w io.Writer) error { return renderThresholds(w, rs, o.Color) },
	}
	for _, section := range sections {
		if err := section(w); err != nil {
			return fmt.Errorf("cannot render the verdict: %w", err)
		}
	}
	if line := ReplayLine(s.Replay); line != "" {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return fmt.Errorf("cannot render the verdict: %w", err)
		}
	}
	if line := CrosstalkLine(s.Conversations, o.Color); line != "" {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return fmt.Errorf("cannot render the verdict: %w", err)
		}
	}
	if _, err := fmt.Fprintln(w, VerdictLine(rs, o)); err != nil {
		return fmt.Errorf("cannot render the verdict: %w", err)
	}
	return nil
}

// CrosstalkLine is the red line above the verdict of a run in which the
// assistant sent a customer another customer's data, whatever the
// thresholds say (a threshold on conversations.crosstalk makes it fail the
// run); "" when none did.
func CrosstalkLine(c metrics.Conversations, color bool) string {
	if c.Crosstalk == 0 {
		return ""
	}
	replies := "replies"
	if c.Crosstalk == 1 {
		replies = "reply"
	}
	return paint(color, red, "CROSS-TALK") + fmt.Sprintf(" — %d %s carried another customer's data "+
		"(conversations.crosstalk): each turn's crosstalk in conversations.jsonl says whose", c.Crosstalk, replies)
}

// VerdictLine is the last line of a run: "PASS — all 3 thresholds held",
// "FAIL — 1 of 3 thresholds failed: success", marked STEERED when it was
// changed by hand and INTERRUPTED when it was cut short.
func VerdictLine(rs []Result, o RenderOptions) string {
	if o.Invalid != "" {
		return paint(o.Color, red, "INVALID") + " — " + o.Invalid
	}
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

// verdictDetail counts the thresholds that failed and those that had no
// data apart, so the line agrees with the table: "1 of 3 thresholds
// failed: a; 1 had no data: b", "1 of 3 thresholds had no data: b".
func verdictDetail(rs []Result) string {
	n := len(rs)
	crossed, empty, allowed := Crossed(rs), filter(rs, Result.noDataFailed), filter(rs, Result.noDataPassed)
	var parts []string
	if len(crossed) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %s failed: %s", len(crossed), thresholds(n), nameList(crossed)))
	}
	if len(empty) > 0 && len(parts) > 0 {
		parts = append(parts, fmt.Sprintf("%d had no data: %s", len(empty), nameList(empty)))
	} else if len(empty) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %s had no data: %s", len(empty), thresholds(n), nameList(empty)))
	}
	switch {
	case n == 0:
		return "no thresholds to check"
	case len(parts) > 0:
		return strings.Join(parts, "; ")
	}
	held := fmt.Sprintf("all %s held", thresholds(n))
	if n == 1 {
		held = "1 threshold held"
	}
	if len(allowed) > 0 {
		held += fmt.Sprintf(" (%d with no data, passed by on_no_data: %s)", len(allowed), nameList(allowed))
	}
	return held
}

func (r Result) noDataFailed() bool { return r.NoData && !r.Pass }
func (r Result) noDataPassed() bool { return r.NoData && r.Pass }

func filter(rs []Result, keep func(Result) bool) []Result {
	var out []Result
	for _, r := range rs {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// resultWord is a threshold's Result cell: PASS, FAIL or NO DATA (red
// when it fails the gate, yellow when on_no_data passed it).
func resultWord(r Result, color bool) string {
	switch {
	case r.noDataFailed():
		return paint(color, red, "NO DATA")
	case r.noDataPassed():
		return paint(color, yellow, "NO DATA") + " (pass)"
	}
	return verdictWord([]Result{r}, color)
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

func nameList(rs []Result) string {
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
