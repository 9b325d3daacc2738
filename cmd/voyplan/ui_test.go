package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voyplan/voyplan/engine/dashboard"
	"github.com/voyplan/voyplan/engine/results"
)

func TestUIFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		on   bool
		addr string
		pos  []string
		err  string
	}{
		{"off", []string{"plan.hcl"}, false, "", []string{"plan.hcl"}, ""},
		{"alone, last", []string{"plan.hcl", "--ui"}, true, dashboard.DefaultAddr, []string{"plan.hcl"}, ""},
		{"alone, before the plan", []string{"--ui", "plan.hcl"}, true, dashboard.DefaultAddr, []string{"plan.hcl"}, ""},
		{"an address after it", []string{"plan.hcl", "--ui", "127.0.0.1:0", "-t", "40s"}, true, "127.0.0.1:0", []string{"plan.hcl"}, ""},
		{"a port only", []string{"--ui", ":9000", "plan.hcl"}, true, ":9000", []string{"plan.hcl"}, ""},
		{"with =", []string{"-ui=0.0.0.0:8089", "plan.hcl"}, true, "0.0.0.0:8089", []string{"plan.hcl"}, ""},
		{"not an address", []string{"--ui=localhost", "plan.hcl"}, false, "", nil, "--ui wants an address"},
		{"after --", []string{"--", "--ui", "1.2.3.4:5"}, false, "", []string{"--ui", "1.2.3.4:5"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &app{stdout: &strings.Builder{}, stderr: &strings.Builder{}}
			root := a.rootCmd()
			args := normalizeArgs(root, append([]string{"apply"}, tt.args...))
			cmd, rest, err := root.Find(args)
			if err == nil {
				err = cmd.ParseFlags(rest)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v; want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u := cmd.Flags().Lookup("ui").Value.(*uiFlag)
			if pos := cmd.Flags().Args(); u.on != tt.on || (tt.on && u.addr != tt.addr) || !reflect.DeepEqual(pos, tt.pos) {
				t.Errorf("on %v addr %q args %q; want %v %q %q", u.on, u.addr, pos, tt.on, tt.addr, tt.pos)
			}
		})
	}
}

// A dashboard port in use stops apply before anything starts.
func TestUIPortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	code := ta.main([]string{"apply", "../../plans/local.hcl", "--ui", ln.Addr().String(), "--out", out, "--quiet"})
	if code != exitError || !strings.Contains(ta.err.String(), "cannot serve the dashboard on "+ln.Addr().String()) {
		t.Fatalf("exit %d\n%s", code, ta.err.String())
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the results directory was created: %v", err)
	}
}

var dashboardURL = regexp.MustCompile(`live dashboard at (http://\S+)`)

// TestDashboardInChromium runs the offline demo with --ui as a real
// process and drives its page in headless Chromium: the counters move, the
// users are raised from the page, the inspector and a live transcript
// open, then the stop button ends the run with exit 130 and the results on
// disk say it was steered. A steering request without the token is 403.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	bin := buildVoyplan(t)
	out := filepath.Join(t.TempDir(), "out")
	p := startProc(t, bin, nil, "apply", "../../plans/local.hcl", "--ui", "127.0.0.1:0", "-t", "10m", "--out", out, "--quiet") // the stop button ends it
	page := waitForDashboard(t, p)
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + u.Host
	checkSteeringRefused(t, base, u.Query().Get("token"))

	var bl artBrowserLog
	ctx := artNewBrowser(t, &bl)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(page), chromedp.WaitVisible("#kpi-started")); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	uiCountersMove(t, tctx)
	uiRaiseUsers(t, tctx, 9)
	uiInspectorAndTranscript(t, tctx)
	artCheckChartsDrewLive(t, tctx)
	uiScreenshot(t, tctx)

	if err := chromedp.Do(tctx, chromedp.Click("#stop")); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 60*time.Second); code != exitInterrupted {
		t.Fatalf("exit %d after the page's stop; want 130\nstdout:\n%s\nstderr:\n%s", code, p.stdout.String(), p.stderr.String())
	}
	uiWaitText(t, tctx, "#phase", "over")
	checkSteeredResults(t, out, p)

	errs, reqs := bl.snapshot()
	for _, e := range errs {
		t.Errorf("browser: %s", e)
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r, base+"/") && !strings.HasPrefix(r, "data:") {
			t.Errorf("the page made a request elsewhere: %s", r)
		}
	}

	// report.html says the run was steered, with the same script.
	reportURL := (&url.URL{Scheme: "file", Path: filepath.Join(out, "report.html")}).String()
	if err := chromedp.Do(tctx, chromedp.Navigate(reportURL), chromedp.WaitVisible("#verdict")); err != nil {
		t.Fatal(err)
	}
	if got := uiText(t, tctx, "#steered"); got != "STEERED BY HAND" {
		t.Errorf("report.html header: %q; want the STEERED BY HAND tag", got)
	}
}

func waitForDashboard(t *testing.T, p *proc) string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := dashboardURL.FindStringSubmatch(p.stderr.String()); m != nil {
			return m[1]
		}
		select {
		case <-p.done:
			t.Fatalf("voyplan ended before serving the dashboard\n%s", p.stderr.String())
		default:
		}
	}
	t.Fatalf("no dashboard URL printed\n%s", p.stderr.String())
	return ""
}

// checkSteeringRefused: without the token, or from another site's page, a
// steering request is refused with 403 and changes nothing.
func checkSteeringRefused(t *testing.T, base, token string) {
	t.Helper()
	post := func(path string, h map[string]string) int {
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(`{"users": 1}`))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{"/api/stop", "/api/users"} {
		if code := post(path, nil); code != http.StatusForbidden {
			t.Errorf("POST %s without the token: %d; want 403", path, code)
		}
		if code := post(path, map[string]string{dashboard.TokenHeader: token, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); code != http.StatusForbidden {
			t.Errorf("POST %s from another site: %d; want 403", path, code)
		}
	}
}

func uiText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return artEvalIn[string](t, ctx, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ''`, sel))
}

func uiNumber(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(uiText(t, ctx, sel), ",", ""))
	if err != nil {
		return -1
	}
	return n
}

// uiWait polls cond every 100ms for up to d.
func uiWait(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("after %v: %s", d, what)
}

func uiWaitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	uiWait(t, 30*time.Second, sel+" never showed "+want, func() bool { return strings.Contains(strings.ToLower(uiText(t, ctx, sel)), want) })
}

// uiCountersMove: the page's figures change without a reload.
func uiCountersMove(t *testing.T, ctx context.Context) {
	t.Helper()
	uiWaitText(t, ctx, "#phase", "running")
	turns := func() int { return uiNumber(t, ctx, "#requests tbody tr:first-child td:nth-child(3)") }
	first := turns()
	uiWait(t, 30*time.Second, "the POST count never moved", func() bool { return turns() > first && first >= 0 })
	uiWait(t, 30*time.Second, "no conversation completed", func() bool { return uiNumber(t, ctx, "#kpi-completed") > 0 })
	if n := uiNumber(t, ctx, "#kpi-started"); n < 6 {
		t.Errorf("%d conversations started shown; the plan's 6 users each started one", n)
	}
	if n := artEvalIn[int](t, ctx, `document.querySelectorAll('#thresholds tbody tr').length`); n != 3 {
		t.Errorf("%d threshold rows; want local.hcl's 3", n)
	}
}

// uiRaiseUsers sets the target from the page and waits for the users.
func uiRaiseUsers(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	set := fmt.Sprintf(`(() => { const i = document.getElementById('users-input'); i.value = '%d'; i.dispatchEvent(new Event('input')); document.getElementById('set-users').click(); return true; })()`, n)
	artEvalIn[bool](t, ctx, set)
	uiWait(t, 20*time.Second, fmt.Sprintf("active users never reached %d", n), func() bool { return uiNumber(t, ctx, "#kpi-users") == n })
	if got := uiText(t, ctx, "#steering"); !strings.Contains(got, fmt.Sprintf("users 6→%d", n)) || !strings.Contains(got, "dashboard") {
		t.Errorf("steering log on the page: %q", got)
	}
	if got := uiText(t, ctx, "#steer-msg"); !strings.Contains(got, fmt.Sprintf("6 → %d", n)) {
		t.Errorf("steering message: %q", got)
	}
}

// uiInspectorAndTranscript opens a callback, then its conversation.
func uiInspectorAndTranscript(t *testing.T, ctx context.Context) {
	t.Helper()
	uiWait(t, 10*time.Second, "no callback in the inspector", func() bool {
		return artEvalIn[int](t, ctx, `document.querySelectorAll('#cb-rows tr[data-seq]').length`) > 0
	})
	artEvalIn[bool](t, ctx, `(() => { document.querySelector('#cb-rows tr[data-seq]').click(); return true; })()`)
	body := uiText(t, ctx, "#cb-body")
	if !strings.Contains(body, `"messages"`) || !strings.Contains(body, "\n  ") {
		t.Errorf("callback body not shown pretty-printed: %q", body)
	}
	if got := uiText(t, ctx, "#cb-detail"); !strings.Contains(got, "Content-Type") || strings.Contains(got, "/hooks/") {
		t.Errorf("callback detail: %q", got)
	}
	conv := artEvalIn[string](t, ctx, `(() => { const a = document.querySelector('#cb-rows a.conv'); a.click(); return a.title; })()`)
	if got := artEvalIn[int](t, ctx, `document.querySelectorAll('#cb-rows tr[data-seq]').length`); got == 0 {
		t.Error("filtering the inspector by the callback's conversation shows nothing")
	}
	uiWait(t, 10*time.Second, "the conversation's transcript never opened", func() bool {
		return strings.Contains(uiText(t, ctx, "#transcript"), conv) && artEvalIn[int](t, ctx, `document.querySelectorAll('#transcript .bubble.me').length`) > 0
	})
	artEvalIn[bool](t, ctx, `(() => { const f = document.getElementById('cb-filter'); f.value = ''; f.dispatchEvent(new Event('input')); return true; })()`)
}

// artCheckChartsDrewLive: the report's four charts, drawn live by uPlot.
func artCheckChartsDrewLive(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, id := range []string{"chart-users", "chart-conversations", "chart-latency", "chart-cost"} {
		artCheckChartDrew(t, ctx, id, 2)
	}
}

// uiScreenshot saves, once the run has gone on for 20 s (so the charts
// have a shape), the top of the page, the live conversations and the
// inspector, and the whole page, in the test's artefacts.
func uiScreenshot(t *testing.T, ctx context.Context) {
	t.Helper()
	uiWait(t, 40*time.Second, "the clock never reached 0:20", func() bool {
		var m, s int
		_, err := fmt.Sscanf(uiText(t, ctx, "#clock"), "%d:%d", &m, &s)
		return err == nil && m*60+s >= 20
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1400), chromedp.ScrollIntoView("#head")); err != nil {
		t.Fatal(err)
	}
	shots := map[string]chromedp.Action[[]byte]{
		"dashboard.png":           chromedp.CaptureScreenshot(),
		"dashboard-inspector.png": chromedp.Screenshot("#inspector"),
		"dashboard-live.png":      chromedp.Screenshot("#live-conversations"),
		"dashboard-full.jpg":      chromedp.FullScreenshot(90),
	}
	dir := t.ArtifactDir()
	for name, action := range shots {
		b, err := chromedp.Run(ctx, action)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
}

// checkSteeredResults: the results on disk say the run was steered by hand
// and stopped from the page.
func checkSteeredResults(t *testing.T, out string, p *proc) {
	t.Helper()
	sum := checkAccountedOnDisk(t, out, readConversationsStrict(t, out))
	if !sum.Interrupted || len(sum.Steering) != 2 || sum.StopReason != results.StopDashboard {
		t.Fatalf("summary: interrupted %v, stop_reason %q, steering %+v", sum.Interrupted, sum.StopReason, sum.Steering)
	}
	raise, stop := sum.Steering[0], sum.Steering[1]
	if raise.Action != "users" || raise.From != 6 || raise.To != 9 || raise.By != "dashboard" || raise.Stage != "cli" {
		t.Errorf("steering[0] = %+v", raise)
	}
	if stop.Action != "stop" || stop.By != "dashboard" || stop.Elapsed <= raise.Elapsed {
		t.Errorf("steering[1] = %+v", stop)
	}
	raw, err := os.ReadFile(filepath.Join(out, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := results.ValidateSummary(raw); err != nil {
		t.Error(err)
	}
	html, err := os.ReadFile(filepath.Join(out, results.HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `"steering":[{`) {
		t.Error("report.html does not carry the steering (its header shows STEERED BY HAND from it)")
	}
	log, err := os.ReadFile(filepath.Join(out, results.RunLogFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), `msg="steered by hand"`); n != 2 {
		t.Errorf("run.log has %d steering lines; want 2", n)
	}
	if !strings.Contains(p.stdout.String(), "STEERED by hand: users 6→9 at ") || !strings.Contains(p.stdout.String(), "INTERRUPTED") {
		t.Errorf("verdict line does not say it was steered and interrupted:\n%s", p.stdout.String())
	}
	if !strings.Contains(p.stderr.String(), "stopped from the dashboard") {
		t.Errorf("stderr:\n%s", p.stderr.String())
	}
}
