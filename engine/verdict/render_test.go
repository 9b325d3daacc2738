package verdict

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./engine/verdict -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test ./engine/verdict -update if intended):\n%s", name, path, got)
	}
}

func results(t *testing.T, s metrics.Snapshot, checks ...string) []Result {
	t.Helper()
	var ths []*plan.Threshold
	for i := 0; i < len(checks); i += 2 {
		ths = append(ths, threshold(t, checks[i], checks[i+1]))
	}
	return Evaluate(ths, s)
}

func TestRender(t *testing.T) {
	t.Parallel()
	s := snapshot()
	passing := []string{
		"success", "conversations.success_rate >= 0.9",
		"reply_p95", "reply.p95 < duration('30s')",
		"budget", "cost.usd <= 1.0",
	}
	failing := []string{
		"success", "conversations.success_rate >= 0.95",
		"reply_p95", "reply.p95 < duration('30s')",
		"budget", "cost.usd <= 1.0",
	}
	withLLM := s
	withLLM.LLM = metrics.Latency{Count: 120, Failed: 1, ErrorRate: 1.0 / 120, Min: 300 * time.Millisecond, Avg: 640200 * time.Microsecond, P50: 600 * time.Millisecond, P90: 900 * time.Millisecond, P95: time.Second, P99: 1500 * time.Millisecond, Max: 2 * time.Second}
	withLLM.LLMWait = metrics.Latency{Count: 120, Min: 0, Avg: 12500 * time.Microsecond, P50: 0, P90: 40 * time.Millisecond, P95: 60 * time.Millisecond, P99: 250 * time.Millisecond, Max: 300 * time.Millisecond}
	withLLM.Cost.ThinkingTokens = 512
	withLLM.Personas = map[string]metrics.Conversations{}
	for name, c := range s.Personas {
		c.Cost = metrics.Cost{USD: 0.002, InputTokens: 6000, OutputTokens: 100}
		if name == "kataryna" {
			c.SimulatorDrift, c.DataMismatch, c.Cost.USD = 3, 1, 0.002668
		}
		withLLM.Personas[name] = c
	}
	censored := censoredSnapshot()
	leaked := s
	leaked.Conversations.Crosstalk = 3
	tests := []struct {
		name string
		s    metrics.Snapshot
		rs   []Result
		o    RenderOptions
	}{
		{name: "pass", s: s, rs: results(t, s, passing...)},
		{name: "fail", s: s, rs: results(t, s, failing...)},
		{name: "fail_color", s: s, rs: results(t, s, failing...), o: RenderOptions{Color: true}},
		{name: "interrupted", s: s, rs: results(t, s, passing...), o: RenderOptions{Interrupted: true, Elapsed: 93 * time.Second}},
		{name: "llm", s: withLLM, rs: results(t, withLLM, "budget", "cost.usd <= 1.0"), o: RenderOptions{LLMName: "gemini"}},
		{name: "empty", s: metrics.Snapshot{}},
		{name: "whatsapp", s: s, rs: results(t, s, passing...), o: RenderOptions{Protocol: "whatsapp"}},
		{name: "crosstalk", s: leaked, rs: results(t, leaked, "no_crosstalk", "conversations.crosstalk == 0"), o: RenderOptions{Color: true}},
		{name: "censored", s: censored, rs: results(t, censored,
			"reply_p95", "reply.p95 < duration('1s')", "reply_ok_p95", "reply_ok.p95 < duration('1s')")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := Render(&b, tt.s, tt.rs, tt.o); err != nil {
				t.Fatal(err)
			}
			if !tt.o.Color && strings.Contains(b.String(), "\x1b[") {
				t.Error("ANSI escape in output rendered without color")
			}
			golden(t, "render_"+tt.name, b.Bytes())
		})
	}
}

func TestVerdictLine(t *testing.T) {
	t.Parallel()
	pass, fail := Result{Name: "a", Pass: true}, Result{Name: "b"}
	tests := []struct {
		name string
		rs   []Result
		o    RenderOptions
		want string
	}{
		{"all held", []Result{pass, pass, pass}, RenderOptions{}, "PASS — all 3 thresholds held"},
		{"one held", []Result{pass}, RenderOptions{}, "PASS — 1 threshold held"},
		{"none", nil, RenderOptions{}, "PASS — no thresholds to check"},
		{"one failed", []Result{pass, fail, pass}, RenderOptions{}, "FAIL — 1 of 3 thresholds failed: b"},
		{"interrupted", []Result{pass}, RenderOptions{Interrupted: true, Elapsed: 90500 * time.Millisecond}, "PASS — 1 threshold held — INTERRUPTED after 1m31s: results are partial"},
		{"interrupted at once", []Result{fail}, RenderOptions{Interrupted: true}, "FAIL — 1 of 1 threshold failed: b — INTERRUPTED: results are partial"},
		{"color", []Result{fail}, RenderOptions{Color: true}, "\x1b[31mFAIL\x1b[0m — 1 of 1 threshold failed: b"},
		{"steered and stopped by hand", []Result{pass}, RenderOptions{Interrupted: true, Elapsed: 25 * time.Second, Steering: []transcript.Steer{{Action: transcript.SteerUsers, From: 6, To: 10, Elapsed: 12500 * time.Millisecond}, {Action: transcript.SteerStop, Elapsed: 25200 * time.Millisecond}}},
			"PASS — 1 threshold held — STEERED by hand: users 6→10 at 0:12, stop at 0:25 — INTERRUPTED after 25s: results are partial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := VerdictLine(tt.rs, tt.o); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestRenderReportsWriteErrors(t *testing.T) {
	t.Parallel()
	if err := Render(failWriter{}, snapshot(), nil, RenderOptions{}); err == nil {
		t.Fatal("Render swallowed a write error")
	}
}

// censoredSnapshot is the run the issue saw, through a real Recorder: 95
// replies at 240-249 ms and 17 that timed out after 2 s, and one POST that
// timed out after 30 s.
func censoredSnapshot() metrics.Snapshot {
	r := metrics.NewRecorder(nil)
	for i := range 112 {
		r.Send(3*time.Millisecond, true)
		if i < 95 {
			r.Reply(240*time.Millisecond+time.Duration(i%10)*time.Millisecond, true)
			continue
		}
		r.ReplyTimedOut(2 * time.Second)
	}
	r.SendTimedOut(30 * time.Second)
	for range 17 {
		r.Error("reply_timeout", "no reply within 2s")
	}
	r.Error("send_error", "timed out")
	return r.Snapshot(time.Minute)
}

// A run that lost results has an INVALID line wherever the line is told —
// the terminal and the live page alike — even when every threshold held.
func TestVerdictLineInvalid(t *testing.T) {
	t.Parallel()
	held := []Result{{Name: "ok", Pass: true}}
	o := RenderOptions{Invalid: "3 conversations could not be recorded: no space left on device", Interrupted: true}
	if got, want := VerdictLine(held, o), "INVALID — 3 conversations could not be recorded: no space left on device"; got != want {
		t.Errorf("VerdictLine = %q, want %q", got, want)
	}
	o.Color = true
	if got := VerdictLine(held, o); !strings.HasPrefix(got, "\x1b[31mINVALID\x1b[0m — ") {
		t.Errorf("coloured: %q", got)
	}
}
