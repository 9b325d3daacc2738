package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/transcript"
)

// timerRow is one timed operation as the tables name it: Type and Name as
// in the verdict table (the old tool's Locust rows), Metric as thresholds
// and summary.json do.
type timerRow struct{ metric, typ, name string }

func timerRows() []timerRow {
	return []timerRow{
		{"send", "POST", "Voyager Message"},
		{"reply", "WEBHOOK", "Voyager Webhook"},
		{"llm", "GEMINI", "Gemini Response"},
		{"conversation", "CONVERSATION", "Complete Conversation"},
	}
}

// streamRows are the timed operations of streamed replies: stats.csv and
// history.csv have them only when a streaming protocol ran.
func streamRows() []timerRow {
	return []timerRow{{"first_token", "STREAM", "First Token"}, {"stall", "STREAM", "Longest Stall"}}
}

// timerOf picks a timed operation out of a snapshot by metric name.
func timerOf(s metrics.Snapshot, metric string) metrics.Latency {
	switch metric {
	case "send":
		return s.Send
	case "reply":
		return s.Reply
	case "llm":
		return s.LLM
	case "first_token":
		return s.FirstToken
	case "stall":
		return s.Stall
	}
	return s.Conversation
}

// StatsCSVHeader is stats.csv's header: Locust's --csv stats columns that
// voyplan measures (times in milliseconds), then the metric's name as
// thresholds see it.
func StatsCSVHeader() []string {
	return []string{
		"Type", "Name", "Request Count", "Failure Count",
		"Median Response Time", "Average Response Time", "Min Response Time", "Max Response Time",
		"Requests/s", "Failures/s", "50%", "90%", "95%", "99%", "100%", "Metric",
	}
}

// HistoryCSVHeader is history.csv's header: Locust's --csv-full-history
// columns (rates and percentiles over the interval, totals since the start),
// then the run's own figures: elapsed seconds, the conversations that
// started, completed, failed and were abandoned in the interval, and the
// LLM cost so far.
func HistoryCSVHeader() []string {
	return []string{
		"Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s",
		"50%", "90%", "95%", "99%", "100%",
		"Total Request Count", "Total Failure Count", "Total Median Response Time",
		"Total Average Response Time", "Total Min Response Time", "Total Max Response Time",
		"Elapsed (s)", "Conversations Started", "Conversations Completed", "Conversations Failed",
		"Conversations Abandoned", "Total Cost USD", "Metric",
	}
}

// WriteStatsCSV writes dir/stats.csv: one row per timed operation.
func WriteStatsCSV(dir *results.Dir, s *results.Summary) error {
	secs := s.DurationMS / 1000
	rows := [][]string{StatsCSVHeader()}
	names := timerRows()
	if s.Metrics.Stream.Replies > 0 {
		names = append(names, streamRows()...)
	}
	for _, r := range names {
		l := timerOf(s.Metrics, r.metric)
		rows = append(rows, []string{
			r.typ, r.name, itoa(l.Count), itoa(l.Failed),
			ms(l.P50), ms(l.Avg), ms(l.Min), ms(l.Max),
			rate(l.Count, secs), rate(l.Failed, secs),
			ms(l.P50), ms(l.P90), ms(l.P95), ms(l.P99), ms(l.Max), r.metric,
		})
	}
	return writeCSV(dir, results.StatsCSVFile, rows)
}

// WriteHistoryCSV writes dir/history.csv: for every sample, one row per
// timed operation.
func WriteHistoryCSV(dir *results.Dir, h *results.History) error {
	rows := [][]string{HistoryCSVHeader()}
	names := timerRows()
	for _, s := range h.Samples {
		if _, ok := s.Timers["first_token"]; ok {
			names = append(timerRows(), streamRows()[0]) // the history samples first_token once there is one
			break
		}
	}
	for _, s := range h.Samples {
		for _, r := range names {
			rows = append(rows, historyRow(s, r))
		}
	}
	return writeCSV(dir, results.HistoryCSVFile, rows)
}

func historyRow(s metrics.Sample, r timerRow) []string {
	t := s.Timers[r.metric]
	in, tot, c := t.Interval, t.Total, s.Conversations
	secs := s.IntervalMS / 1000
	return []string{
		strconv.FormatInt(s.Time.Unix(), 10), itoa(s.Users), r.typ, r.name,
		rate(in.Count, secs), rate(in.Failed, secs),
		ms(in.P50), ms(in.P90), ms(in.P95), ms(in.P99), ms(in.Max),
		itoa(tot.Count), itoa(tot.Failed), ms(tot.P50), ms(tot.Avg), ms(tot.Min), ms(tot.Max),
		strconv.FormatFloat(s.ElapsedMS/1000, 'f', 3, 64),
		itoa(c.Started), itoa(c.Succeeded), itoa(c.Failed), itoa(c.Abandoned),
		strconv.FormatFloat(s.Cost.USD, 'f', -1, 64), r.metric,
	}
}

func writeCSV(dir *results.Dir, name string, rows [][]string) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("cannot encode %s: %w", name, err)
	}
	if err := dir.WriteFile(name, b.Bytes()); err != nil {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ms is d in milliseconds, microsecond resolution, no trailing zeros.
func ms(d time.Duration) string { return strconv.FormatFloat(transcript.Ms(d), 'f', -1, 64) }

// rate is n per second over secs, to four decimals; 0 when secs is not
// positive.
func rate(n int64, secs float64) string {
	if secs <= 0 {
		return "0"
	}
	return strconv.FormatFloat(math.Round(float64(n)/secs*1e4)/1e4, 'f', -1, 64)
}
