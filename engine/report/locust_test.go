package report

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/transcript"
)

// needTool finds a command the test runs, skipping the test when it is
// missing locally and failing it in CI, where .ci/run installs it.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing (Debian's %s; .ci/run installs it): %v", name, pkg, err)
	}
	t.Skipf("%s is missing (apt-get install %s)", name, pkg)
	return ""
}

// locustCSVs runs Debian's locust headless for a few seconds against a
// loopback server (it stops itself once it has requests of both kinds over
// 3 s; 90 s at most) and returns its stats, history and failures CSVs.
func locustCSVs(t *testing.T) (stats, history, failures [][]string) {
	t.Helper()
	bin := needTool(t, "locust", "python3-locust")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			_, _ = w.Write([]byte("fine"))
			return
		}
		http.Error(w, "broken on purpose", http.StatusInternalServerError)
	}))
	defer srv.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-f", filepath.Join("testdata", "locustfile.py"), "--headless",
		"-u", "2", "-r", "2", "-t", "90s", "--host", srv.URL, "--csv", filepath.Join(dir, "locust"),
		"--csv-full-history", "--only-summary", "--exit-code-on-error", "0", "--loglevel", "WARNING")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("locust: %v\n%s", err, out)
	}
	read := func(suffix string) [][]string { return readCSVFile(t, filepath.Join(dir, "locust_"+suffix+".csv")) }
	return read("stats"), read("stats_history"), read("failures")
}

// voyplanCSVs renders stats.csv, history.csv and failures.csv from a real
// Recorder: operations that succeed, fail and time out, and a history
// sample taken before anything happened (Locust lists an operation in
// stats.csv only once it ran, so every one runs here).
func voyplanCSVs(t *testing.T) (stats, history, failures [][]string) {
	t.Helper()
	rec := metrics.NewRecorder([]string{"kataryna"})
	hist := metrics.NewHistory(rec)
	samples := []metrics.Sample{hist.Sample(time.Second)}
	for i := range 20 {
		rec.Send(time.Duration(10+i)*time.Millisecond, i%7 != 0)
		rec.Reply(time.Duration(300+10*i)*time.Millisecond, true)
	}
	rec.ReplyTimedOut(5 * time.Second)
	rec.LLM(700*time.Millisecond, true, transcript.LLMCall{})
	rec.ConversationStarted("kataryna")
	rec.ConversationEnded(&transcript.Conversation{Persona: "kataryna", Outcome: transcript.Completed, DurationMS: 9000})
	rec.Error(transcript.ReasonSendError, "status 500")
	rec.Error(transcript.ReasonReplyTimeout, "no callback within 5s")
	samples = append(samples, hist.Sample(3*time.Second))
	dists, err := rec.Distributions()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-3 * time.Second)
	sum := results.NewSummary(results.Run{StartedAt: start, EndedAt: start.Add(3 * time.Second), Distributions: dists},
		rec.Snapshot(3*time.Second), nil)
	d := results.At(t.TempDir())
	if err := WriteStatsCSV(d, sum); err != nil {
		t.Fatal(err)
	}
	if err := WriteHistoryCSV(d, results.NewHistory(metrics.HistoryInterval, samples), ""); err != nil {
		t.Fatal(err)
	}
	if err := WriteFailuresCSV(d, sum); err != nil {
		t.Fatal(err)
	}
	read := func(name string) [][]string { return readCSVFile(t, d.File(name)) }
	return read(results.StatsCSVFile), read(results.HistoryCSVFile), read(results.FailuresCSVFile)
}

// shape is what a row looks like, cell by cell: empty, N/A, a number, or
// text — what a tool reading Locust's CSV relies on. The Type column
// (typeCol) is a label either way: Locust's Aggregated row is an entry
// whose method is empty, and Locust lists an entry only once it had a
// request, so the shape of a row without requests is seen on its
// Aggregated row alone.
func shape(row []string, typeCol int) string {
	cells := make([]string, len(row))
	for i, c := range row {
		_, err := strconv.ParseFloat(c, 64)
		switch {
		case i == typeCol:
			cells[i] = "label"
		case c == "":
			cells[i] = "empty"
		case c == "N/A":
			cells[i] = "N/A"
		case err == nil:
			cells[i] = "number"
		default:
			cells[i] = "text"
		}
	}
	return strings.Join(cells, ",")
}

// TestCSVsHaveLocustShapes holds voyplan's CSVs against those Locust itself
// writes: the same header, column for column, and every row of voyplan's
// shaped like a row Locust writes (Aggregated rows, N/A percentiles of a row
// without timings, numbers where Locust has numbers).
func TestCSVsHaveLocustShapes(t *testing.T) {
	t.Parallel()
	ls, lh, lf := locustCSVs(t)
	vs, vh, vf := voyplanCSVs(t)
	for _, f := range []struct {
		name         string
		typeCol      int
		locust, ours [][]string
	}{{"stats.csv", 0, ls, vs}, {"history.csv", 2, lh, vh}, {"failures.csv", 0, lf, vf}} {
		if !slices.Equal(f.locust[0], f.ours[0]) {
			t.Errorf("%s header:\n ours   %q\n locust %q", f.name, f.ours[0], f.locust[0])
			continue
		}
		if len(f.locust) < 2 || len(f.ours) < 2 {
			t.Errorf("%s: locust wrote %d rows, voyplan %d; want some of each", f.name, len(f.locust)-1, len(f.ours)-1)
			continue
		}
		shapes := map[string]bool{}
		for _, r := range f.locust[1:] {
			shapes[shape(r, f.typeCol)] = true
		}
		for _, r := range f.ours[1:] {
			if !shapes[shape(r, f.typeCol)] {
				t.Errorf("%s: voyplan's row %q is shaped %s; locust's rows are shaped %v", f.name, r, shape(r, f.typeCol), keys(shapes))
			}
		}
	}
	checkAggregated(t, "stats.csv", ls, vs)
	checkHistoryGroups(t, lh, vh)
}

// checkAggregated: both files end with the Aggregated row, which has no
// Type.
func checkAggregated(t *testing.T, name string, locust, ours [][]string) {
	t.Helper()
	for who, rows := range map[string][][]string{"locust": locust, "voyplan": ours} {
		last := rows[len(rows)-1]
		if last[0] != "" || last[1] != "Aggregated" {
			t.Errorf("%s's %s ends with %q; want the Aggregated row", who, name, last)
		}
	}
}

// checkHistoryGroups: in both histories every timestamp's rows end with
// its Aggregated row, and some row has N/A percentiles (an interval with no
// timing) and some numbers.
func checkHistoryGroups(t *testing.T, locust, ours [][]string) {
	t.Helper()
	for who, rows := range map[string][][]string{"locust": locust, "voyplan": ours} {
		var na, num bool
		for i, r := range rows[1:] {
			next := i + 2
			if next == len(rows) || rows[next][0] != r[0] {
				if r[3] != "Aggregated" {
					t.Errorf("%s's history: the rows of %s end with %q; want Aggregated", who, r[0], r)
				}
			}
			na = na || r[6] == "N/A"
			num = num || (r[6] != "N/A" && r[6] != "")
		}
		if !na || !num {
			t.Errorf("%s's history: N/A rows %v, timed rows %v; want both", who, na, num)
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
