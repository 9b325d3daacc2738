package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voyplan/voyplan/engine/results"
)

// TestWhatsAppExamplePlan applies plans/examples/whatsapp.hcl as it is:
// the simulator's Cloud API bot passes the verify_token handshake, checks
// every delivery's signature, answers through the Graph API stand-in with
// the bearer token, and every conversation ends on the payment button.
// None of the three secrets reaches the output or the results.
func TestWhatsAppExamplePlan(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	code := ta.main([]string{"apply", "../../plans/examples/whatsapp.hcl", "--out", out, "--log-level", "debug"})
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, ta.out.String(), ta.err.String())
	}
	raw, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := results.ValidateSummary(raw); err != nil {
		t.Errorf("summary.json: %v", err)
	}
	sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c := sum.Metrics.Conversations; c.Started != 4 || c.Succeeded != 4 {
		t.Errorf("conversations %+v, want 4 started and succeeded", c)
	}
	wa := sum.Metrics.WhatsApp
	if wa.Deliveries != sum.Metrics.Conversations.Turns || wa.ReadMarks != wa.Deliveries || wa.Interactive != 4 ||
		wa.Messages != wa.Text+wa.Media+wa.Interactive+wa.Templates || wa.GraphCalls != wa.Messages+wa.ReadMarks ||
		wa.AuthFailures+wa.SignatureRefused+wa.UnknownRecipients+wa.Malformed != 0 {
		t.Errorf("whatsapp %+v over %d turns", wa, sum.Metrics.Conversations.Turns)
	}
	stats, err := os.ReadFile(filepath.Join(out, "stats.csv"))
	if sum.Plan.Protocol != "whatsapp" || err != nil || !strings.Contains(ta.out.String(), "WhatsApp Delivery") ||
		!strings.Contains(string(stats), "GRAPH,Graph API Reply,") || strings.Contains(ta.out.String()+string(stats), "Voyager") {
		t.Errorf("a WhatsApp run's rows are not named for its requests (plan.protocol %q, %v):\n%s\n%s", sum.Plan.Protocol, err, ta.out.String(), stats)
	}
	if wa.Statuses != 3*wa.Messages || wa.StatusFailed != 0 || sum.Metrics.Channel.OutOfOrder != 0 {
		t.Errorf("whatsapp %+v, channel %+v: want sent, delivered and read for each of the bot's messages, in order, all taken",
			wa, sum.Metrics.Channel)
	}
	if !strings.Contains(ta.out.String(), "WhatsApp: ") || !strings.Contains(ta.out.String(), "graph_auth") {
		t.Errorf("the verdict lacks the WhatsApp line or the graph_auth threshold:\n%s", ta.out.String())
	}
	if !strings.Contains(ta.err.String(), "the bot's Graph API base URL is http://127.0.0.1:") {
		t.Errorf("the Graph API base URL is not announced:\n%s", ta.err.String())
	}
	jsonl, err := os.ReadFile(filepath.Join(out, "conversations.jsonl"))
	if err != nil || !strings.Contains(string(jsonl), `"type":"button","text":"Pagar com Pix","link":"https://pay.smarttalks.ai/`) ||
		!strings.Contains(string(jsonl), `"reply_to":"wamid.`) {
		t.Errorf("the transcripts lack the payment button or the replies' context (%v)", err)
	}
	for _, secret := range []string{"fake-test-secret-1", "fake-test-token-1", "fake-verify-1"} {
		checkNoSecret(t, secret, ta.out.Bytes(), ta.err.Bytes(), out)
	}
}

// TestWhatsAppBotWithoutTokenFails: the simulator's bot that calls the
// Graph API without the bearer token gets no conversation through, and
// the run fails its thresholds (exit 2).
func TestWhatsAppBotWithoutTokenFails(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../../plans/examples/whatsapp.hcl")
	if err != nil {
		t.Fatal(err)
	}
	plan := strings.Replace(string(src), `latency     = "50ms"`, "latency = \"50ms\"\n  wa_no_token = true", 1)
	plan = strings.Replace(plan, `reply_timeout          = "10s"`, `reply_timeout = "1s"`, 1)
	path := filepath.Join(t.TempDir(), "wa.hcl")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(plan, "../../personas/", mustAbs(t, "../../personas")+"/")), 0o600); err != nil {
		t.Fatal(err)
	}
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main([]string{"apply", path, "--out", out, "--quiet"}); code != exitThreshold {
		t.Fatalf("exit %d, want %d\n%s", code, exitThreshold, ta.err.String())
	}
	sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c := sum.Metrics.Conversations; c.Succeeded != 0 || c.Failed != 4 {
		t.Errorf("conversations %+v, want all 4 failed", c)
	}
	if wa := sum.Metrics.WhatsApp; wa.AuthFailures == 0 || wa.Messages != 0 {
		t.Errorf("whatsapp %+v: want the bot's calls refused for their missing token", wa)
	}
	jsonl, err := os.ReadFile(filepath.Join(out, "conversations.jsonl"))
	if err != nil || strings.Count(string(jsonl), `"error":"no reply within 1s: the Graph API stand-in refused `) != 4 ||
		!strings.Contains(string(jsonl), "OAuthException 190: the bot sent no bearer token or a wrong one") {
		t.Errorf("the transcripts do not say why no reply came (%v)", err)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// whatsappVariant writes plans/examples/whatsapp.hcl with each of edits
// applied (old → new) and the personas' paths made absolute.
func whatsappVariant(t *testing.T, edits ...string) string {
	t.Helper()
	src, err := os.ReadFile("../../plans/examples/whatsapp.hcl")
	if err != nil {
		t.Fatal(err)
	}
	plan := string(src)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(plan, edits[i]) {
			t.Fatalf("the example has no %q", edits[i])
		}
		plan = strings.Replace(plan, edits[i], edits[i+1], 1)
	}
	path := filepath.Join(t.TempDir(), "wa.hcl")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(plan, "../../personas/", mustAbs(t, "../../personas")+"/")), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWhatsAppDuplicateReplies: every message is re-delivered after its
// reply (channel_faults); the simulator's idempotent bot ignores the
// copies, its non-idempotent one answers them again, and the threshold
// channel.duplicate_replies == 0 catches it (exit 2).
func TestWhatsAppDuplicateReplies(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		knob     string
		wantCode int
	}{
		{"idempotent", "", exitOK},
		{"not idempotent", "wa_not_idempotent = true", exitThreshold},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := whatsappVariant(t,
				`latency     = "50ms"`, "latency = \"50ms\"\n  "+tt.knob,
				`profile_name    = data.customer.name`, "profile_name = data.customer.name\n  channel_faults {\n    redeliver_rate = 1\n  }",
				`threshold "success" {`, "threshold \"no_double_answers\" {\n  check = \"channel.duplicate_replies == 0\"\n}\n\nthreshold \"success\" {",
				`check = "conversations.success_rate >= 0.95"`, `check = "conversations.started == 4"`,
				// A part of a reply later than the settle reads as an answer to
				// the copy that follows it: on a loaded machine, 150 ms is short.
				`reply_settle           = "150ms"`, `reply_settle = "1s"`)
			ta := newTestApp(t)
			out := filepath.Join(t.TempDir(), "out")
			if code := ta.main([]string{"apply", path, "--out", out}); code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, ta.out.String(), ta.err.String())
			}
			sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			ch, turns := sum.Metrics.Channel, sum.Metrics.Conversations.Turns
			t.Logf("%s: %d turns, channel %+v, conversations %+v", tt.name, turns, ch, sum.Metrics.Conversations)
			if ch.Redelivered == 0 || ch.Redelivered > turns {
				t.Errorf("redelivered %d over %d turns: want every answered message re-delivered once", ch.Redelivered, turns)
			}
			if caught := ch.DuplicateReplies > 0; caught != (tt.wantCode == exitThreshold) {
				t.Errorf("duplicate replies %d", ch.DuplicateReplies)
			}
			if !strings.Contains(ta.out.String(), "Channel faults: ") {
				t.Errorf("the verdict lacks the channel line:\n%s", ta.out.String())
			}
		})
	}
}

// TestWhatsAppChannelFaults: every message re-delivered, every copy and
// status held back until a later delivery went out, every delivery
// delayed: the copies (but the last of each conversation, still held when
// it ends) reach the idempotent bot after the next message, counted out of
// order with the statuses; the counters reach summary.json, the verdict
// table and report.html's channel table.
func TestWhatsAppChannelFaults(t *testing.T) {
	t.Parallel()
	path := whatsappVariant(t,
		`profile_name    = data.customer.name`, "profile_name = data.customer.name\n  channel_faults {\n    redeliver_rate = 1\n    reorder_rate = 1\n    delay = \"10ms\"\n  }",
		`threshold "success" {`, "threshold \"in_order\" {\n  check = \"channel.out_of_order == 0\"\n}\n\nthreshold \"success\" {",
		`reply_settle           = "150ms"`, `reply_settle = "1s"`) // as in TestWhatsAppDuplicateReplies
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main([]string{"apply", path, "--out", out}); code != exitThreshold {
		t.Fatalf("exit %d, want %d (channel.out_of_order == 0 fails)\n%s\n%s", code, exitThreshold, ta.out.String(), ta.err.String())
	}
	sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	ch, wa, c := sum.Metrics.Channel, sum.Metrics.WhatsApp, sum.Metrics.Conversations
	t.Logf("channel %+v; whatsapp %+v; conversations %+v", ch, wa, c)
	if c.Succeeded != 4 || ch.Redelivered != c.Turns-4 || ch.DuplicateReplies != 0 || ch.OutOfOrder < ch.Redelivered ||
		ch.Delayed < c.Turns+ch.Redelivered+wa.Statuses || wa.Statuses != 3*wa.Messages {
		t.Errorf("want every conversation through, a copy of each message but the last, each out of order, every delivery delayed")
	}
	for _, line := range []string{"Channel faults: ", " statuses webhooks (0 not taken)", "in_order"} {
		if !strings.Contains(ta.out.String(), line) {
			t.Errorf("the verdict lacks %q:\n%s", line, ta.out.String())
		}
	}
	checkChannelTable(t, out, ch.OutOfOrder)
}

// checkChannelTable opens the run's report.html in Chromium and reads
// its channel table.
func checkChannelTable(t *testing.T, dir string, outOfOrder int64) {
	var bl artBrowserLog
	ctx := artNewBrowser(t, &bl)
	page := (&url.URL{Scheme: "file", Path: filepath.Join(dir, results.HTMLFile)}).String()
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(page), chromedp.WaitVisible("#channel")); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	row := artEvalIn[string](t, tctx, `Array.from(document.querySelectorAll('#channel tbody tr')).map(r => r.textContent).find(t => t.startsWith('channel.out_of_order')) || ''`)
	if !strings.HasSuffix(row, strconv.FormatInt(outOfOrder, 10)) {
		t.Errorf("report.html's channel.out_of_order row %q, want %d", row, outOfOrder)
	}
	if n := artEvalIn[int](t, tctx, `document.querySelectorAll('#channel tbody tr').length`); n != 22 {
		t.Errorf("%d rows in the channel table, want the 18 whatsapp and 4 channel counters", n)
	}
	if errs, _ := bl.snapshot(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
