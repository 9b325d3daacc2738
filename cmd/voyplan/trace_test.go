package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voyplan/voyplan/engine/llm/llmtest"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/sim"
	"github.com/voyplan/voyplan/engine/tracing"
	"github.com/voyplan/voyplan/engine/tracing/tracingtest"
	"github.com/voyplan/voyplan/engine/transcript"
)

// headerRecorder is the simulator behind a recorder of the trace headers
// of every message it was sent.
type headerRecorder struct {
	sim    *sim.Server
	mu     sync.Mutex
	parent []string // traceparent of each request
	state  []string // tracestate of each request
}

func (h *headerRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.parent = append(h.parent, r.Header.Get("traceparent"))
	h.state = append(h.state, r.Header.Get("tracestate"))
	h.mu.Unlock()
	h.sim.ServeHTTP(w, r)
}

// tracePlan is a Gemini persona (the loopback stand-in plays the
// customer) that completes, and a script persona that runs out of lines
// after one turn, against the simulator at assistant, answering on a
// loopback receiver; extra is appended (an output block).
func tracePlan(t *testing.T, assistant, gemini, extra string) string {
	t.Helper()
	prompt, err := filepath.Abs("../../personas/edman.txt")
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`
plan "traced" { seed = 7 }
target "voyager" {
  url           = "%s/v1/webhooks/widget"
  channel_id    = "68e4464832ec9940d9993a12"
  client_domain = "@stw.ai"
}
webhook {
  listen = "127.0.0.1:0"
  tunnel = "none"
}
llm "gemini" {
  model           = "gemini-2.5-flash"
  api_key         = "fake-test-secret-5"
  base_url        = %q
  thinking_budget = 0
}
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}
persona "edman" {
  llm    = "gemini"
  prompt = templatefile(%q, { customer = data.customer })
}
persona "brief" { script = ["Olá"] }
conversation {
  reply_timeout          = "10s"
  reply_settle           = "20ms"
  conversations_per_user = 1
}
stage "s" {
  users      = 4
  spawn_rate = 100
  duration   = "30s"
}
%s`, assistant, gemini, prompt, extra)
	path := filepath.Join(t.TempDir(), "traced.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestApplyTracesEveryConversation runs an offline plan against the
// simulator with an output "otlp" block whose endpoint comes from
// OTEL_EXPORTER_OTLP_ENDPOINT, into a loopback OTLP/HTTP receiver: one
// trace per conversation, a span per turn with its figures, the LLM
// generation, send and reply spans under it; conversations.jsonl's trace
// and span ids are those, and every message the assistant got carried a
// traceparent of its conversation's trace and its send span.
func TestApplyTracesEveryConversation(t *testing.T) {
	t.Parallel()
	rcv := tracingtest.NewReceiver(t)
	s := sim.New(sim.Options{Latency: 5 * time.Millisecond, Seed: 7})
	defer s.Close()
	rec := &headerRecorder{sim: s}
	assistant := httptest.NewServer(rec)
	defer assistant.Close()
	gemini := llmtest.New(walk)
	defer gemini.Close()
	path := tracePlan(t, assistant.URL, gemini.URL, `output "otlp" {
  headers    = { Authorization = "Bearer fake-test-secret-1" }
  tracestate = "voyplan=load-test"
}`)
	ta := newTestApp(t)
	if code := ta.main([]string{"plan", path}); code != exitOK ||
		!strings.Contains(ta.out.String(), "traces: one per conversation, OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT with Authorization") ||
		strings.Contains(ta.out.String(), "fake-test-secret-1") {
		t.Errorf("voyplan plan: exit %d, want the traces line without the header's value:\n%s", code, ta.out.String())
	}
	ta = newTestApp(t)
	ta.environ = append(ta.environ, tracing.EnvEndpoint+"="+rcv.URL())
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main([]string{"apply", path, "--out", out, "--quiet"}); code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, ta.err.String())
	}
	stderr := ta.err.String()
	if want := "tracing every conversation to " + rcv.URL() + "/v1/traces (OTLP/HTTP with Authorization)"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	dir, err := results.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	convs, err := dir.ReadConversations()
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != 4 {
		t.Fatalf("%d conversations; want 4", len(convs))
	}
	spans := rcv.Spans() // apply returns once the export is done
	checkTraces(t, convs, spans)
	checkAssistantHeaders(t, rec, spans)
	for _, h := range rcv.Headers() {
		if h.Get("Authorization") != "Bearer fake-test-secret-1" {
			t.Fatalf("an export without the block's header: %v", h)
		}
	}
	for _, f := range []string{results.RunLogFile, results.SummaryFile, "report.html"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "fake-test-secret-1") {
			t.Errorf("%s carries the exporter's header value", f)
		}
	}
	if strings.Contains(stderr, "fake-test-secret-1") {
		t.Error("stderr carries the exporter's header value")
	}
	t.Run("report.html shows the trace ids", func(t *testing.T) { checkReportTraceIDs(t, out, convs) })
}

// checkReportTraceIDs opens report.html in headless Chromium and shows
// each conversation: its transcript names its trace, and each customer
// message its turn's span.
func checkReportTraceIDs(t *testing.T, out string, convs []transcript.Conversation) {
	var bl artBrowserLog
	ctx := artNewBrowser(t, &bl)
	page := (&url.URL{Scheme: "file", Path: filepath.Join(out, results.HTMLFile)}).String()
	tctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(page), chromedp.WaitVisible("#conversation-list .item")); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	shown := artEvalIn[[]string](t, tctx, `Array.from(document.querySelectorAll('#conversation-list .item')).map(it => { it.click();
	  const tr = document.querySelector('#transcript .trace'); const feet = Array.from(document.querySelectorAll('#transcript .bubble.me .foot')).map(f => f.textContent);
	  return (tr ? tr.textContent : '') + ' | ' + feet.join(' | '); })`)
	if len(shown) != len(convs) {
		t.Fatalf("%d conversations listed; want %d", len(shown), len(convs))
	}
	for _, c := range convs {
		found := false
		for _, s := range shown {
			if strings.HasPrefix(s, "trace "+c.TraceID+" | ") {
				found = true
				for _, turn := range c.Turns {
					if !strings.Contains(s, "span "+turn.SpanID) {
						t.Errorf("conversation %s turn %d: span %s not shown in %q", c.ID, turn.N, turn.SpanID, s)
					}
				}
			}
		}
		if !found {
			t.Errorf("conversation %s: trace %s not shown; shown %q", c.ID, c.TraceID, shown)
		}
	}
	if errs, _ := bl.snapshot(); len(errs) > 0 {
		t.Errorf("browser errors: %v", errs)
	}
}

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// checkTraces: one trace per conversation, its root, turns, and their
// children, matching the transcripts.
func checkTraces(t *testing.T, convs []transcript.Conversation, spans []tracingtest.Span) {
	t.Helper()
	byTrace := map[string][]tracingtest.Span{}
	byID := map[string]tracingtest.Span{}
	for _, s := range spans {
		byTrace[s.TraceID] = append(byTrace[s.TraceID], s)
		byID[s.SpanID] = s
		if s.TraceState != "voyplan=load-test" {
			t.Errorf("span %s has tracestate %q", s.Name, s.TraceState)
		}
	}
	if len(byTrace) != len(convs) {
		t.Errorf("%d traces for %d conversations", len(byTrace), len(convs))
	}
	for _, c := range convs {
		if !hexID.MatchString(c.TraceID) {
			t.Fatalf("conversation %s has trace id %q", c.ID, c.TraceID)
		}
		count := map[string]int{}
		for _, s := range byTrace[c.TraceID] {
			count[s.Name]++
			if s.Name == "conversation" && (s.ParentID != "" || s.Attrs["voyplan.conversation.id"] != c.ID ||
				s.Attrs["voyplan.outcome"] != string(c.Outcome) || s.Attrs["voyplan.persona"] != c.Persona) {
				t.Errorf("conversation %s (%s) has root %+v", c.ID, c.Outcome, s)
			}
		}
		if count["conversation"] != 1 || count["send"] != len(c.Turns) || count["reply"] != len(c.Turns) {
			t.Errorf("conversation %s (%s, %d turns) has spans %v", c.ID, c.Persona, len(c.Turns), count)
		}
		generated := 0 // the opening is not generated
		for _, turn := range c.Turns {
			if turn.LLM != nil {
				generated++
			}
		}
		if c.Persona == "edman" && (generated == 0 || count["llm"] != generated || c.Outcome != transcript.Completed) {
			t.Errorf("edman's conversation %s (%s, %d turns) has spans %v", c.ID, c.Outcome, len(c.Turns), count)
		}
		if c.Persona == "brief" && (count["llm"] != 0 || count["turn"] != 2 || c.Reason != transcript.ReasonScriptExhausted) {
			t.Errorf("brief's conversation %s (%s %s) has spans %v; want 2 turns, no llm", c.ID, c.Outcome, c.Reason, count)
		}
		for _, turn := range c.Turns {
			checkTurnSpan(t, c, turn, byID)
		}
	}
	parent := map[string]string{"conversation": "", "turn": "conversation", "llm": "turn", "send": "turn", "reply": "turn"}
	for _, s := range spans {
		if want, ok := parent[s.Name]; !ok || byID[s.ParentID].Name != want || (want != "" && byID[s.ParentID].TraceID != s.TraceID) {
			t.Errorf("span %s's parent is %q", s.Name, byID[s.ParentID].Name)
		}
	}
}

// checkTurnSpan: the turn's span is its record's, with its figures.
func checkTurnSpan(t *testing.T, c transcript.Conversation, turn transcript.Turn, byID map[string]tracingtest.Span) {
	t.Helper()
	s, ok := byID[turn.SpanID]
	if !ok || s.Name != "turn" || s.TraceID != c.TraceID {
		t.Errorf("conversation %s turn %d: span id %q is not a turn of its trace (%+v)", c.ID, turn.N, turn.SpanID, s)
		return
	}
	a := s.Attrs
	if a["voyplan.turn"] != int64(turn.N) || a["voyplan.persona"] != c.Persona || a["voyplan.send_ms"] != turn.SendMS ||
		turn.ReplyMS == nil || a["voyplan.reply_ms"] != *turn.ReplyMS || a["http.response.status_code"] != int64(turn.Status) {
		t.Errorf("conversation %s turn %d: attributes %v; record send %v reply %v status %d", c.ID, turn.N, a, turn.SendMS, turn.ReplyMS, turn.Status)
	}
	if turn.LLM != nil && a["voyplan.llm_ms"] != turn.LLM.MS {
		t.Errorf("conversation %s turn %d: llm_ms %v; record %v", c.ID, turn.N, a["voyplan.llm_ms"], turn.LLM.MS)
	}
	want := tracing.OutcomeReplied
	if c.Outcome == transcript.Completed && turn.N == len(c.Turns) {
		want = string(transcript.Completed)
	}
	if a["voyplan.outcome"] != want {
		t.Errorf("conversation %s turn %d: outcome %v; want %s", c.ID, turn.N, a["voyplan.outcome"], want)
	}
}

// checkAssistantHeaders: every message carried the traceparent of a send
// span (trace and parent id), and the configured tracestate.
func checkAssistantHeaders(t *testing.T, rec *headerRecorder, spans []tracingtest.Span) {
	t.Helper()
	sends := map[string]tracingtest.Span{}
	for _, s := range spans {
		if s.Name == "send" {
			sends[s.SpanID] = s
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.parent) != len(sends) || len(sends) == 0 {
		t.Errorf("the assistant got %d messages for %d send spans", len(rec.parent), len(sends))
	}
	for i, tp := range rec.parent {
		parts := strings.Split(tp, "-")
		if len(parts) != 4 || parts[0] != "00" || parts[3] != "01" {
			t.Errorf("message %d: traceparent %q", i, tp)
			continue
		}
		if s, ok := sends[parts[2]]; !ok || s.TraceID != parts[1] {
			t.Errorf("message %d: traceparent %q names no send span of its trace", i, tp)
		}
		if rec.state[i] != "voyplan=load-test" {
			t.Errorf("message %d: tracestate %q", i, rec.state[i])
		}
	}
}

// TestApplyWithAnUnreachableCollector: nothing listens at the endpoint;
// the run completes, warns on the terminal, and still writes trace ids.
func TestApplyWithAnUnreachableCollector(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	ta := newTestApp(t)
	ta.environ = append(ta.environ, tracing.EnvEndpoint+"=http://"+addr, tracing.EnvHeaders+"=X-Key=fake-test-secret-6")
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main([]string{"apply", writePlan(t, `["Olá"]`, oneStage), "--out", out, "--quiet"}); code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, ta.err.String())
	}
	stderr := ta.err.String()
	for _, want := range []string{"voyplan: warning: cannot export traces: ", "(the run goes on)",
		"spans could not be exported to http://" + addr + "/v1/traces"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "fake-test-secret-6") {
		t.Errorf("stderr shows the header value:\n%s", stderr)
	}
	dir, err := results.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	convs, err := dir.ReadConversations()
	if err != nil || len(convs) == 0 {
		t.Fatalf("conversations: %d, %v", len(convs), err)
	}
	for _, c := range convs {
		if !hexID.MatchString(c.TraceID) || len(c.Turns) == 0 || len(c.Turns[0].SpanID) != 16 {
			t.Errorf("conversation %s: trace id %q, turns %+v", c.ID, c.TraceID, c.Turns)
		}
	}
}
