package main

import (
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	prompb "buf.build/gen/go/prometheus/prometheus/protocolbuffers/go"
	"github.com/klauspost/compress/snappy"
	"google.golang.org/protobuf/proto"

	"github.com/voyplan/voyplan/engine/live/livetest"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
)

// livePlan runs two personas against the in-process simulator: "buyer"
// completes, "brief" runs out of lines after its first message (failed,
// script_exhausted). extra is appended (an output block).
func livePlan(t *testing.T, extra string) string {
	t.Helper()
	src := fmt.Sprintf(`
plan "live" { seed = 5 }
simulator { latency = "5ms" }
target "sim" {}
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("example.com")
  cpf   = cpf()
}
persona "buyer" { script = %s }
persona "brief" { script = ["Olá"] }
conversation {
  reply_timeout          = "5s"
  reply_settle           = "20ms"
  conversations_per_user = 1
}
stage "s" {
  users      = 6
  spawn_rate = 100
  duration   = "30s"
}
%s`, kataryna(t), extra)
	path := filepath.Join(t.TempDir(), "live.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestApplyPushesLiveMetricsToPrometheus runs an offline plan with
// --prometheus-rw into Debian's Prometheus on loopback and reads the
// run's series back through its query API: each count equals summary.json's.
func TestApplyPushesLiveMetricsToPrometheus(t *testing.T) {
	t.Parallel()
	prom := livetest.Start(t)
	ta := newTestApp(t)
	ta.environ = append(ta.environ, RunIDEnv+"=rw-test")
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main([]string{"apply", livePlan(t, ""), "--out", out, "--quiet", "--prometheus-rw", prom.WriteURL(),
		"--metrics-listen", "127.0.0.1:0"}); code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, ta.err.String())
	}
	for _, want := range []string{"pushing live metrics to " + prom.WriteURL(), "live metrics on http://127.0.0.1:"} {
		if !strings.Contains(ta.err.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, ta.err.String())
		}
	}
	sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := sum.Metrics
	if m.Conversations.Succeeded == 0 || m.Conversations.Failed == 0 {
		t.Fatalf("the plan should both complete and fail conversations: %+v", m.Conversations)
	}
	run := `{run_id="rw-test",plan="live",segment="1/1"}`
	timed := func(count, failed, censored int64) float64 { return float64(count - failed + censored) }
	checks := []struct {
		q    string
		want float64
	}{
		{"sum(voyplan_conversations_started_total" + run + ")", float64(m.Conversations.Started)},
		{"sum(voyplan_conversations_completed_total" + run + ")", float64(m.Conversations.Succeeded)},
		{"sum(voyplan_conversations_failed_total" + run + ")", float64(m.Conversations.Failed)},
		{`sum(voyplan_conversations_failed_total{run_id="rw-test",reason="script_exhausted"})`, float64(m.Conversations.Reasons["script_exhausted"])},
		{"sum(voyplan_turns_total" + run + ")", float64(m.Conversations.Turns)},
		{"sum(voyplan_conversations_in_flight" + run + ")", 0},
		{"sum(voyplan_users" + run + ")", 0},
		{`sum(voyplan_operations_total{run_id="rw-test",operation="send"})`, float64(m.Send.Count)},
		{`sum(voyplan_operations_total{run_id="rw-test",operation="reply"})`, float64(m.Reply.Count)},
		{"sum(voyplan_send_duration_seconds_count" + run + ")", timed(m.Send.Count, m.Send.Failed, m.Send.Censored)},
		{"sum(voyplan_reply_duration_seconds_count" + run + ")", timed(m.Reply.Count, m.Reply.Failed, m.Reply.Censored)},
		{`sum(voyplan_reply_duration_seconds_bucket{run_id="rw-test",le="+Inf"})`, timed(m.Reply.Count, m.Reply.Failed, m.Reply.Censored)},
		{"sum(voyplan_conversation_duration_seconds_count" + run + ")", timed(m.Conversation.Count, m.Conversation.Failed, m.Conversation.Censored)},
		{"sum(voyplan_webhook_received_total" + run + ")", float64(m.Webhook.Received)},
	}
	for name, c := range m.Personas {
		checks = append(checks, struct {
			q    string
			want float64
		}{`sum(voyplan_conversations_started_total{run_id="rw-test",persona="` + name + `"})`, float64(c.Started)})
	}
	for _, c := range checks {
		prom.WaitValue(t, c.q, time.Minute, func(v float64) bool { return v == c.want })
	}
}

// rwReceiver is a loopback remote-write receiver that decodes each push
// and keeps the Authorization header it came with.
type rwReceiver struct {
	mu     sync.Mutex
	pushes int
	auth   []string
	series int
}

func (rc *rwReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	raw, err := snappy.Decode(nil, body)
	var req prompb.WriteRequest
	if err == nil {
		err = proto.Unmarshal(raw, &req)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.pushes++
	rc.auth = append(rc.auth, r.Header.Get("Authorization"))
	rc.series = len(req.Timeseries)
	w.WriteHeader(http.StatusNoContent)
}

// TestOutputBlockPushesWithItsHeadersAndNeverShowsThem runs a plan whose
// output "prometheus" block carries an Authorization header: every push
// has it, and no result file, log line or terminal line holds it.
func TestOutputBlockPushesWithItsHeadersAndNeverShowsThem(t *testing.T) {
	t.Parallel()
	const secret = "Bearer fake-test-secret-rw-0123456789"
	rc := &rwReceiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ta := newTestApp(t)
	ta.environ = append(ta.environ, "RW_AUTH="+secret)
	block := fmt.Sprintf(`output "prometheus" {
  url      = %q
  interval = "100ms"
  headers  = { Authorization = env("RW_AUTH") }
}`, srv.URL+"/push")
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main([]string{"apply", livePlan(t, block), "--out", out, "--quiet"}); code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, ta.err.String())
	}
	rc.mu.Lock()
	pushes, auth, series := rc.pushes, append([]string(nil), rc.auth...), rc.series
	rc.mu.Unlock()
	if pushes < 1 || series == 0 {
		t.Fatalf("%d pushes, the last of %d series; want at least the final one", pushes, series)
	}
	for i, a := range auth {
		if a != secret {
			t.Fatalf("push %d carried Authorization %q; want the block's", i, a)
		}
	}
	texts := []string{ta.out.String(), ta.err.String()}
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		texts = append(texts, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range texts {
		if leak := leaksRun(text, secret); leak != "" {
			t.Errorf("a header value shows: %q in\n%.400s", leak, text)
		}
	}
}

func TestRemoteWriteHeadersGoOnlyToTheBlocksOrigin(t *testing.T) {
	t.Parallel()
	p := &plan.Plan{Prometheus: &plan.Prometheus{URL: "https://rw.example.com/push", Interval: time.Second,
		Headers: map[string]string{"Authorization": "fake-test-secret-3"}}}
	tests := []struct {
		flag, url string
		headers   bool
	}{
		{"", "https://rw.example.com/push", true},
		{"https://rw.example.com/other", "https://rw.example.com/other", true},
		{"http://rw.example.com/push", "http://rw.example.com/push", false},
		{"https://elsewhere.example.com/push", "https://elsewhere.example.com/push", false},
	}
	for _, tt := range tests {
		rw, ok := (&liveFlags{rw: tt.flag}).remoteWrite(p)
		if !ok || rw.URL != tt.url || (rw.Headers != nil) != tt.headers || rw.Interval != time.Second {
			t.Errorf("--prometheus-rw %q: %+v; want url %s, headers %v", tt.flag, rw, tt.url, tt.headers)
		}
	}
	if _, ok := (&liveFlags{}).remoteWrite(&plan.Plan{}); ok {
		t.Error("a plan without an output block and no flag pushes")
	}
}

// A --metrics-listen port in use stops apply before the run, leaving no
// results directory behind.
func TestMetricsListenPortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	code := ta.main([]string{"apply", livePlan(t, ""), "--out", out, "--quiet", "--metrics-listen", ln.Addr().String()})
	if code != exitError || !strings.Contains(ta.err.String(), "cannot serve the metrics on "+ln.Addr().String()) {
		t.Fatalf("exit %d, stderr %q; want 1 and the address in use", code, ta.err.String())
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err == nil {
		t.Error("a run that never started left a summary")
	}
}

// voyplan plan shows where the live metrics go and the headers' names,
// never their values.
func TestPlanShowsTheOutputWithoutHeaderValues(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	ta.environ = append(ta.environ, "RW_AUTH=Bearer fake-test-secret-plan-0123456789")
	block := `output "prometheus" {
  url     = "https://rw.example.com/api/v1/write"
  headers = { Authorization = env("RW_AUTH") }
}`
	if code := ta.main([]string{"plan", livePlan(t, block)}); code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, ta.err.String())
	}
	want := "live metrics: Prometheus remote write to https://rw.example.com/api/v1/write every 5s with Authorization"
	if !strings.Contains(ta.out.String(), want) {
		t.Errorf("voyplan plan lacks %q:\n%s", want, ta.out.String())
	}
	if strings.Contains(ta.out.String()+ta.err.String(), "fake-test-secret-plan") {
		t.Error("voyplan plan shows a header value")
	}
}
