package bench

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// Flags of `go test -bench . ./bench` (after -args, or directly).
var (
	resultsFlag    = flag.String("bench.results", "", "write the results JSON here (default results.json; nothing with -short)")
	binFlag        = flag.String("bench.bin", "", "measure this voyplan binary instead of building ./cmd/voyplan")
	keepFlag       = flag.Bool("bench.keep", false, "keep the plans and the runs' result directories (their path is logged)")
	profileFlag    = flag.String("bench.cpuprofile", "", "BenchmarkThroughput: voyplan apply writes its CPU profile here (make profile)")
	baseFlag       = flag.String("bench.base", "", "BenchmarkVersusLimit: also run this voyplan binary (an earlier commit's) in every round, for before/after")
	roundsFlag     = flag.Int("bench.rounds", 3, "rounds of voyplan against the minimal program (BenchmarkVersusLimit)")
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
func (s *suite) setup(b testing.TB) Env {
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
		if s.env.Limit, err = BuildLimit(ctx, dir); err != nil {
			s.err = err
			return
		}
		s.env.LimitScript, s.err = RenderScript(dir, script)
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
	return r.Throughput != nil || len(r.Accuracy) > 0 || r.Memory != nil || r.LLM != nil || r.Streaming != nil || r.Versus != nil || r.StreamingVersus != nil || r.Soak != nil || r.WSMemory != nil
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
	env.CPUProfile = *profileFlag
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

// BenchmarkVersusLimit: voyplan against the minimal program (bench/limit,
// issue 16) on the same simulator, interleaved — each round runs both,
// alternating which goes first — and repeated, so the ratios (CPU per turn,
// turns/s, KiB per waiting conversation) come from the same minutes of the
// same machine and show their spread. Targets: CPU ≤ 1.3×, turns/s ≥ 0.8×,
// ≤ 12 KiB per waiting conversation.
func BenchmarkVersusLimit(b *testing.B) {
	env := shared.setup(b)
	tc := ThroughputConfig{Users: 256, Duration: 15 * time.Second}
	mc := MemoryConfig{Conversations: 10_000, SpawnRate: 2000, Delay: 5 * time.Second, Hold: 5 * time.Second}
	rounds := max(*roundsFlag, 1)
	if testing.Short() {
		tc = ThroughputConfig{Users: 16, Duration: 2 * time.Second}
		mc = MemoryConfig{Conversations: 300, SpawnRate: 300, Delay: time.Second, Hold: time.Second}
		rounds = 1
	}
	v := &Versus{Rounds: rounds, Users: tc.Users, DurationS: tc.Duration.Seconds(), MemoryConv: mc.Conversations, LoadAtStart: LoadAvg()}
	for b.Loop() {
		v.ThroughputRuns = v.ThroughputRuns[:0]
		for i := range rounds {
			v.ThroughputRuns = append(v.ThroughputRuns, versusRound(b, env, tc, mc, i%2 == 1))
		}
	}
	v.Summarise()
	hideNsPerOp(b)
	b.ReportMetric(v.CPURatio.Median, "cpu-ratio")
	b.ReportMetric(v.RateRatio.Median, "rate-ratio")
	b.ReportMetric(v.MemRatio.Median, "mem-ratio")
	b.ReportMetric(v.LimitCPU.Median, "limit-cpu-µs/turn")
	b.ReportMetric(v.VoyplanCPU.Median, "cpu-µs/turn")
	shared.record(func(r *Results) { r.Versus = v })
}

// versusRound runs voyplan and the limit program once each, for throughput
// and for memory; limitFirst swaps the order.
func versusRound(b *testing.B, env Env, tc ThroughputConfig, mc MemoryConfig, limitFirst bool) VersusRound {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*(tc.Duration+mc.Delay+mc.Hold)+4*time.Minute)
	defer cancel()
	var r VersusRound
	steps := []func() error{
		func() error {
			t, err := env.RunThroughput(ctx, tc)
			if err == nil {
				err = versusCheck(t)
				r.VoyplanCPU, r.VoyplanRate, r.VoyplanSimCPU = t.CPUPerTurn, t.Steady.Avg, 1e6*t.SimCPU/float64(t.Turns)
				r.VoyplanErrors = t.SendErrors + t.NoReply
			}
			return err
		},
		func() error {
			t, err := env.RunLimitThroughput(ctx, tc)
			if err != nil {
				return err
			}
			return r.setLimit("limit", t.Turns, t.CPUPerTurn, t.Steady, t.SimCPU, t.SendErrors, t.NoReply)
		},
		func() error {
			m, err := env.RunMemory(ctx, mc)
			if err == nil {
				r.VoyplanMemKiB = m.PerConvKiB
			}
			return err
		},
		func() error {
			m, err := env.RunLimitMemory(ctx, mc)
			if err == nil && m.InFlightAtEnd < int64(mc.Conversations)*9/10 {
				err = fmt.Errorf("limit memory run: %d of %d in flight at the end (%d send errors, %d missing replies)",
					m.InFlightAtEnd, mc.Conversations, m.SendErrors, m.NoReply)
			}
			if err == nil {
				// Per conversation started; a send the overloaded double did not
				// answer in time is an error of the round, shown, not the end.
				r.LimitMemKiB, r.LimitErrors = m.PerConvKiB, r.LimitErrors+m.SendErrors+m.NoReply
			}
			return err
		},
	}
	if limitFirst {
		steps[0], steps[1], steps[2], steps[3] = steps[1], steps[0], steps[3], steps[2]
	}
	if *baseFlag != "" {
		steps = append(steps, baseSteps(b, env, tc, mc, &r)...)
		if limitFirst { // the baseline between the two, then after them
			steps[1], steps[4] = steps[4], steps[1]
		}
	}
	for _, step := range steps {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("round: voyplan %.1f µs/turn %.0f turns/s %.1f KiB %d errors; limit %.1f µs/turn %.0f turns/s %.1f KiB %d errors; base %.1f µs/turn %.0f turns/s %.1f KiB %d errors",
		r.VoyplanCPU, r.VoyplanRate, r.VoyplanMemKiB, r.VoyplanErrors, r.LimitCPU, r.LimitRate, r.LimitMemKiB, r.LimitErrors,
		r.BaseCPU, r.BaseRate, r.BaseMemKiB, r.BaseErrors)
	return r
}

// versusCheck fails a throughput run of the comparison that did nothing,
// or whose files disagree; its errors (a reply over the 10 s timeout on a
// machine other work overloads) are a figure of the round, counted and
// shown, not the end of the benchmark.
func versusCheck(t *Throughput) error {
	if t.Turns == 0 || t.Reply.N+int(t.NoReply) < int(t.Turns) {
		return fmt.Errorf("throughput run: %d turns, %d answered in conversations.jsonl, %d missing", t.Turns, t.Reply.N, t.NoReply)
	}
	return nil
}

// baseSteps are the round's runs of the -bench.base binary: throughput and
// memory, as voyplan's.
func baseSteps(b *testing.B, env Env, tc ThroughputConfig, mc MemoryConfig, r *VersusRound) []func() error {
	base := env
	base.Bin, base.SimBin = *baseFlag, env.Bin
	ctx := context.Background() // each run bounds itself: its stage, the reply timeout, the simulator's stop
	return []func() error{
		func() error {
			t, err := base.RunThroughput(ctx, tc)
			if err == nil {
				err = versusCheck(t)
				r.BaseCPU, r.BaseRate, r.BaseErrors = t.CPUPerTurn, t.Steady.Avg, t.SendErrors+t.NoReply
			}
			return err
		},
		func() error {
			m, err := base.RunMemory(ctx, mc)
			if err == nil {
				r.BaseMemKiB = m.PerConvKiB
			}
			return err
		},
	}
}

// BenchmarkStreamingVersusLimit: voyplan's streaming scenario (as
// BenchmarkStreaming: openai with stream = true, 50 users, first chunk
// 150 ms, 5 ms apart) against the minimal program's stream mode
// (bench/limit -stream, issue 16) on the same simulator binary with the same
// settings, interleaved — each round runs both (and the -bench.base binary),
// the order turning from round to round — and repeated: CPU per streamed
// turn and turns/s (sent per second after the ramp, as the widget
// comparison's), each as voyplan ÷ limit per round. No target: the figures
// go beside the widget API's.
func BenchmarkStreamingVersusLimit(b *testing.B) {
	env := shared.setup(b)
	c := StreamingConfig{Users: 50, Duration: 30 * time.Second, FirstChunk: 150 * time.Millisecond, Interval: 5 * time.Millisecond}
	rounds := max(*roundsFlag, 1)
	if testing.Short() {
		c = StreamingConfig{Users: 4, Duration: 2 * time.Second, FirstChunk: 20 * time.Millisecond, Interval: time.Millisecond}
		rounds = 1
	}
	v := &StreamingVersus{Rounds: rounds, Users: c.Users, DurationS: c.Duration.Seconds(),
		FirstChunkMS: ms(c.FirstChunk), IntervalMS: ms(c.Interval), LoadAtStart: LoadAvg()}
	for b.Loop() {
		v.Runs = v.Runs[:0]
		for i := range rounds {
			v.Runs = append(v.Runs, streamingRound(b, env, c, i))
		}
	}
	v.Summarise()
	hideNsPerOp(b)
	b.ReportMetric(v.CPURatio.Median, "cpu-ratio")
	b.ReportMetric(v.RateRatio.Median, "rate-ratio")
	b.ReportMetric(v.LimitCPU.Median, "limit-cpu-µs/turn")
	b.ReportMetric(v.VoyplanCPU.Median, "cpu-µs/turn")
	b.ReportMetric(v.VoyplanRate.Median, "turns/s")
	shared.record(func(r *Results) { r.StreamingVersus = v })
}

// streamingRound runs voyplan's streaming run and the limit program's once
// each (and the -bench.base binary's), in an order turned by round.
func streamingRound(b *testing.B, env Env, c StreamingConfig, round int) StreamingRound {
	b.Helper()
	ctx := context.Background() // each run bounds itself: its stage, the reply timeout, the simulator's stop
	r := StreamingRound{Load: LoadAvg()[0]}
	steps := []func() error{
		func() error {
			st, err := env.RunStreaming(ctx, c)
			if err == nil && st.Turns == 0 {
				err = fmt.Errorf("streaming run: no turns, %d send errors, %d missing replies, %d incomplete", st.SendErrors, st.NoReply, st.Incomplete)
			}
			if err == nil {
				r.VoyplanCPU, r.VoyplanRate, r.VoyplanSimCPU = st.CPUPerTurn, st.Steady.Avg, 1e6*st.SimCPU/float64(st.Turns)
				r.VoyplanErrors = st.SendErrors + st.NoReply + st.Incomplete
			}
			return err
		},
		func() error {
			t, err := env.RunLimitStreaming(ctx, c)
			if err != nil {
				return err
			}
			return r.setLimit("limit -stream", t.Turns, t.CPUPerTurn, t.Steady, t.SimCPU, t.SendErrors, t.NoReply)
		},
	}
	if *baseFlag != "" {
		base := env
		base.Bin, base.SimBin = *baseFlag, env.Bin
		steps = append(steps, func() error {
			st, err := base.RunStreaming(ctx, c)
			if err == nil && st.Turns == 0 {
				err = fmt.Errorf("baseline streaming run: no turns, %d send errors, %d missing replies, %d incomplete", st.SendErrors, st.NoReply, st.Incomplete)
			}
			if err == nil {
				r.BaseCPU, r.BaseRate, r.BaseErrors = st.CPUPerTurn, st.Steady.Avg, st.SendErrors+st.NoReply+st.Incomplete
			}
			return err
		})
	}
	k := round % len(steps) // each program goes first in turn
	for _, step := range slices.Concat(steps[k:], steps[:k]) {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("streaming round (load %.1f): voyplan %.1f µs/turn %.0f turns/s %d errors; limit %.1f µs/turn %.0f turns/s %d errors; base %.1f µs/turn %.0f turns/s %d errors",
		r.Load, r.VoyplanCPU, r.VoyplanRate, r.VoyplanErrors, r.LimitCPU, r.LimitRate, r.LimitErrors, r.BaseCPU, r.BaseRate, r.BaseErrors)
	return r
}
