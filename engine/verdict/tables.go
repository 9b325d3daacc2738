package verdict

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/voyplan/voyplan/engine/metrics"
)

// newTable returns a table with the given header, cells never wrapped nor
// reformatted, columns aligned as given (l: left, r: right).
func newTable(w io.Writer, align string, header ...any) *tablewriter.Table {
	aligns := make([]tw.Align, len(align))
	for i, a := range align {
		aligns[i] = tw.AlignLeft
		if a == 'r' {
			aligns[i] = tw.AlignRight
		}
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
	)
	t.Header(header...)
	return t
}

// appendAll appends the rows and renders the table.
func appendAll(t *tablewriter.Table, rows [][]string) error {
	for _, row := range rows {
		if err := t.Append(row); err != nil {
			return err
		}
	}
	return t.Render()
}

// renderRequests writes a heading, the Locust-shaped requests table and the
// conversations line under it.
func renderRequests(w io.Writer, s metrics.Snapshot, o RenderOptions) error {
	if _, err := fmt.Fprintln(w, heading(o.Elapsed)); err != nil {
		return err
	}
	header := []any{"Type", "Name", "# Reqs", "# Fails", "Avg", "Min", "Max", "Med", "p90", "p95", "p99"}
	timers := Timers(o.Protocol, o.LLMName)
	if streamed(s) {
		timers = append(timers, StreamTimers()...)
	}
	rows := make([][]string, len(timers))
	for i, tm := range timers {
		rows[i] = latencyRow(tm.Type, tm.Name, s.Timer(tm.Metric))
	}
	if bursts(s) {
		rows = append(rows, latencyRow("BURST", "Reply From First Message", s.ReplyFromFirst))
	}
	align := "llrrrrrrrrr"
	if usedLLM(s) {
		header, rows, align = append(header, "Tokens in/out/think", "Cost USD"), withLLMCost(rows, s), align+"rr"
	}
	t := newTable(w, align, header...)
	if err := appendAll(t, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s%s\n%s%s%s\n", censoredLines(s, timers), conversationsLine(s)+unrecordedLine(s.Unrecorded), streamLine(s),
		whatsappLine(s.WhatsApp)+channelLine(s.Channel)+burstLine(s), assistantLine(s.Assistant, s.Cost.Assistant))
	return err
}

// censoredLines says, under the requests table, how many samples of each
// row timed out and are in its timings at the time they waited (their true
// time is longer), with the row's figures without them (send_ok, reply_ok,
// llm_ok) — one line per row that has any, each with its newline; "" when
// none timed out.
func censoredLines(s metrics.Snapshot, timers []Timer) string {
	rows := []struct {
		name, metric string
		all, ok      metrics.Latency
	}{
		{timers[0].Name, "send", s.Send, s.SendOK},
		{timers[1].Name, "reply", s.Reply, s.ReplyOK},
		{timers[2].Name, "llm", s.LLM, s.LLMOK},
	}
	var b strings.Builder
	for _, r := range rows {
		if r.all.Censored == 0 {
			continue
		}
		fmt.Fprintf(&b, "Censored: %d of %d %s samples timed out and count at the time they waited (the true time is longer)",
			r.all.Censored, r.all.Count, r.name)
		if r.ok.Count-r.ok.Failed > 0 {
			fmt.Fprintf(&b, "; without them (%s_ok): med %s · p95 %s · max %s ms", r.metric, ms(r.ok.P50), ms(r.ok.P95), ms(r.ok.Max))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// streamed reports whether a streaming protocol ran: only then do the
// tables show first_token, stall and stream.
func streamed(s metrics.Snapshot) bool { return s.Stream.Replies > 0 }

// streamLine sums up how streamed replies arrived, with its newline; ""
// when none were streamed.
func streamLine(s metrics.Snapshot) string {
	st := s.Stream
	if !streamed(s) {
		return ""
	}
	rate := "unknown"
	if st.Rated > 0 {
		rate = strconv.FormatFloat(st.TokensPerS, 'f', 1, 64)
	}
	return fmt.Sprintf("Streams: %d replies · %d incomplete · %d without usage · %d chunks · %d bytes · %s tokens/s\n",
		st.Replies, st.Incomplete, st.NoUsage, st.Chunks, st.Bytes, rate) + connectionsLine(st)
}

// connectionsLine sums up how WebSocket connections fared, with its
// newline; "" when none was tried.
func connectionsLine(st metrics.Stream) string {
	if st.Connections == 0 && st.ConnectFailures == 0 {
		return ""
	}
	codes := make([]string, 0, len(st.CloseCodes))
	for _, code := range slices.Sorted(maps.Keys(st.CloseCodes)) {
		codes = append(codes, fmt.Sprintf("%s×%d", code, st.CloseCodes[code]))
	}
	closes := strconv.FormatInt(st.Closes, 10) + " closed by the assistant or broken"
	if len(codes) > 0 {
		closes += " (" + strings.Join(codes, ", ") + ")"
	}
	return fmt.Sprintf("Connections: %d opened · %d failed · %s · %d reconnects · "+
		"%d pings / %d pongs · %d assistant pings · %d frames not understood\n",
		st.Connections, st.ConnectFailures, closes, st.Reconnects, st.Pings, st.Pongs, st.PeerPings, st.NotUnderstood)
}

// whatsappLine sums up a whatsapp target's channel, with its newline; ""
// when no delivery was made.
func whatsappLine(w metrics.WhatsApp) string {
	if w.Deliveries == 0 {
		return ""
	}
	statuses := ""
	if w.Statuses > 0 {
		statuses = fmt.Sprintf(" · %d statuses webhooks (%d not taken)", w.Statuses, w.StatusFailed)
	}
	return fmt.Sprintf("WhatsApp: %d deliveries · %d refused signature · %d failed · %d Graph API calls: %d messages "+
		"(%d text · %d media · %d interactive · %d templates) · %d read marks · refused: %d auth · %d unknown recipient · "+
		"%d unknown phone id · %d malformed · %d oversize%s\n",
		w.Deliveries, w.SignatureRefused, w.DeliveryFailed, w.GraphCalls, w.Messages, w.Text, w.Media, w.Interactive,
		w.Templates, w.ReadMarks, w.AuthFailures, w.UnknownRecipients, w.UnknownPhone, w.Malformed, w.Oversize, statuses)
}

// channelLine sums up the channel's faults, with its newline; "" when
// none was made.
func channelLine(c metrics.Channel) string {
	if c == (metrics.Channel{}) {
		return ""
	}
	return fmt.Sprintf("Channel faults: %d messages re-delivered · %d duplicate replies (answers to a re-delivered copy) · "+
		"%d deliveries delayed · %d out of order\n", c.Redelivered, c.DuplicateReplies, c.Delayed, c.OutOfOrder)
}

// bursts reports whether customers typed thoughts as several messages or
// followed up (conversation.burst, double_text_rate): only then do the
// tables show reply_from_first and the bursts.
func bursts(s metrics.Snapshot) bool { return s.Burst.Bursts > 0 || s.Burst.DoubleTexts > 0 }

// burstLine sums up how the bursts were answered, with its newline; ""
// when there were none.
func burstLine(s metrics.Snapshot) string {
	if !bursts(s) {
		return ""
	}
	b := s.Burst
	return fmt.Sprintf("Bursts: %d thoughts sent as %d messages · %.2f replies per burst · %d double answers "+
		"(answered more than once) · %d double texts\n", b.Bursts, b.Fragments, b.RepliesPerBurst, s.DoubleAnswers, b.DoubleTexts)
}

// assistantLine is the assistant's own token usage, and what it cost at
// the plan's prices when it has some, with its newline, when its protocol
// reported any (openai, sse, websocket); "" otherwise.
func assistantLine(a metrics.Assistant, cost float64) string {
	if a.Conversations == 0 {
		return ""
	}
	priced := ""
	if cost > 0 {
		priced = " · " + usd(cost) + " at the plan's prices (cost.assistant)"
	}
	return fmt.Sprintf("Assistant tokens (its own, reported in %d conversations): %d in · %d out%s\n",
		a.Conversations, a.InputTokens, a.OutputTokens, priced)
}

func heading(elapsed time.Duration) string {
	if elapsed <= 0 {
		return "Requests (times in ms)"
	}
	return fmt.Sprintf("Requests (times in ms) over %s", elapsed.Round(time.Second))
}

func latencyRow(typ, name string, l metrics.Latency) []string {
	row := []string{typ, name, strconv.FormatInt(l.Count, 10), strconv.FormatInt(l.Failed, 10)}
	if l.Count-l.Failed+l.Censored <= 0 { // nothing timed: every one failed, none by timing out
		return append(row, "-", "-", "-", "-", "-", "-", "-")
	}
	return append(row, ms(l.Avg), ms(l.Min), ms(l.Max), ms(l.P50), ms(l.P90), ms(l.P95), ms(l.P99))
}

// ms renders a duration in milliseconds with one decimal.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64)
}

func title(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// conversationsLine summarises the conversations under the requests table:
// outcomes, success rate and, beside it, goodput (and the cost of a
// success when persona generations cost anything).
func conversationsLine(s metrics.Snapshot) string {
	c := s.Conversations
	parts := []string{
		fmt.Sprintf("%d started", c.Started),
		fmt.Sprintf("%d completed", c.Succeeded),
		fmt.Sprintf("%d failed%s", c.Failed, reasons(c.Reasons)),
		fmt.Sprintf("%d abandoned", c.Abandoned),
		fmt.Sprintf("%d interrupted", c.Interrupted),
	}
	if c.InFlight > 0 {
		parts = append(parts, fmt.Sprintf("%d in flight", c.InFlight))
	}
	if c.LateStarts > 0 { // the engine fell behind the schedule: less load than planned
		parts = append(parts, fmt.Sprintf("%d started late", c.LateStarts))
	}
	if c.Dropped > 0 { // open stages: arrivals that found max_users in flight, never started
		parts = append(parts, fmt.Sprintf("%d dropped (max_users in flight)", c.Dropped))
	}
	parts = append(parts,
		"success rate "+successRate(c),
		"goodput "+goodput(s),
		"avg turns "+strconv.FormatFloat(c.TurnsAvg, 'f', 1, 64))
	if s.Cost.USD+s.Cost.Assistant > 0 && c.Succeeded > 0 { // the simulator's LLM and the assistant's own tokens
		parts = append(parts, "cost per success "+usd((s.Cost.USD+s.Cost.Assistant)/float64(c.Succeeded)))
	}
	return "Conversations: " + strings.Join(parts, " · ")
}

// unrecordedLine says, under the conversations line, which figures the
// run could not know (a run rebuilt from its journal): they show as 0.
func unrecordedLine(figures []string) string {
	if len(figures) == 0 {
		return ""
	}
	return "\nNot recorded (0 above and no data in a check): " + strings.Join(figures, ", ")
}

// reasons renders failure counts as " (reply_timeout 3, send_error 1)", most
// frequent first.
func reasons(rs map[string]int64) string {
	if len(rs) == 0 {
		return ""
	}
	keys := slices.SortedFunc(maps.Keys(rs), func(a, b string) int {
		return cmp.Or(cmp.Compare(rs[b], rs[a]), cmp.Compare(a, b))
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, rs[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// goodput is conversations per minute within turn_slo, "-" when no
// conversation was judged.
func goodput(s metrics.Snapshot) string {
	if s.Conversations.Succeeded+s.Conversations.Failed+s.Conversations.Abandoned == 0 {
		return "-"
	}
	return strconv.FormatFloat(s.Goodput, 'f', 1, 64) + "/min"
}

// successRate is a percentage, "-" when no conversation was judged.
func successRate(c metrics.Conversations) string {
	if c.Succeeded+c.Failed+c.Abandoned == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*c.SuccessRate, 'f', 1, 64) + "%"
}

// renderPersonas writes one row per persona, by name; nothing when there
// are none.
func renderPersonas(w io.Writer, ps map[string]metrics.Conversations) error {
	if len(ps) == 0 {
		return nil
	}
	header := []any{"Persona", "Started", "Completed", "Failed", "Abandoned", "Interrupted", "Success rate", "Avg turns",
		"Drift", "Data mismatch"}
	costs := personaCosts(ps)
	if costs {
		header = append(header, "Cost USD")
	}
	t := newTable(w, "lrrrrrrrrrr"[:len(header)], header...)
	var rows [][]string
	for _, name := range slices.Sorted(maps.Keys(ps)) {
		row := append(personaRow(name, ps[name]), characterCells(ps[name])...)
		if costs {
			row = append(row, usd(ps[name].Cost.USD))
		}
		rows = append(rows, row)
	}
	if err := appendAll(t, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

func personaRow(name string, c metrics.Conversations) []string {
	return []string{
		name,
		strconv.FormatInt(c.Started, 10),
		strconv.FormatInt(c.Succeeded, 10),
		strconv.FormatInt(c.Failed, 10),
		strconv.FormatInt(c.Abandoned, 10),
		strconv.FormatInt(c.Interrupted, 10),
		successRate(c),
		strconv.FormatFloat(c.TurnsAvg, 'f', 1, 64),
	}
}

// renderThresholds writes one row per threshold; nothing when there are
// none.
func renderThresholds(w io.Writer, rs []Result, color bool) error {
	if len(rs) == 0 {
		return nil
	}
	t := newTable(w, "llll", "Threshold", "Check", "Observed", "Result")
	rows := make([][]string, len(rs))
	for i, r := range rs {
		rows[i] = []string{r.Name, r.Check, r.observedText(), resultWord(r, color)}
	}
	if err := appendAll(t, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}
