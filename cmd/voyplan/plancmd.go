package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/spf13/cobra"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/schedule"
	"github.com/voyplan/voyplan/engine/plan/target"
	"github.com/voyplan/voyplan/engine/protocol"
)

func (a *app) planCmd() *cobra.Command {
	var (
		vars   *varFlags
		ov     *overrides
		asJSON bool
	)
	cmd := planArg(a.newCommand("plan PLAN", "print the compiled schedule without running anything", nil,
		func(args []string) error {
			if asJSON {
				return a.planJSON(args[0], vars, ov)
			}
			return a.plan(args[0], vars, ov)
		}))
	vars = addVarFlags(cmd.Flags())
	ov = addOverrideFlags(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the diagnostics and the compiled schedule as JSON on stdout, for editors and CI")
	return cmd
}

// plan prints what apply would do, without starting anything.
func (a *app) plan(file string, vars *varFlags, ov *overrides) error {
	p, err := a.loadPlan(file, vars)
	if err != nil {
		return err
	}
	if err := ov.apply(p); err != nil {
		return withCode(exitError, err)
	}
	// Rendered whole, then written with the sensitive variables' values
	// hidden (a url may be built from one).
	var out strings.Builder
	if err := printPlan(&out, p); err != nil {
		return err
	}
	_, err = io.WriteString(a.stdout, fitWidth(p.Redact(out.String()), a.stdoutWidth()))
	return err
}

func printPlan(w io.Writer, p *plan.Plan) error {
	s := p.Schedule()
	fmt.Fprintf(w, "Plan %q", p.Name)
	if p.Description != "" {
		fmt.Fprintf(w, " — %s", p.Description)
	}
	seed := fmt.Sprintf("%d", p.Seed)
	if !p.SeedFromFile {
		seed += " (drawn for this invocation; set plan.seed to reproduce)"
	}
	fmt.Fprintf(w, "\n  file %s (sha256 %s…)\n  seed %s\n", p.File, p.Hash[:min(12, len(p.Hash))], seed)
	printTarget(w, p)
	printCapacity(w, p)
	fmt.Fprintln(w, "\nStages")
	if err := stagesTable(w, p, s); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nPersonas")
	if err := personasTable(w, p); err != nil {
		return err
	}
	printExpectations(w, p, s)
	fmt.Fprintln(w, "\nThresholds")
	for _, th := range p.Thresholds {
		abort := ""
		if th.Abort {
			abort = "  (aborts the run when crossed)"
		}
		window := ""
		if th.Window > 0 {
			window = fmt.Sprintf("  (in every %s window)", th.Window)
		}
		fmt.Fprintf(w, "  %-16s %s%s%s\n", th.Name, th.Check, window, abort)
	}
	if len(p.Thresholds) == 0 {
		fmt.Fprintln(w, "  none: the run always passes")
	}
	return nil
}

func printTarget(w io.Writer, p *plan.Plan) {
	if s := p.Simulator; s != nil && p.Target.WhatsApp != nil {
		fmt.Fprintf(w, "  target %q → built-in simulator's Cloud API bot on %s (latency %s): %s\n", p.Target.Name, s.Listen,
			s.Latency, describeProtocol(p.Target))
	} else if s != nil && p.Target.ProtocolName() != target.ProtocolVoyager {
		fmt.Fprintf(w, "  target %q → built-in simulator on %s: %s (first chunk %s, then every %s)\n", p.Target.Name, s.Listen,
			describeProtocol(p.Target), s.FirstChunk, s.ChunkInterval)
	} else if p.Simulator != nil {
		fmt.Fprintf(w, "  target %q → built-in simulator on %s (latency %s)\n", p.Target.Name, p.Simulator.Listen, p.Simulator.Latency)
	} else if p.Target.ProtocolName() != target.ProtocolVoyager {
		fmt.Fprintf(w, "  target %q → %s\n", p.Target.Name, describeProtocol(p.Target)) // plancmd_protocol.go
	} else {
		fmt.Fprintf(w, "  target %q → %s (channel %s)\n", p.Target.Name, p.Target.URL, p.Target.ChannelID)
	}
	hook := "webhook on " + p.Webhook.Listen
	if wa := p.Target.WhatsApp; wa != nil {
		hook = "Graph API stand-in on " + wa.GraphListen
	}
	switch {
	case p.Webhook.PublicURL != "":
		hook += ", reached at " + p.Webhook.PublicURL
	case p.Webhook.Tunnel != "none":
		hook += ", exposed through " + p.Webhook.Tunnel
	}
	if p.Webhook.SignatureSecret != "" {
		hook += ", callbacks signed in " + p.Webhook.SignatureHeader
	}
	if !protocol.NeedsReceiver(p) {
		hook = "no webhook: the reply comes in the response"
		if p.Target.ProtocolName() == target.ProtocolWebSocket {
			hook = "no webhook: the reply comes on the conversation's connection"
		}
	}
	fmt.Fprintf(w, "  %s\n", hook)
	c := p.Conversation
	fmt.Fprintf(w, "  conversation: opening %q, up to %d turns, reply timeout %s, think %s, complete when %s\n",
		c.Opening, c.MaxTurns, c.ReplyTimeout, c.ThinkTime, c.CompleteWhen.Source)
	if o := p.Prometheus; o != nil {
		fmt.Fprintf(w, "  live metrics: Prometheus remote write to %s every %s%s\n", p.Redact(redactURL(o.URL)), o.Interval, headerNames(o.Headers))
	}
	if o := p.OTLP; o != nil {
		where := "OTEL_EXPORTER_OTLP_ENDPOINT"
		if o.Endpoint != "" {
			where = p.Redact(redactURL(o.Endpoint))
		}
		fmt.Fprintf(w, "  traces: one per conversation, OTLP/HTTP to %s%s\n", where, headerNames(o.Headers))
	}
}

// headerNames lists the names of the output's headers, never their
// values (secret).
func headerNames(h map[string]string) string {
	if len(h) == 0 {
		return ""
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return " with " + strings.Join(names, ", ")
}

// stagesTable prints the schedule as a timeline, one row per stage.
func stagesTable(w io.Writer, p *plan.Plan, s schedule.Schedule) error {
	t := tablewriter.NewTable(w)
	t.Header(append([]any{"Stage", "From", "To"}, anys(s.Columns())...)...)
	for _, r := range s.Rows(p.Stages) {
		if err := t.Append(append([]any{r.Name, fmtDur(r.From), fmtDur(r.To)}, anys(r.Cells)...)...); err != nil {
			return err
		}
	}
	return t.Render()
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func personasTable(w io.Writer, p *plan.Plan) error {
	total := 0.0
	for _, ps := range p.Personas {
		total += ps.Weight
	}
	t := tablewriter.NewTable(w)
	t.Header("Persona", "Driver", "Weight", "Share")
	for _, ps := range p.Personas {
		driver := string(ps.Driver)
		switch ps.Driver {
		case plan.DriverLLM:
			driver += " (" + ps.LLM + ")"
		case plan.DriverRules:
			driver += fmt.Sprintf(" (%d)", len(ps.Rules))
		case plan.DriverReplay:
			driver += replayDriver(ps.Replay)
		}
		if err := t.Append(ps.Name, driver, fmt.Sprintf("%g", ps.Weight), fmt.Sprintf("%.0f%%", 100*ps.Weight/total)); err != nil {
			return err
		}
	}
	return t.Render()
}

// printExpectations prints the bounds a user can budget with.
func printExpectations(w io.Writer, p *plan.Plan, s schedule.Schedule) {
	if s.Open() {
		printOpenExpectations(w, p, s) // plancmd_arrivals.go
		return
	}
	c := p.Conversation
	fmt.Fprintf(w, "\n  %d users at peak, %d started in all, over %s\n", s.Peak(), s.Started(), fmtDur(s.Duration))
	if c.ConversationsPerUser > 0 {
		conv := s.Started() * c.ConversationsPerUser
		fmt.Fprintf(w, "  up to %d conversations (%d per user), up to %d customer turns\n", conv, c.ConversationsPerUser, conv*c.MaxTurns)
		printLLMEstimates(w, p)
		return
	}
	fmt.Fprintf(w, "  conversations repeat until the stages end (pacing %s); at most %d in flight, %d turns each\n",
		c.Pacing, s.Peak(), c.MaxTurns)
	printLLMEstimates(w, p)
}

// fmtDur prints a duration without trailing zero units: 10m, 1h30m, 4.5s.
func fmtDur(d time.Duration) string { return schedule.ShortDuration(d) }

// printCapacity says what a capacity search will do and its worst case;
// the stages table and the expectations below then show that worst case,
// LLM calls and cost included.
func printCapacity(w io.Writer, p *plan.Plan) {
	c := p.Capacity
	if c == nil {
		return
	}
	unit := ""
	if c.Vary == schedule.VaryArrivalRate {
		unit = "/s"
	}
	fmt.Fprintf(w, "\nCapacity search\n  %s from %g%s to %g%s, doubling until a threshold fails, then bisecting; at most %d steps of %s ramp + %s hold\n",
		c.Vary, c.From, unit, c.To, unit, c.Steps, c.Ramp, c.Hold)
	worst := c.Worst().String()
	if n := c.Pauses(); n > 0 {
		worst = fmt.Sprintf("%s of load (%s with each of its %d pauses at the default --graceful-stop of 30s)",
			c.Worst(), c.Worst()+time.Duration(n)*30*time.Second, n)
	}
	fmt.Fprintf(w, "  worst case: %s at up to %g%s %s (below: the stage it amounts to, and its LLM calls and cost)\n",
		worst, c.PeakLoad(), unit, c.Vary)
	switch {
	case c.Pauses() > 0 && c.Vary == schedule.VaryArrivalRate:
		fmt.Fprintln(w, "  each step after the first begins once the conversations in flight have ended (a pause of at most --graceful-stop)")
		fmt.Fprintf(w, "  at most %d conversations in flight at once (max_users, per process); an arrival that finds them all busy is dropped\n", c.MaxUsers)
	case c.Pauses() > 0:
		fmt.Fprintln(w, "  a step below the one before begins once the users it retired have ended their conversations (a pause of at most --graceful-stop)")
	}
	if c.Require > 0 {
		fmt.Fprintf(w, "  passes when the capacity found is at least %g conversations/min\n", c.Require)
	}
}

// replayDriver tells a replay persona's recordings and takeover:
// " (12 recordings, then kataryna)".
func replayDriver(r *plan.Replay) string {
	then := plan.EndOnDivergence
	if r.Takeover != nil {
		then = r.Takeover.Name
	}
	return fmt.Sprintf(" (%d recordings, on divergence %s)", len(r.Recordings), then)
}
