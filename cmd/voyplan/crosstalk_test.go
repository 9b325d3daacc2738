package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voyplan/voyplan/engine/results"
)

// TestCrosstalkExample applies plans/examples/crosstalk.hcl as it is: the
// simulator leaks other conversations' names and links, the run fails on
// its no_crosstalk threshold with the red line above the verdict, and
// summary.json, the flagged turns and run.log agree — run.log and the
// output naming users, never the leaked values.
func TestCrosstalkExample(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main([]string{"apply", "../../plans/examples/crosstalk.hcl", "--out", out}); code != exitThreshold {
		t.Fatalf("exit %d, want %d (the no_crosstalk threshold fails)\nstdout:\n%s\nstderr:\n%s", code, exitThreshold, ta.out.String(), ta.err.String())
	}
	sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	convs, err := results.ReadJSONL(filepath.Join(out, "conversations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	logged, err := os.ReadFile(filepath.Join(out, "run.log"))
	if err != nil {
		t.Fatal(err)
	}
	var flagged int64
	for _, c := range convs {
		for _, turn := range c.Turns {
			if len(turn.Crosstalk) == 0 {
				continue
			}
			flagged++
			for _, l := range turn.Crosstalk {
				leaked := convs[0].Data // the leaked user's data, to be sure it is nowhere in the log
				for _, o := range convs {
					if o.User == l.User {
						leaked = o.Data
					}
				}
				if v := leaked["customer"]["name"]; strings.Contains(string(logged), v) || strings.Contains(ta.out.String()+ta.err.String(), v) {
					t.Errorf("user %d's name %q is in run.log or the output", l.User, v)
				}
			}
		}
	}
	n := sum.Metrics.Conversations.Crosstalk
	if n == 0 || n != flagged || int64(strings.Count(string(logged), "cross-talk: a reply carried")) != n {
		t.Errorf("conversations.crosstalk = %d, flagged turns %d, run.log lines %d: want the same, and some",
			n, flagged, strings.Count(string(logged), "cross-talk: a reply carried"))
	}
	if !strings.Contains(ta.out.String(), "CROSS-TALK — ") || !strings.Contains(ta.out.String(), "failed: no_crosstalk") {
		t.Errorf("the verdict lacks the cross-talk line or the failed threshold:\n%s", ta.out.String())
	}
	checkCrosstalkInChromium(t, out, flagged)
}

// checkCrosstalkInChromium opens report.html and reads its cross-talk
// section: one row per flagged reply, naming whose data by user number and
// field (artNewBrowser skips without chromium, and fails so under CI).
func checkCrosstalkInChromium(t *testing.T, dir string, flagged int64) {
	t.Helper()
	var bl artBrowserLog
	ctx := artNewBrowser(t, &bl)
	page := (&url.URL{Scheme: "file", Path: filepath.Join(dir, results.HTMLFile)}).String()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(page), chromedp.WaitVisible("#crosstalk")); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	rows := artEvalIn[[][]string](t, tctx, `Array.from(document.querySelectorAll('#crosstalk tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent))`)
	if int64(len(rows)) != flagged {
		t.Errorf("%d rows in the cross-talk section, want one per flagged reply (%d): %v", len(rows), flagged, rows)
	}
	for _, r := range rows {
		if len(r) != 5 || !strings.HasPrefix(r[4], "user ") {
			t.Errorf("cross-talk row %q: want conversation, user, persona, turn and whose data", r)
		}
	}
	if errs, _ := bl.snapshot(); len(errs) > 0 {
		t.Errorf("browser: %v", errs)
	}
}

// TestProcessNoCrosstalkOnACleanRun is the false-positive side of the
// cross-talk check: 2,000 customers through the simulator's whole flow —
// the order summary echoing each one's own name, phone, e-mail and CPF, a
// payment link sent to each, many sharing a first name and some a full
// name — and not one reply flagged. A built binary runs it, as
// TestProcessScale does: 24,000 turns without the race detector's cost.
func TestProcessNoCrosstalkOnACleanRun(t *testing.T) {
	t.Parallel()
	bin := buildVoyplan(t)
	script, err := filepath.Abs("../../personas/kataryna.script")
	if err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(t.TempDir(), "clean.hcl")
	src := fmt.Sprintf(`
plan "clean" { seed = 11 }
simulator { latency = "0s" }
target "sim" {}
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("example.com")
  cpf   = cpf()
}
persona "kataryna" { script = split("\n", trimspace(templatefile(%q, { customer = data.customer }))) }
conversation {
  reply_timeout          = "60s"
  reply_settle           = "0s"
  think_time             = "0s"
  conversations_per_user = 1
}
stage "all" {
  users      = 2000
  spawn_rate = 400
  duration   = "5m"
}
threshold "no_crosstalk" { check = "conversations.crosstalk == 0" }
`, script)
	if err := os.WriteFile(plan, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	p := startProc(t, bin, nil, "apply", plan, "--out", out, "--quiet")
	code := p.wait(t, 5*time.Minute)
	convs := readConversationsStrict(t, out)
	summaries := 0
	for _, c := range convs {
		for _, turn := range c.Turns {
			if len(turn.Crosstalk) > 0 {
				t.Errorf("user %d turn %d flagged %v on a clean run", c.User, turn.N, turn.Crosstalk)
			}
			for _, m := range turn.Messages {
				if strings.Contains(m.Text, c.Data["customer"]["email"]) {
					summaries++ // the reply echoed the customer's own data
				}
			}
		}
	}
	// A machine loaded to starvation loses a few callbacks (the
	// simulator's delivery times out): those conversations fail, and are
	// not what is tested; the replies that came are.
	if code != exitOK || len(convs) != 2000 || summaries < 1900 {
		t.Fatalf("exit %d, %d conversations, %d replies echoing the customer's data: want 0, 2000, nearly one each\nstdout:\n%s\nstderr:\n%s",
			code, len(convs), summaries, p.stdout.String(), tail(p.stderr.String()))
	}
}
