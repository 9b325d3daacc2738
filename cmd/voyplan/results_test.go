package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/voyplan/voyplan/engine/report"
	"github.com/voyplan/voyplan/engine/results"
)

// artChromiumPath is Debian's chromium, which .ci/run installs.
const artChromiumPath = "/usr/bin/chromium"

// TestApplyLeavesEveryArtefact runs the offline demo plan, shortened with
// -t, through the CLI and checks each file it leaves: summary.json against
// its schema, the CSVs' headers and rows, junit.xml's cases, report.html in
// headless Chromium (charts drawn, transcripts browsable, no console error,
// no request leaving the page, a screenshot in the test's artefacts), then
// `voyplan report` rebuilding the rendered files and `voyplan compare` of
// the run with itself.
func TestApplyLeavesEveryArtefact(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	dir := filepath.Join(t.TempDir(), "run")
	code := ta.main([]string{"apply", "../../plans/local.hcl", "-t", "12s", "--graceful-stop", "5s", "--out", dir, "--quiet", "--log-level", "debug"})
	if code != exitOK && code != exitThreshold { // the verdict is not what this test is about
		t.Fatalf("apply: exit %d\n%s\n%s", code, ta.out.String(), ta.err.String())
	}
	sum := artCheckSummary(t, dir)
	samples := artCheckHistory(t, dir)
	artCheckCSVs(t, dir, samples)
	src, err := os.ReadFile("../../plans/local.hcl")
	if err != nil {
		t.Fatal(err)
	}
	artCheckJUnit(t, dir, sum, strings.Count(string(src), "\nthreshold \""))
	artCheckRunLog(t, dir)

	t.Run("html", func(t *testing.T) { artCheckHTMLInChromium(t, dir, sum) })
	t.Run("report rebuilds the rendered files", func(t *testing.T) { artCheckReportCommand(t, dir) })
	t.Run("a run compared with itself", func(t *testing.T) {
		ta := newTestApp(t)
		if code := ta.main([]string{"compare", dir, filepath.Join(dir, results.SummaryFile)}); code != exitOK {
			t.Fatalf("compare: exit %d\n%s\n%s", code, ta.out.String(), ta.err.String())
		}
		if !strings.Contains(ta.out.String(), "no regression") || strings.Contains(ta.out.String(), "REGRESSION") {
			t.Errorf("compare of a run with itself:\n%s", ta.out.String())
		}
	})
}

func artCheckSummary(t *testing.T, dir string) *results.Summary {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := results.ValidateSummary(raw); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	sum, err := results.ReadSummary(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Plan.Hash == "" || sum.Version == "" || sum.Metrics.Conversations.Succeeded == 0 {
		t.Errorf("summary: hash %q, version %q, %d completed", sum.Plan.Hash, sum.Version, sum.Metrics.Conversations.Succeeded)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["metrics"].(map[string]any)["webhook"]; !ok {
		t.Error("summary.json has no webhook counters")
	}
	return sum
}

func artCheckHistory(t *testing.T, dir string) int {
	t.Helper()
	h, err := results.ReadHistory(filepath.Join(dir, results.HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	// 12 s of stages and up to 5 s of draining: samples at 5, 10, 15 s and
	// the last, partial interval.
	if n := len(h.Samples); n < 3 || n > 5 {
		t.Fatalf("history has %d samples; want 3 to 5", n)
	}
	if h.IntervalMS != 5000 || h.Samples[0].ElapsedMS < 4900 || h.Samples[0].Users == 0 {
		t.Errorf("history: interval %v, first sample %+v", h.IntervalMS, h.Samples[0])
	}
	return len(h.Samples)
}

func artReadCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func artCheckCSVs(t *testing.T, dir string, samples int) {
	t.Helper()
	stats := artReadCSV(t, filepath.Join(dir, results.StatsCSVFile))
	if strings.Join(stats[0], ",") != strings.Join(report.StatsCSVHeader(), ",") || len(stats) != 6 {
		t.Errorf("stats.csv: header %v, %d rows; want 4 metrics and Aggregated", stats[0], len(stats)-1)
	}
	if stats[2][0] != "WEBHOOK" || stats[2][1] != "Voyager Webhook" || stats[2][2] == "0" || stats[5][1] != "Aggregated" {
		t.Errorf("stats.csv reply row: %v, last row %v", stats[2], stats[len(stats)-1])
	}
	hist := artReadCSV(t, filepath.Join(dir, results.HistoryCSVFile))
	if strings.Join(hist[0], ",") != strings.Join(report.HistoryCSVHeader(), ",") || len(hist) != 1+5*samples {
		t.Errorf("history.csv: header %v, %d rows; want %d samples × (4 metrics + Aggregated)", hist[0], len(hist)-1, samples)
	}
	fails := artReadCSV(t, filepath.Join(dir, results.FailuresCSVFile))
	if strings.Join(fails[0], ",") != strings.Join(report.FailuresCSVHeader(), ",") {
		t.Errorf("failures.csv: header %v", fails[0])
	}
}

// artJunitDoc is what CI systems read of junit.xml.
type artJunitDoc struct {
	Suites []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func artCheckJUnit(t *testing.T, dir string, sum *results.Summary, thresholds int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, results.JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc artJunitDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != thresholds || doc.Suites[0].Tests != thresholds {
		t.Fatalf("junit.xml: %d suites, cases %+v; want 1 suite of %d", len(doc.Suites), doc.Suites, thresholds)
	}
	for i, c := range doc.Suites[0].Cases {
		if c.Name != sum.Thresholds[i].Name || (c.Failure == nil) != sum.Thresholds[i].Pass {
			t.Errorf("case %d = %+v; threshold %+v", i, c, sum.Thresholds[i])
		}
	}
}

func artCheckRunLog(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, results.RunLogFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`msg="message sent"`, `msg="reply received"`, "text=", "Eu sou a Ana"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("run.log at debug lacks %q", want)
		}
	}
}

// artBrowserLog is what the page did that the test must see: console errors,
// exceptions, and every request.
type artBrowserLog struct {
	mu       sync.Mutex
	errors   []string
	requests []string
}

func (l *artBrowserLog) listen(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			l.errors = append(l.errors, fmt.Sprintf("console.%s: %s", ev.Type, artConsoleArgs(ev.Args)))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		desc := ""
		if d.Exception != nil {
			desc = d.Exception.Description
		}
		l.errors = append(l.errors, fmt.Sprintf("exception at %d:%d: %s %s", d.LineNumber, d.ColumnNumber, d.Text, desc))
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			l.errors = append(l.errors, fmt.Sprintf("%s %s: %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text))
		}
	case *network.EventRequestWillBeSent:
		l.requests = append(l.requests, ev.Request.URL)
	}
}

func artConsoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		parts = append(parts, string(a.Value)+a.Description)
	}
	return strings.Join(parts, " ")
}

func (l *artBrowserLog) snapshot() (errs, reqs []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errors...), append([]string(nil), l.requests...)
}

// artNewBrowser starts headless Chromium, or skips the test where it is
// missing and CI is not set (CI installs it and must run this).
func artNewBrowser(t *testing.T, bl *artBrowserLog) context.Context {
	t.Helper()
	if _, err := os.Stat(artChromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s not found: install Debian's chromium (apt-get install chromium) to render report.html; CI installs it and runs this test", artChromiumPath)
		}
		t.Fatalf("CI is set but %s is missing: .ci/run must install chromium", artChromiumPath)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(artChromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancel)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithListener(bl.listen))
	t.Cleanup(cancelCtx)
	if err := chromedp.Do(ctx); err != nil { // start the browser on this long-lived context
		t.Fatalf("cannot start chromium: %v", err)
	}
	return ctx
}

func artEvalIn[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func artCheckHTMLInChromium(t *testing.T, dir string, sum *results.Summary) {
	var bl artBrowserLog
	ctx := artNewBrowser(t, &bl)
	page := (&url.URL{Scheme: "file", Path: filepath.Join(dir, results.HTMLFile)}).String()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(page), chromedp.WaitVisible("#conversation-list .item")); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}

	if got := artEvalIn[string](t, tctx, `document.getElementById('verdict').textContent`); got != strings.ToUpper(sum.Verdict) {
		t.Errorf("verdict shown %q; want %q", got, strings.ToUpper(sum.Verdict))
	}
	if got := artEvalIn[int](t, tctx, `document.querySelectorAll('#thresholds tbody tr').length`); got != len(sum.Thresholds) {
		t.Errorf("%d threshold rows; want %d", got, len(sum.Thresholds))
	}
	artCheckChartsDrew(t, tctx)
	artCheckTranscripts(t, tctx, dir)

	shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil || cfg.Width < 1000 || cfg.Height < 1500 {
		t.Fatalf("screenshot: %v, %dx%d", err, cfg.Width, cfg.Height)
	}
	out := filepath.Join(t.ArtifactDir(), "report.png")
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", out)

	errs, reqs := bl.snapshot()
	for _, e := range errs {
		t.Errorf("browser: %s", e)
	}
	for _, r := range reqs {
		if u, err := url.Parse(r); err != nil || (u.Scheme != "file" && u.Scheme != "data" && u.Scheme != "about") {
			t.Errorf("the page made a request off the machine: %s", r)
		}
	}
	if len(reqs) == 0 {
		t.Error("no request seen at all: the network listener is not working")
	}
}

// artChartJS reads the uPlot chart drawn in the element of id %q: its
// canvases, its series (the x values left out), the values they hold, and
// how many of the canvas's pixels are painted in a series' colour — a line
// or a bar really drawn, not only a chart set up.
const artChartJS = `((id) => {
  const box = document.getElementById(id), u = box && box.uplot;
  const canvases = box ? box.querySelectorAll('.uplot canvas').length : 0;
  if (!u) return {canvases, series: 0, values: 0, painted: 0};
  const rgb = u.series.slice(1).map((s, i) => {
    const c = typeof s.stroke === 'function' ? s.stroke(u, i + 1) : s.stroke;
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c || '');
    return m ? [1, 2, 3].map(k => parseInt(m[k], 16)) : null;
  }).filter(Boolean);
  // read a copy, on a canvas made for reading, so that the page's own is
  // never read back (Chromium warns about that on the console)
  const cv = box.querySelector('.uplot canvas'), copy = document.createElement('canvas');
  copy.width = cv.width;
  copy.height = cv.height;
  const cc = copy.getContext('2d', {willReadFrequently: true});
  cc.drawImage(cv, 0, 0);
  const px = cc.getImageData(0, 0, cv.width, cv.height).data;
  let painted = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 200 && rgb.some(c => Math.abs(c[0] - px[i]) < 12 && Math.abs(c[1] - px[i + 1]) < 12 && Math.abs(c[2] - px[i + 2]) < 12)) painted++;
  }
  const values = u.data.slice(1).reduce((n, ys) => n + ys.filter(y => y !== null && y !== undefined).length, 0);
  return {canvases, series: u.series.length - 1, values, painted};
})(%q)`

// artChart is what artChartJS reads of a chart.
type artChart struct {
	Canvases int `json:"canvases"`
	Series   int `json:"series"`
	Values   int `json:"values"`
	Painted  int `json:"painted"`
}

func artChartIn(t *testing.T, ctx context.Context, id string) artChart {
	t.Helper()
	return artEvalIn[artChart](t, ctx, fmt.Sprintf(artChartJS, id))
}

// artCheckChartDrew: the chart in id is one uPlot canvas holding at least
// minValues values, with some of its series' pixels painted.
func artCheckChartDrew(t *testing.T, ctx context.Context, id string, minValues int) artChart {
	t.Helper()
	c := artChartIn(t, ctx, id)
	if c.Canvases != 1 || c.Values < minValues || c.Painted < 10 {
		t.Errorf("%s: %d uPlot canvases, %d values, %d pixels painted in its series' colours; want one canvas, %d values or more, some drawn",
			id, c.Canvases, c.Values, c.Painted, minValues)
	}
	return c
}

// artCheckChartsDrew checks the charts report.html draws: the four series
// over time (the reply latency's four percentiles), the histograms' bars.
func artCheckChartsDrew(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, id := range []string{"chart-users", "chart-conversations", "chart-latency", "chart-cost"} {
		artCheckChartDrew(t, ctx, id, 2)
	}
	if c := artChartIn(t, ctx, "chart-latency"); c.Series != 4 {
		t.Errorf("reply latency chart: %d series; want p50, p90, p95, p99", c.Series)
	}
	for _, id := range []string{"hist-reply", "hist-send", "hist-conversation"} {
		artCheckChartDrew(t, ctx, id, 1)
	}
	// with the cursor in the middle of the latency chart, its legend reads
	// out the time and the percentiles there
	vals := artEvalIn[[]string](t, ctx, `(() => {
  const u = document.getElementById('chart-latency').uplot;
  u.setCursor({left: u.bbox.width / uPlot.pxRatio / 2, top: 10});
  return Array.from(document.querySelectorAll('#chart-latency .u-legend .u-value')).map(e => e.textContent);
})()`)
	timed := 0
	for _, v := range vals[min(1, len(vals)):] {
		if strings.HasSuffix(v, " ms") || strings.HasSuffix(v, " s") {
			timed++
		}
	}
	if len(vals) != 5 || !strings.Contains(vals[0], ":") || timed == 0 {
		t.Errorf("latency legend at the cursor: %q; want the time and p50, p90, p95, p99", vals)
	}
	if n := artEvalIn[int](t, ctx, `document.querySelectorAll('.chart svg').length`); n != 0 {
		t.Errorf("%d SVG charts left; every chart is uPlot's", n)
	}
}

// artCheckTranscripts browses the conversations: every one listed, filters by
// outcome and persona, and a transcript with both sides' bubbles.
func artCheckTranscripts(t *testing.T, ctx context.Context, dir string) {
	t.Helper()
	convs, err := results.ReadJSONL(filepath.Join(dir, results.ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	byOutcome, byPersona := map[string]int{}, map[string]int{}
	for _, c := range convs {
		byOutcome[string(c.Outcome)]++
		byPersona[c.Persona]++
	}
	items := `document.querySelectorAll('#conversation-list .item').length`
	if n := artEvalIn[int](t, ctx, items); n != len(convs) {
		t.Errorf("%d conversations listed; want %d", n, len(convs))
	}
	filter := func(id, value string) int {
		return artEvalIn[int](t, ctx, fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event('change')); return %s; })()`, id, value, items))
	}
	if n := filter("filter-outcome", "completed"); n != byOutcome["completed"] {
		t.Errorf("outcome filter: %d listed; want %d completed", n, byOutcome["completed"])
	}
	filter("filter-outcome", "")
	if n := filter("filter-persona", "kataryna"); n != byPersona["kataryna"] {
		t.Errorf("persona filter: %d listed; want %d", n, byPersona["kataryna"])
	}
	me := artEvalIn[int](t, ctx, `document.querySelectorAll('#transcript .bubble.me').length`)
	them := artEvalIn[int](t, ctx, `document.querySelectorAll('#transcript .bubble.them').length`)
	if me == 0 || them == 0 {
		t.Errorf("transcript: %d customer and %d assistant bubbles", me, them)
	}
	filter("filter-persona", "")
	links := artEvalIn[int](t, ctx, `(() => { for (const it of document.querySelectorAll('#conversation-list .item')) { it.click(); const n = document.querySelectorAll('#transcript a.media').length; if (n) return n; } return 0; })()`)
	if links == 0 {
		t.Error("no image shown as a link in any transcript (the simulator sends one every 4th reply)")
	}
}

// artCheckReportCommand deletes the rendered files and has `voyplan report`
// write them again: the same CSVs and JUnit, and a report.html.
func artCheckReportCommand(t *testing.T, dir string) {
	rendered := []string{results.StatsCSVFile, results.HistoryCSVFile, results.JUnitFile, results.HTMLFile}
	before := map[string][]byte{}
	for _, f := range rendered {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		before[f] = b
	}
	copyDir := filepath.Join(t.TempDir(), "copy")
	if err := os.MkdirAll(copyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{results.SummaryFile, results.HistoryFile, results.ConversationsFile} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(copyDir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ta := newTestApp(t)
	if code := ta.main([]string{"report", copyDir}); code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, ta.err.String())
	}
	if ta.err.Len() > 0 {
		t.Errorf("report warned: %s", ta.err.String())
	}
	for _, f := range rendered {
		b, err := os.ReadFile(filepath.Join(copyDir, f))
		if err != nil {
			t.Fatalf("report did not write %s: %v", f, err)
		}
		if f != results.HTMLFile && !bytes.Equal(b, before[f]) {
			t.Errorf("%s rendered again differs from apply's", f)
		}
		if !strings.Contains(ta.out.String(), filepath.Join(copyDir, f)) {
			t.Errorf("report did not list %s:\n%s", f, ta.out.String())
		}
	}
}
