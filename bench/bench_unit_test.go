package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// TestWorkloadPlanLoads: the generated plan is a valid plan that says what
// the workload asked, so a benchmark never measures something else.
func TestWorkloadPlanLoads(t *testing.T) {
	t.Parallel()
	script, err := filepath.Abs("../personas/kataryna.script")
	if err != nil {
		t.Fatal(err)
	}
	w := Workload{Name: "accuracy-50", TargetURL: "http://127.0.0.1:9/v1/webhooks/widget", ScriptFile: script,
		Users: 1200, SpawnRate: 80.5, Duration: 15 * time.Second, ConversationsPerUser: 1,
		ThinkTime: 100 * time.Millisecond, ReplyTimeout: 10 * time.Second, MaxTurns: 14}
	path, err := WritePlan(t.TempDir(), w)
	if err != nil {
		t.Fatal(err)
	}
	p, diags := plan.Load(path, plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("generated plan does not load: %s\n%s", diags.Error(), w.HCL())
	}
	c := p.Conversation
	if p.Target.URL != w.TargetURL || p.Webhook.Listen != "127.0.0.1:0" || p.Target.Retries != 0 {
		t.Errorf("target %q, listen %q, retries %d", p.Target.URL, p.Webhook.Listen, p.Target.Retries)
	}
	if c.ThinkTime != plan.FixedWait(w.ThinkTime) || c.ReplySettle != 0 || c.Pacing != (plan.Wait{}) || c.ConversationsPerUser != 1 || c.MaxTurns != 14 {
		t.Errorf("conversation %+v does not match the workload", c)
	}
	st := p.Stages[0]
	if st.Users != 1200 || st.SpawnRate != 80.5 || st.Duration != 15*time.Second || len(p.Thresholds) != 2 {
		t.Errorf("stage %+v, %d thresholds", st, len(p.Thresholds))
	}
	u, err := p.NewUser(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Script) != ScriptTurns {
		t.Errorf("the persona's script has %d lines; ScriptTurns says %d", len(u.Script), ScriptTurns)
	}
}

// writeJSONL writes conversations as a run would.
func writeJSONL(t *testing.T, convs ...transcript.Conversation) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "conversations.jsonl")
	var b strings.Builder
	for _, c := range convs {
		line, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadTurnsAndErrors(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	msPtr := func(f float64) *float64 { return &f }
	stamp := t0.Add(10 * time.Millisecond) // the simulator sent the reply 10ms after the POST started
	conv := transcript.Conversation{ID: "a", Turns: []transcript.Turn{
		{N: 1, SentAt: t0, ReplyMS: msPtr(10.25), SimSentAt: &stamp}, // measured 250µs late
		{N: 2, SentAt: t0.Add(time.Second), ReplyMS: msPtr(3)},       // answered, no stamp
		{N: 3, SentAt: t0.Add(2 * time.Second)},                      // no reply
	}}
	turns, err := ReadTurns(writeJSONL(t, conv))
	if err != nil {
		t.Fatal(err)
	}
	if len(turns) != 3 {
		t.Fatalf("read %d turns; want 3", len(turns))
	}
	errs, unstamped := Errors(turns)
	if len(errs) != 1 || errs[0] != 250*time.Microsecond || unstamped != 1 {
		t.Errorf("errors %v, unstamped %d; want [250µs], 1", errs, unstamped)
	}
	if m := Measured(turns); len(m) != 2 || m[1] != 3*time.Millisecond {
		t.Errorf("measured %v; want the two answered turns", m)
	}
	if w := Within(turns, t0.Add(500*time.Millisecond), t0.Add(2*time.Second)); len(w) != 1 || w[0].Measured != 3*time.Millisecond {
		t.Errorf("within [0.5s, 2s): %+v; want turn 2 only", w)
	}
}

func TestReadTurnsRejectsACorruptLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "conversations.jsonl")
	if err := os.WriteFile(path, []byte("{\"turns\":[]}\n{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTurns(path); err == nil || !strings.Contains(err.Error(), ":2:") {
		t.Errorf("err = %v; want one naming line 2", err)
	}
}

func TestRateOf(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	var turns []Turn
	for i := range 30 { // 20 in the first second, 10 in the second, 0 in the third
		at := t0.Add(time.Duration(i) * 50 * time.Millisecond)
		turns = append(turns, Turn{SentAt: at})
	}
	turns = append(turns, Turn{SentAt: t0.Add(-time.Millisecond)}, Turn{SentAt: t0.Add(3 * time.Second)}) // outside
	r := RateOf(turns, t0, t0.Add(3*time.Second))
	if r.Avg != 10 || r.MinSec != 0 {
		t.Errorf("rate %+v; want avg 10, slowest second 0", r)
	}
}

func TestQuantileIsNearestRank(t *testing.T) {
	t.Parallel()
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i)*time.Microsecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 50, 0.9: 90, 0.99: 99, 1: 100, 0: 1, 0.001: 1} {
		if got := Quantile(s, q); got != want*time.Microsecond {
			t.Errorf("q%.3f = %s; want %s", q, got, want*time.Microsecond)
		}
	}
	d := DistOf([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond})
	if d.N != 3 || d.Min != 1000 || d.P50 != 2000 || d.Max != 3000 {
		t.Errorf("dist %+v", d)
	}
}

func TestJudgeAndTable(t *testing.T) {
	t.Parallel()
	r := Results{
		Machine:    Machine{NumCPU: 2, GoVersion: "go1.26.8", OS: "linux/amd64", Commit: "abc"},
		Throughput: &Throughput{Users: 256, DurationS: 60, Turns: 290_000, Steady: Rate{Avg: 4_900, MinSec: 4_100}, HDR: HDR{MaxRelErr: 0.001}},
		Accuracy: []Accuracy{
			{Level: 0.1, Error: Dist{N: 10, P99: 400}},
			{Level: 0.5, Error: Dist{N: 10, P99: 1200}},
			{Level: 0.9, Error: Dist{N: 10, P99: 9000}}, // no target above 50 %
		},
		Memory: &Memory{Conversations: 10_000, PerConvKiB: 27.5},
	}
	r.Judge()
	met := map[string]bool{}
	for _, tg := range r.Targets {
		met[tg.Name] = tg.Met
	}
	want := map[string]bool{
		"throughput, sustained":                 false, // 4,900 turns/s on average
		"throughput errors":                     true,
		"HDR percentiles vs exact":              true,
		"reply error p99 at 10 %":               true,
		"reply error p99 at 50 %":               false,
		"RSS per waiting conversation at 10000": true,
	}
	if len(met) != len(want) {
		t.Errorf("targets %v; want %v", met, want)
	}
	for name, w := range want {
		if got, ok := met[name]; !ok || got != w {
			t.Errorf("target %q met = %v (present %v); want %v", name, got, ok, w)
		}
	}
	var b strings.Builder
	if err := r.Table(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"throughput (256 users, 60s)", "accuracy at 90 %", "27.5 KiB", "MISSED"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, b.String())
		}
	}
}

// TestWebSocketWorkloadPlanLoads: the WebSocket memory run's plan loads
// and targets the simulator's WebSocket endpoint.
func TestWebSocketWorkloadPlanLoads(t *testing.T) {
	t.Parallel()
	script, err := filepath.Abs("../personas/kataryna.script")
	if err != nil {
		t.Fatal(err)
	}
	w := Workload{Name: "websocket-memory", TargetURL: "ws://127.0.0.1:9/v1/ws", ScriptFile: script, WebSocket: true,
		Users: 10, SpawnRate: 10, Duration: time.Second, ConversationsPerUser: 1, ReplyTimeout: 10 * time.Second, MaxTurns: 14}
	path, err := WritePlan(t.TempDir(), w)
	if err != nil {
		t.Fatal(err)
	}
	p, diags := plan.Load(path, plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("generated plan does not load: %s\n%s", diags.Error(), w.HCL())
	}
	if p.Target.ProtocolName() != "websocket" || p.Target.WebSocket.Connect.StaticURL() != w.TargetURL {
		t.Errorf("target %+v", p.Target)
	}
}
