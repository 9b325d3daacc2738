package bench

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Flags of `go test -bench . ./bench` (after -args, or directly).
var (
	resultsFlag    = flag.String("bench.results", "", "write the results JSON here (default results.json; nothing with -short)")
	binFlag        = flag.String("bench.bin", "", "measure this voyplan binary instead of building ./cmd/voyplan")
	keepFlag       = flag.Bool("bench.keep", false, "keep the plans and the runs' result directories (their path is logged)")
	saturationFlag = flag.Float64("bench.saturation", 0, "turns/s at saturation for the accuracy runs (default: this run's throughput figure, or a short probe)")
)

// suite is what the benchmarks of one `go test` process share: the binary,
// built once, and the results they add up. TestMain owns it; it is the one
// package-level value, because benchmarks cannot be handed arguments.
type suite struct {
	once    sync.Once
	env     Env
	cleanup func()
	err     error

	mu  sync.Mutex // guards res: each benchmark adds its section
	res Results
}

var shared = &suite{}

func TestMain(m *testing.M) {
	flag.Parse()
	shared.res.Machine = ThisMachine()
	shared.res.Short = testing.Short()
	code := m.Run()
	if shared.cleanup != nil {
		shared.cleanup()
	}
	if code == 0 && shared.hasFigures() {
		if err := shared.report(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// setup builds voyplan once, into a scratch directory removed at the end.
func (s *suite) setup(b *testing.B) Env {
	b.Helper()
	s.once.Do(func() {
		dir, err := os.MkdirTemp("", "voyplan-bench-")
		if err != nil {
			s.err = err
			return
		}
		s.cleanup = func() { _ = os.RemoveAll(dir) }
		if *keepFlag {
			s.cleanup = func() { fmt.Fprintln(os.Stderr, "bench: runs kept in", dir) }
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		bin, err := *binFlag, error(nil)
		if bin == "" {
			bin, err = Build(ctx, dir)
		}
		if err != nil {
			s.err = err
			return
		}
		script, err := filepath.Abs(filepath.Join("..", "personas", "kataryna.script"))
		if err != nil {
			s.err = err
			return
		}
		s.env = Env{Bin: bin, Script: script, Dir: dir}
	})
	if s.err != nil {
		b.Fatal(s.err)
	}
	return s.env
}

func (s *suite) record(f func(r *Results)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.res)
}

func (s *suite) hasFigures() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &s.res
	return r.Throughput != nil || len(r.Accuracy) > 0 || r.Memory != nil || r.LLM != nil || r.Streaming != nil || r.WSMemory != nil
}

// report judges the targets, prints the table and writes the results file.
func (s *suite) report() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &s.res
	r.Machine.LoadEnd = LoadAvg()
	if !r.Short { // tiny loads say nothing about the targets
		r.Judge()
	}
	fmt.Println()
	if err := r.Table(os.Stdout); err != nil {
		return err
	}
	path := *resultsFlag
	if path == "" && !r.Short {
		path = "results.json"
	}
	if path == "" {
		return nil
	}
	fmt.Printf("\nresults: %s\n", path)
	return r.Write(path)
}

func (s *suite) saturation() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.res.Throughput; t != nil && t.Steady.Avg > 0 {
		return t.Steady.Avg
	}
	return *saturationFlag
}

// hideNsPerOp drops the ns/op column: one iteration is a whole run.
func hideNsPerOp(b *testing.B) { b.ReportMetric(0, "ns/op") }

// BenchmarkThroughput: completed turns per second at saturation and the
// voyplan process's CPU per turn (issue 6: ≥ 5,000 turns/s for 60 s, no
// errors).
func BenchmarkThroughput(b *testing.B) {
	env := shared.setup(b)
	c := ThroughputConfig{Users: 256, Duration: 62 * time.Second} // 60 s after the 2 s ramp
	if testing.Short() {
		c = ThroughputConfig{Users: 16, Duration: 2 * time.Second}
	}
	var t *Throughput
	for b.Loop() {
		var err error
		ctx, cancel := context.WithTimeout(context.Background(), c.Duration+2*time.Minute)
		t, err = env.RunThroughput(ctx, c)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	checkThroughput(b, t)
	hideNsPerOp(b)
	b.ReportMetric(t.Steady.Avg, "turns/s")
	b.ReportMetric(t.Steady.MinSec, "min-turns/s")
	b.ReportMetric(t.CPUPerTurn, "cpu-µs/turn")
	b.ReportMetric(t.HDR.MaxRelErr*100, "hdr-err-%")
	shared.record(func(r *Results) { r.Throughput = t })
}

// checkThroughput fails a run that did not do what it was asked: these are
// behaviour checks, never timings.
func checkThroughput(b *testing.B, t *Throughput) {
	b.Helper()
	if t.Turns == 0 || t.SendErrors != 0 || t.NoReply != 0 {
		b.Fatalf("throughput run: %d turns, %d send errors, %d missing replies", t.Turns, t.SendErrors, t.NoReply)
	}
	if t.Reply.N != int(t.Turns) {
		b.Errorf("conversations.jsonl holds %d answered turns, summary.json counts %d turns", t.Reply.N, t.Turns)
	}
}

// BenchmarkAccuracy: measured minus true reply latency at 10, 50 and 90 %
// of the saturation rate (issue 6: p99 ≤ 1 ms up to 50 %).
func BenchmarkAccuracy(b *testing.B) {
	env := shared.setup(b)
	sat := shared.saturation()
	if sat <= 0 {
		sat = probeSaturation(b, env)
	}
	c := AccuracyConfig{Saturation: sat, Delay: 10 * time.Millisecond, Think: 100 * time.Millisecond, Duration: 15 * time.Second}
	if testing.Short() {
		c.Duration, c.Saturation = 2*time.Second, min(sat, 2000)
	}
	for _, level := range []float64{0.10, 0.50, 0.90} {
		c.Level = level
		b.Run(fmt.Sprintf("load=%.0f%%", 100*level), func(b *testing.B) {
			a := runAccuracy(b, env, c)
			hideNsPerOp(b)
			b.ReportMetric(a.Achieved.Avg, "turns/s")
			b.ReportMetric(a.Error.P50, "err-p50-µs")
			b.ReportMetric(a.Error.P99, "err-p99-µs")
			b.ReportMetric(float64(a.LateStarts), "late-starts")
			shared.record(func(r *Results) { r.Accuracy = setLevel(r.Accuracy, *a) })
		})
	}
}

// setLevel puts a in place of an earlier run at its level (-count > 1).
func setLevel(as []Accuracy, a Accuracy) []Accuracy {
	for i := range as {
		if as[i].Level == a.Level {
			as[i] = a
			return as
		}
	}
	return append(as, a)
}

func runAccuracy(b *testing.B, env Env, c AccuracyConfig) *Accuracy {
	var a *Accuracy
	for b.Loop() {
		var err error
		ctx, cancel := context.WithTimeout(context.Background(), c.Duration+2*time.Minute)
		a, err = env.RunAccuracy(ctx, c)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	if a.Error.N == 0 || a.Unstamped != 0 {
		b.Fatalf("accuracy run: %d stamped turns, %d unstamped", a.Error.N, a.Unstamped)
	}
	// Up to half the saturation rate nothing may fail; beyond, errors are a
	// figure of the table, not a broken benchmark.
	if c.Level <= 0.5 && a.SendErrors+a.NoReply != 0 {
		b.Fatalf("accuracy run at %.0f %%: %d send errors, %d missing replies", 100*c.Level, a.SendErrors, a.NoReply)
	}
	return a
}

// probeSaturation measures the saturation rate briefly when the
// throughput benchmark did not run in this process and none was given.
func probeSaturation(b *testing.B, env Env) float64 {
	c := ThroughputConfig{Users: 256, Duration: 10 * time.Second}
	if testing.Short() {
		c = ThroughputConfig{Users: 16, Duration: 2 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t, err := env.RunThroughput(ctx, c)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("saturation probe: %.0f turns/s", t.Steady.Avg)
	return t.Steady.Avg
}

// BenchmarkMemory: peak RSS of the voyplan process per conversation with
// 10,000 conversations waiting on 5-second replies (issue 6: ≤ 32 KiB).
func BenchmarkMemory(b *testing.B) {
	env := shared.setup(b)
	c := MemoryConfig{Conversations: 10_000, SpawnRate: 2000, Delay: 5 * time.Second, Hold: 5 * time.Second}
	if testing.Short() {
		c = MemoryConfig{Conversations: 300, SpawnRate: 300, Delay: time.Second, Hold: time.Second}
	}
	var m *Memory
	for b.Loop() {
		var err error
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		m, err = env.RunMemory(ctx, c)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	if m.Conversations != c.Conversations || m.InFlightAtEnd != int64(c.Conversations) || m.SendErrors != 0 {
		b.Fatalf("memory run: %d started, %d in flight at the end, %d send errors; want %d, %d, 0",
			m.Conversations, m.InFlightAtEnd, m.SendErrors, c.Conversations, c.Conversations)
	}
	hideNsPerOp(b)
	b.ReportMetric(m.PerConvKiB, "KiB/conv")
	b.ReportMetric(m.MaxRSSMiB, "peak-MiB")
	shared.record(func(r *Results) { r.Memory = m })
}

// BenchmarkWebSocketMemory: peak RSS of the voyplan process per
// conversation with 2,000 conversations each holding an open WebSocket
// connection to the simulator, waiting 5 s for its reply's first frame
// (issue 13: memory per open WebSocket conversation). No target: a figure
// for BENCH.md beside BenchmarkMemory's widget API conversations.
func BenchmarkWebSocketMemory(b *testing.B) {
	env := shared.setup(b)
	c := MemoryConfig{Conversations: 2000, SpawnRate: 1000, Delay: 5 * time.Second, Hold: 5 * time.Second, WebSocket: true}
	if testing.Short() {
		c = MemoryConfig{Conversations: 100, SpawnRate: 100, Delay: time.Second, Hold: time.Second, WebSocket: true}
	}
	var m *Memory
	for b.Loop() {
		var err error
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		m, err = env.RunMemory(ctx, c)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	if m.Conversations != c.Conversations || m.InFlightAtEnd != int64(c.Conversations) || m.SendErrors != 0 {
		b.Fatalf("websocket memory run: %d started, %d in flight at the end, %d send errors; want %d, %d, 0",
			m.Conversations, m.InFlightAtEnd, m.SendErrors, c.Conversations, c.Conversations)
	}
	hideNsPerOp(b)
	b.ReportMetric(m.PerConvKiB, "KiB/conv")
	b.ReportMetric(m.MaxRSSMiB, "peak-MiB")
	shared.record(func(r *Results) { r.WSMemory = m })
}

// BenchmarkLLM: persona generations per second through the real genai SDK
// against a zero-latency loopback Gemini stand-in, and the engine's overhead
// per call. In process: the stand-in is the project's llmtest.
func BenchmarkLLM(b *testing.B) {
	prompt, err := os.ReadFile(filepath.Join("..", "personas", "kataryna.txt"))
	if err != nil {
		b.Fatal(err)
	}
	c := LLMConfig{Calls: 6000, Concurrency: 64, Prompt: string(prompt), Turns: ScriptTurns}
	if testing.Short() {
		c.Calls, c.Concurrency = 120, 8
	}
	var l *LLM
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		l, err = RunLLM(ctx, c)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	if l.FailedRequests != 0 || l.PerSec <= 0 {
		b.Fatalf("LLM run: %d failed, %.0f generations/s", l.FailedRequests, l.PerSec)
	}
	hideNsPerOp(b)
	b.ReportMetric(l.PerSec, "gen/s")
	b.ReportMetric(l.CallUS, "call-µs")
	b.ReportMetric(l.OverheadUS, "overhead-µs")
	shared.record(func(r *Results) { r.LLM = l })
}

// BenchmarkStreaming: openai with stream = true against the simulator's
// streaming endpoint (first chunk 150 ms, 5 ms apart; 50 users, about a
// quarter of what saturates a 2-CPU machine): turns/s, CPU per
// turn, and the measured first_token against the simulator's own send
// stamp of the first content chunk (issue 13: p50 within 2 ms of 150 ms).
func BenchmarkStreaming(b *testing.B) {
	env := shared.setup(b)
	c := StreamingConfig{Users: 50, Duration: 30 * time.Second, FirstChunk: 150 * time.Millisecond, Interval: 5 * time.Millisecond}
	if testing.Short() {
		c = StreamingConfig{Users: 8, Duration: 2 * time.Second, FirstChunk: 150 * time.Millisecond, Interval: time.Millisecond}
	}
	var st *Streaming
	for b.Loop() {
		var err error
		ctx, cancel := context.WithTimeout(context.Background(), c.Duration+2*time.Minute)
		st, err = env.RunStreaming(ctx, c)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	if st.Turns == 0 || st.SendErrors+st.NoReply+st.Incomplete != 0 || st.Error.N == 0 {
		b.Fatalf("streaming run: %d turns, %d send errors, %d missing replies, %d incomplete, %d stamped",
			st.Turns, st.SendErrors, st.NoReply, st.Incomplete, st.Error.N)
	}
	hideNsPerOp(b)
	b.ReportMetric(st.TurnsPerSec, "turns/s")
	b.ReportMetric(st.CPUPerTurn, "cpu-µs/turn")
	b.ReportMetric(st.Error.P50, "ttft-err-p50-µs")
	b.ReportMetric(st.Error.P99, "ttft-err-p99-µs")
	shared.record(func(r *Results) { r.Streaming = st })
}
