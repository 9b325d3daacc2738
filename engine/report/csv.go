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
	"github.com/voyplan/voyplan/engine/verdict"
)

// timers are the timed operations stats.csv and history.csv have a row
// for, named as the verdict table names them for the run's protocol.
func timers(protocol string) []verdict.Timer { return verdict.Timers(protocol, "") }

// percentileColumns are Locust's percentile column names, in its order.
func percentileColumns() []string {
	out := make([]string, len(metrics.ReportPercentiles))
	for i, p := range metrics.ReportPercentiles {
		out[i] = strconv.FormatFloat(p, 'f', -1, 64) + "%"
	}
	return out
}

// StatsCSVHeader is stats.csv's header: exactly Locust's --csv stats
// columns, in its order (times in milliseconds).
func StatsCSVHeader() []string {
	return append([]string{
		"Type", "Name", "Request Count", "Failure Count",
		"Median Response Time", "Average Response Time", "Min Response Time", "Max Response Time",
		"Average Content Size", "Requests/s", "Failures/s",
	}, percentileColumns()...)
}

// HistoryCSVHeader is history.csv's header: exactly Locust's
// --csv-full-history columns (rates and percentiles over the interval,
// totals since the start).
func HistoryCSVHeader() []string {
	h := []string{"Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"}
	h = append(h, percentileColumns()...)
	return append(h, "Total Request Count", "Total Failure Count", "Total Median Response Time",
		"Total Average Response Time", "Total Min Response Time", "Total Max Response Time",
		"Total Average Content Size")
}

// FailuresCSVHeader is failures.csv's header: exactly Locust's.
func FailuresCSVHeader() []string { return []string{"Method", "Name", "Error", "Occurrences"} }

// notApplicable is what Locust writes in a percentile column of a row that
// has no timing.
const notApplicable = "N/A"

// contentSize is the Average Content Size column: voyplan does not measure
// response sizes, so it writes what Locust writes for a request without a
// body.
const contentSize = "0"

// WriteStatsCSV writes dir/stats.csv: one row per timed operation, then
// Locust's Aggregated row (all of them together).
func WriteStatsCSV(dir *results.Dir, s *results.Summary) error {
	secs := s.DurationMS / 1000
	rows := [][]string{StatsCSVHeader()}
	names := timers(s.Plan.Protocol)
	if s.Metrics.Stream.Replies > 0 {
		names = append(names, verdict.StreamTimers()...)
	}
	var dists []metrics.Distribution
	for _, r := range names {
		l := s.Metrics.Timer(r.Metric)
		d, ok := s.Distributions[r.Metric]
		qs, err := quantilesOf(d, ok, l)
		if err != nil {
			return fmt.Errorf("cannot read %s's distribution in summary.json: %w", r.Metric, err)
		}
		rows = append(rows, statsRow(r.Type, r.Name, l, qs, secs))
		if ok {
			dists = append(dists, d)
		}
	}
	agg, err := aggregatedStats(s.Metrics, names, dists, secs)
	if err != nil {
		return err
	}
	return writeCSV(dir, results.StatsCSVFile, append(rows, agg))
}

// aggregatedStats is the Aggregated row: every row's operations taken
// together, through their histograms. A summary without distributions
// (written before them) gives the counts, and N/A for the timings.
func aggregatedStats(m metrics.Snapshot, names []verdict.Timer, dists []metrics.Distribution, secs float64) ([]string, error) {
	if len(dists) < len(names) {
		var l metrics.Latency
		for _, r := range names {
			l.Count += m.Timer(r.Metric).Count
			l.Failed += m.Timer(r.Metric).Failed
		}
		row := statsRow("", "Aggregated", l, nil, secs)
		for i := 4; i < 8; i++ {
			row[i] = notApplicable
		}
		return row, nil
	}
	d, err := metrics.Combine(dists...)
	if err != nil {
		return nil, fmt.Errorf("cannot combine the distributions of summary.json: %w", err)
	}
	l, err := d.Latency()
	if err != nil {
		return nil, err
	}
	qs, err := quantilesOf(d, true, l)
	if err != nil {
		return nil, err
	}
	return statsRow("", "Aggregated", l, qs, secs), nil
}

// quantilesOf is the percentile cells of one operation: from its histogram
// when summary.json has it, else the percentiles a snapshot keeps (and N/A
// for the others).
func quantilesOf(d metrics.Distribution, ok bool, l metrics.Latency) ([]string, error) {
	if !ok {
		return snapshotQuantiles(l), nil
	}
	qs, err := d.Quantiles(metrics.ReportPercentiles)
	if err != nil || qs == nil {
		return nil, err
	}
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = ms(q)
	}
	return out, nil
}

// snapshotQuantiles is the percentile cells a Latency alone gives: 50, 90,
// 95, 99 and 100; N/A for the others (and for all when nothing was timed).
func snapshotQuantiles(l metrics.Latency) []string {
	if l.Count-l.Failed+l.Censored <= 0 {
		return nil
	}
	known := map[float64]time.Duration{50: l.P50, 90: l.P90, 95: l.P95, 99: l.P99, 100: l.Max}
	out := make([]string, len(metrics.ReportPercentiles))
	for i, p := range metrics.ReportPercentiles {
		out[i] = notApplicable
		if d, ok := known[p]; ok {
			out[i] = ms(d)
		}
	}
	return out
}

// percentileCells is qs, or N/A in every column when there is none (no
// operation was timed), as Locust writes a row without requests.
func percentileCells(qs []string) []string {
	if qs != nil {
		return qs
	}
	out := make([]string, len(metrics.ReportPercentiles))
	for i := range out {
		out[i] = notApplicable
	}
	return out
}

func statsRow(typ, name string, l metrics.Latency, qs []string, secs float64) []string {
	row := []string{
		typ, name, itoa(l.Count), itoa(l.Failed),
		ms(l.P50), ms(l.Avg), ms(l.Min), ms(l.Max), contentSize,
		rate(l.Count, secs), rate(l.Failed, secs),
	}
	return append(row, percentileCells(qs)...)
}

// WriteHistoryCSV writes dir/history.csv as Locust's --csv-full-history
// does: for every sample, one row per timed operation, then the Aggregated
// row.
func WriteHistoryCSV(dir *results.Dir, h *results.History, protocol string) error {
	rows := [][]string{HistoryCSVHeader()}
	names := timers(protocol)
	for _, s := range h.Samples {
		if _, ok := s.Timers["first_token"]; ok {
			names = append(timers(protocol), verdict.StreamTimers()[0]) // the history samples first_token once there is one
			break
		}
	}
	for _, s := range h.Samples {
		for _, r := range names {
			rows = append(rows, historyRow(s, r.Type, r.Name, s.Timers[r.Metric], true))
		}
		rows = append(rows, historyRow(s, "", "Aggregated", aggregatedSample(s, names), s.Aggregated != nil))
	}
	return writeCSV(dir, results.HistoryCSVFile, rows)
}

// aggregatedSample is the sample's Aggregated timer; a history written
// before it was kept (or a merged one) gives the counts only.
func aggregatedSample(s metrics.Sample, names []verdict.Timer) metrics.TimerSample {
	if s.Aggregated != nil {
		return *s.Aggregated
	}
	var a metrics.TimerSample
	for _, r := range names {
		t := s.Timers[r.Metric]
		a.Interval.Count += t.Interval.Count
		a.Interval.Failed += t.Interval.Failed
		a.Total.Count += t.Total.Count
		a.Total.Failed += t.Total.Failed
	}
	return a
}

// historyRow is one row of history.csv; timed is false when t has counts
// but no timings (an Aggregated row of an old or merged history): its
// timing cells are N/A.
func historyRow(s metrics.Sample, typ, name string, t metrics.TimerSample, timed bool) []string {
	in, tot := t.Interval, t.Total
	secs := s.IntervalMS / 1000
	row := []string{
		strconv.FormatInt(s.Time.Unix(), 10), itoa(s.Users), typ, name,
		rate6(in.Count, secs), rate6(in.Failed, secs),
	}
	row = append(row, percentileCells(sampleQuantiles(t))...)
	totals := []string{ms(tot.P50), ms(tot.Avg), ms(tot.Min), ms(tot.Max)}
	if !timed {
		totals = []string{notApplicable, notApplicable, notApplicable, notApplicable}
	}
	return append(append(row, itoa(tot.Count), itoa(tot.Failed)), append(totals, contentSize)...)
}

// sampleQuantiles is the interval's percentile cells: the sample's own
// when it has them, else those its Latency keeps.
func sampleQuantiles(t metrics.TimerSample) []string {
	if t.Quantiles == nil {
		return snapshotQuantiles(t.Interval)
	}
	out := make([]string, len(t.Quantiles))
	for i, q := range t.Quantiles {
		out[i] = strconv.FormatFloat(q, 'f', -1, 64)
	}
	return out
}

// WriteFailuresCSV writes dir/failures.csv as Locust does: one row per
// distinct error, with the operation it happened in (Method and Name as
// stats.csv's Type and Name), "kind: message" and how often it happened.
func WriteFailuresCSV(dir *results.Dir, s *results.Summary) error {
	rows := [][]string{FailuresCSVHeader()}
	for _, e := range s.Metrics.Errors {
		r := failureRow(e.Kind, s.Plan.Protocol)
		rows = append(rows, []string{r.Type, r.Name, e.Kind + ": " + e.Message, itoa(e.Count)})
	}
	return writeCSV(dir, results.FailuresCSVFile, rows)
}

// failureRow is the operation an error kind (a failure reason) failed in.
func failureRow(kind, protocol string) verdict.Timer {
	rows := timers(protocol)
	switch kind {
	case transcript.ReasonSendError:
		return rows[0]
	case transcript.ReasonReplyTimeout, transcript.ReasonStreamIncomplete:
		return rows[1]
	case transcript.ReasonLLMError:
		return rows[2]
	}
	return rows[3]
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

// rate6 is rate with Locust's history formatting: six decimals.
func rate6(n int64, secs float64) string {
	if secs <= 0 {
		return "0.000000"
	}
	return strconv.FormatFloat(float64(n)/secs, 'f', 6, 64)
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
