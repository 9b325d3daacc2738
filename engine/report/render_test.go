package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/results/resultstest"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestStatsCSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := WriteStatsCSV(results.At(dir), knownSummary()); err != nil {
		t.Fatal(err)
	}
	rows := readCSVFile(t, filepath.Join(dir, results.StatsCSVFile))
	if len(rows) != 6 || strings.Join(rows[0], ",") != strings.Join(StatsCSVHeader(), ",") {
		t.Fatalf("stats.csv: %d rows, header %v; want 4 operations and Aggregated", len(rows), rows[0])
	}
	col := func(name string) int {
		for i, h := range rows[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q", name)
		return -1
	}
	reply := rows[2]
	// knownSnapshot: 60 replies, 3 failed, over 600.0015 s
	want := map[string]string{
		"Type": "WEBHOOK", "Name": "Voyager Webhook", "Request Count": "60", "Failure Count": "3",
		"Median Response Time": "800", "Average Response Time": "812.4", "Min Response Time": "400",
		"Max Response Time": "3000", "Requests/s": "0.1", "Failures/s": "0.005",
		"50%": "800", "90%": "1000", "95%": "1240", "99%": "2000", "100%": "3000",
		// a summary without distributions has no histogram to read these from
		"66%": "N/A", "99.99%": "N/A", "Average Content Size": "0",
	}
	for name, v := range want {
		if got := reply[col(name)]; got != v {
			t.Errorf("reply %s = %q; want %q", name, got, v)
		}
	}
	if rows[1][col("Name")] != "Voyager Message" || rows[3][col("Name")] != "Gemini Response" || rows[4][col("Name")] != "Complete Conversation" {
		t.Errorf("rows out of order: %v", rows)
	}
	agg := rows[5]
	snap := resultstest.KnownSnapshot()
	count := snap.Send.Count + snap.Reply.Count + snap.LLM.Count + snap.Conversation.Count
	if agg[0] != "" || agg[1] != "Aggregated" || agg[col("Request Count")] != strconv.FormatInt(count, 10) || agg[col("50%")] != "N/A" {
		t.Errorf("Aggregated row %v; want the %d operations counted, no percentile without histograms", agg, count)
	}
}

func knownHistory() *results.History {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sample := func(i int, users int64) metrics.Sample {
		return metrics.Sample{
			Time: t0.Add(time.Duration(i) * 5 * time.Second), ElapsedMS: float64(5000 * i), IntervalMS: 5000, Users: users,
			Conversations: metrics.Interval{Started: 3, Succeeded: 2, Failed: 1},
			Timers: map[string]metrics.TimerSample{
				"reply": {Interval: metrics.Latency{Count: 10, Failed: 1, P50: 200 * time.Millisecond, P95: 250 * time.Millisecond, Max: 300 * time.Millisecond},
					Total: metrics.Latency{Count: int64(10 * i), P50: 210 * time.Millisecond}},
			},
			Cost: metrics.Cost{USD: 0.01 * float64(i)},
		}
	}
	return results.NewHistory(metrics.HistoryInterval, []metrics.Sample{sample(1, 2), sample(2, 4), sample(3, 6)})
}

func TestHistoryCSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := WriteHistoryCSV(results.At(dir), knownHistory(), ""); err != nil {
		t.Fatal(err)
	}
	rows := readCSVFile(t, filepath.Join(dir, results.HistoryCSVFile))
	if len(rows) != 1+3*5 || strings.Join(rows[0], ",") != strings.Join(HistoryCSVHeader(), ",") {
		t.Fatalf("history.csv: %d rows; want 3 samples × (4 metrics + Aggregated)", len(rows)-1)
	}
	reply := rows[1+5+1] // second sample, second metric
	got := map[string]string{}
	for i, h := range rows[0] {
		got[h] = reply[i]
	}
	want := map[string]string{
		"Timestamp": "1767323055", "User Count": "4", "Name": "Voyager Webhook", "Requests/s": "2.000000", "Failures/s": "0.200000",
		"50%": "200", "95%": "250", "100%": "300", "66%": "N/A", "Total Request Count": "20", "Total Median Response Time": "210",
		"Total Average Content Size": "0",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q; want %q", k, got[k], v)
		}
	}
}

func TestHistoryRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := results.WriteHistory(dir, knownHistory()); err != nil {
		t.Fatal(err)
	}
	h, err := results.ReadHistory(filepath.Join(dir, results.HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	if h.IntervalMS != 5000 || len(h.Samples) != 3 || h.Samples[2].Timers["reply"].Interval.P95 != 250*time.Millisecond {
		t.Errorf("round trip: %+v", h)
	}
	if _, err := results.ReadHistory(filepath.Join(dir, "nope.json")); err == nil {
		t.Error("no error for a missing history")
	}
}

func TestJUnit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := WriteJUnit(results.At(dir), knownSummary()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, results.JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Out      string `xml:"system-out"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Error *struct {
					Message string `xml:"message,attr"`
				} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("junit.xml does not parse: %v\n%s", err, b)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Name != "voyplan.smoke" || len(doc.Suites[0].Cases) != 3 {
		t.Fatalf("want one suite of 3 cases: %+v", doc)
	}
	if su := doc.Suites[0]; su.Tests != 3 || su.Failures != 1 || su.Errors != 1 {
		t.Errorf("tests %d failures %d errors %d; want 3, 1, 1", su.Tests, su.Failures, su.Errors)
	}
	if out := doc.Suites[0].Out; !strings.Contains(out, "budget: check: cost.usd <= 1.0; observed: 0.25") {
		t.Errorf("the suite's output lacks the passed threshold's check and value:\n%s", out)
	}
	cs := doc.Suites[0].Cases
	if f := cs[0].Failure; cs[0].Name != "success" || f == nil || !strings.Contains(f.Message, "observed 0.8") || !strings.Contains(f.Text, "observed: 0.8") {
		t.Errorf("failed threshold: %+v", cs[0])
	}
	if cs[1].Failure != nil || cs[1].Error != nil {
		t.Errorf("passed threshold carries a problem: %+v", cs[1])
	}
	if cs[2].Error == nil || !strings.Contains(cs[2].Error.Message, "boom") {
		t.Errorf("unevaluable threshold: %+v", cs[2])
	}
}

// TestJUnitNoData: a threshold with no data is a failed test case whose
// message says so.
func TestJUnitNoData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := knownSummary()
	s.Thresholds[0].Result, s.Thresholds[0].Observed = verdict.OutcomeNoData, "no data: no conversation ended"
	if err := WriteJUnit(results.At(dir), s); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, results.JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `<failure message="no data" type="no_data">`) || !strings.Contains(string(b), `failures="1"`) {
		t.Errorf("junit.xml:\n%s", b)
	}
}

// A run that lost results fails JUnit even when every threshold held: an
// error case says the results are incomplete.
func TestJUnitInvalid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := knownSummary()
	for i := range s.Thresholds {
		s.Thresholds[i].Pass = true
	}
	s.Verdict, s.Invalid = results.VerdictInvalid, "3 conversations could not be recorded: no space left on device"
	if err := WriteJUnit(results.At(dir), s); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, results.JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name="results recorded"`, `<error message="results lost: 3 conversations could not be recorded`, `type="invalid"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("junit.xml lacks %s:\n%s", want, b)
		}
	}
}

func TestHistogramOf(t *testing.T) {
	t.Parallel()
	var xs []float64
	for i := range 1000 {
		xs = append(xs, 100+float64(i%100)) // 100..199
	}
	xs = append(xs, 5000) // one outlier far out
	h := histogramOf(xs)
	var n int64
	for i, b := range h.Bins {
		n += b.N
		if b.Hi <= b.Lo || (i > 0 && b.Lo != h.Bins[i-1].Hi) {
			t.Fatalf("bins not contiguous: %+v", h.Bins)
		}
	}
	if h.Count != 1001 || n+h.Over != 1001 || h.Over != 1 {
		t.Errorf("count %d, binned %d, over %d; want the outlier alone over the last bin", h.Count, n, h.Over)
	}
	if len(h.Bins) < 15 || len(h.Bins) > 45 || h.Bins[0].Lo > 100 || h.P50 != 150 {
		t.Errorf("%d bins from %v, p50 %v", len(h.Bins), h.Bins[0].Lo, h.P50)
	}
	if e := histogramOf(nil); e.Count != 0 || len(e.Bins) != 0 {
		t.Errorf("empty: %+v", e)
	}
	if one := histogramOf([]float64{7}); one.Count != 1 || len(one.Bins) != 1 || one.Bins[0].N != 1 {
		t.Errorf("one sample: %+v", one)
	}
}

// TestHTMLIsSelfContainedAndSafe checks what a browser test cannot easily
// see: the page's CSP allows exactly its own inline script and style, and
// data cannot break out of its script element.
func TestHTMLIsSelfContainedAndSafe(t *testing.T) {
	t.Parallel()
	raw, _ := json.Marshal(knownSummary())
	c := resultstest.Conversation("x")
	c.Turns[0].Sent = `</script><script>alert(1)</script>`
	page, err := encodeHTML(`voyplan · <smoke>`, &Data{Summary: raw, History: knownHistory(), Conversations: []*transcript.Conversation{c}, ConversationsTotal: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if strings.Count(s, "<script") != 2 || strings.Contains(s, "<script><script>alert") {
		t.Errorf("the data broke out of its script element")
	}
	for _, banned := range []string{"src=", "href=\"http", "@import", "url("} {
		if strings.Contains(s, banned) {
			t.Errorf("the page loads something: %q", banned)
		}
	}
	if !strings.Contains(s, "<title>voyplan · &lt;smoke&gt;</title>") {
		t.Error("title not escaped")
	}
	meta := html.UnescapeString(between(t, s, `http-equiv="Content-Security-Policy" content="`, `"`))
	csp := regexp.MustCompile(`^default-src 'none'; script-src '(sha256-[^']+)'; style-src '(sha256-[^']+)';`).FindStringSubmatch(meta)
	if csp == nil {
		t.Fatalf("no hash-based CSP in the page")
	}
	script := between(t, s, "<script>", "</script>")
	style := between(t, s, "<style>", "</style>")
	if csp[1] != sha256Source(script) || csp[2] != sha256Source(style) {
		t.Error("the CSP hashes do not match the inline script and style: the browser would block them")
	}
	data := between(t, s, `<script type="application/json" id="voyplan-data">`, "</script>")
	var d Data
	if err := json.Unmarshal([]byte(data), &d); err != nil || d.Conversations[0].Turns[0].Sent != c.Turns[0].Sent {
		t.Errorf("the embedded data does not round-trip: %v", err)
	}
}

func between(t *testing.T, s, open, close string) string {
	t.Helper()
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		t.Fatalf("no %q", open)
	}
	in, _, ok := strings.Cut(rest, close)
	if !ok {
		t.Fatalf("no %q after %q", close, open)
	}
	return in
}

func TestRenderWithoutOptionalFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := results.WriteSummary(dir, knownSummary()); err != nil {
		t.Fatal(err)
	}
	out, err := Render(results.At(dir), RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(out.Missing, ",") != results.HistoryFile+","+results.ConversationsFile || len(out.Files) != 5 {
		t.Errorf("rendered %v, missing %v", out.Files, out.Missing)
	}
	rows := readCSVFile(t, filepath.Join(dir, results.HistoryCSVFile))
	if len(rows) != 1 {
		t.Errorf("history.csv without history: %d rows", len(rows))
	}
	if _, err := Render(results.At(t.TempDir()), RenderOptions{}); err == nil {
		t.Error("no error rendering a directory without summary.json")
	}
}

// writeRunFiles writes a run directory as Render reads it: the known
// summary and convs in conversations.jsonl.
func writeRunFiles(t *testing.T, dir string, convs ...*transcript.Conversation) {
	t.Helper()
	if err := results.WriteSummary(dir, knownSummary()); err != nil {
		t.Fatal(err)
	}
	j, err := results.CreateJSONL(filepath.Join(dir, results.ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		if err := j.Write(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRenderCapsTheTranscriptsFailuresFirst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var convs []*transcript.Conversation
	for i := range 10 {
		c := resultstest.Conversation(string(rune('a' + i)))
		c.StartedAt = c.StartedAt.Add(time.Duration(i) * time.Second)
		if i%4 == 3 {
			c.Outcome, c.Reason = transcript.Failed, transcript.ReasonReplyTimeout
		}
		convs = append(convs, c)
	}
	writeRunFiles(t, dir, convs...)
	c, err := collectConversations(results.At(dir), 4)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range c.shown() {
		ids = append(ids, s.ID)
	}
	// d and h failed; a and b are the first completed ones; by start time.
	if strings.Join(ids, "") != "abdh" || c.total != 10 {
		t.Errorf("shown %v of %d; want a b d h of 10", ids, c.total)
	}
	if _, err := Render(results.At(dir), RenderOptions{MaxConversations: 4}); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, results.HTMLFile))
	if !bytes.Contains(page, []byte(`"conversations_total":10`)) {
		t.Error("the page does not say how many conversations the run had")
	}
}

// Past the transcripts it shows, Render reads conversations without their
// texts (results.Dir.ScanConversationsSkimmed): it finds the same timings,
// leaks and divergences as when it shows every one, and the ones it shows
// are whole.
func TestRenderSkimsTheConversationsItDoesNotShow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var convs []*transcript.Conversation
	for i := range 40 {
		c := resultstest.Conversation(fmt.Sprintf("c%02d", i))
		if i%5 == 4 {
			c.Outcome, c.Reason = transcript.Failed, transcript.ReasonReplyTimeout
		}
		if i%7 == 6 {
			c.Turns[0].Crosstalk = []transcript.Leak{{User: i + 1, Field: "customer.cpf"}}
		}
		if i%9 == 8 {
			c.Replay = &transcript.Replay{Recording: "r", RecordedUser: i, DivergedAt: 1}
			c.Turns[0].Replay = &transcript.TurnReplay{Similarity: 0.2, Recorded: []transcript.Message{{Type: "text", Text: "recorded"}}}
		}
		convs = append(convs, c)
	}
	writeRunFiles(t, dir, convs...)
	few, err := collectConversations(results.At(dir), 2)
	if err != nil {
		t.Fatal(err)
	}
	all, err := collectConversations(results.At(dir), 100)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(few.histograms(), all.histograms()) || few.total != all.total {
		t.Errorf("showing 2 of %d, the histograms or total differ from showing all", all.total)
	}
	if !reflect.DeepEqual(few.leaks, all.leaks) || len(few.leaks) != 5 {
		t.Errorf("leaks showing 2: %+v\nshowing all: %+v (want 5)", few.leaks, all.leaks)
	}
	if !reflect.DeepEqual(few.divergences, all.divergences) || len(few.divergences) != 4 {
		t.Errorf("divergences showing 2: %+v\nshowing all: %+v (want 4)", few.divergences, all.divergences)
	}
	shown := few.shown()
	if len(shown) != 2 || shown[0].Outcome != transcript.Failed {
		t.Fatalf("%d shown, want the 2 first failed ones", len(shown))
	}
	for _, c := range shown {
		want := convs[slices.IndexFunc(convs, func(w *transcript.Conversation) bool { return w.ID == c.ID })]
		if c.ClientIdentifier != want.ClientIdentifier || !reflect.DeepEqual(c.Data, want.Data) ||
			c.Turns[0].Sent != want.Turns[0].Sent || !reflect.DeepEqual(c.Turns[0].Messages, want.Turns[0].Messages) {
			t.Errorf("shown conversation %s is not whole: %+v", c.ID, c)
		}
	}
}
