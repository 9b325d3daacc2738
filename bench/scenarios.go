package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Env is what every scenario runs with.
type Env struct {
	Bin    string // the voyplan binary (Build)
	Script string // the persona script the users play (absolute path)
	Dir    string // scratch space: plans and results directories

	Limit       string // the bench/limit binary (BuildLimit)
	LimitScript string // Script with one customer's data filled in, for Limit
	// CPUProfile, when set, is where RunThroughput's voyplan apply writes
	// its CPU profile (apply --cpuprofile; make profile).
	CPUProfile string
	// SimBin, when set, is the binary whose `sim` is the double (else
	// Bin's): a -bench.base run keeps the same double as the others.
	SimBin string
}

func (e Env) simBin() string {
	if e.SimBin != "" {
		return e.SimBin
	}
	return e.Bin
}

// ScriptTurns is how many turns the bench persona's script takes to reach
// the payment link (personas/kataryna.script).
const ScriptTurns = 12

// run starts a simulator with simArgs, applies w against it, stops the
// simulator, and returns both accounts.
func (e Env) run(ctx context.Context, w Workload, simArgs []string, applyArgs ...string) (ApplyResult, SimStats, error) {
	return e.runSampled(ctx, w, simArgs, nil, applyArgs...)
}

// runSampled is run, with apply's resident set passed to sample about once
// a second (ApplySampled).
func (e Env) runSampled(ctx context.Context, w Workload, simArgs []string, sample func(int64), applyArgs ...string) (ApplyResult, SimStats, error) {
	s, err := StartSim(e.simBin(), simArgs...)
	if err != nil {
		return ApplyResult{}, SimStats{}, err
	}
	w.TargetURL, w.ScriptFile = s.URL, e.Script
	if w.Stream {
		w.TargetURL = strings.TrimSuffix(s.URL, "/v1/webhooks/widget") + "/v1"
	}
	if w.WebSocket {
		w.TargetURL = strings.Replace(strings.TrimSuffix(s.URL, "/v1/webhooks/widget"), "http://", "ws://", 1) + "/v1/ws"
	}
	plan, err := WritePlan(e.Dir, w)
	if err != nil {
		_, _ = s.Stop()
		return ApplyResult{}, SimStats{}, err
	}
	out := filepath.Join(e.Dir, w.Name)
	if err := os.RemoveAll(out); err != nil {
		_, _ = s.Stop()
		return ApplyResult{}, SimStats{}, err
	}
	res, err := ApplySampled(ctx, e.Bin, plan, out, sample, applyArgs...)
	st, serr := s.Stop()
	return res, st, errors.Join(err, serr)
}

// ThroughputConfig sizes the saturation run.
type ThroughputConfig struct {
	Users    int
	Duration time.Duration
}

// RunThroughput saturates voyplan: users with no think time against a
// simulator with no delay, conversations repeated until the stage ends.
func (e Env) RunThroughput(ctx context.Context, c ThroughputConfig) (*Throughput, error) {
	w := Workload{Name: "throughput", Users: c.Users, SpawnRate: float64(c.Users) * 4, Duration: c.Duration,
		ReplyTimeout: 10 * time.Second, MaxTurns: ScriptTurns + 2}
	var profile []string
	if e.CPUProfile != "" {
		profile = []string{"--cpuprofile", e.CPUProfile}
	}
	res, sim, err := e.run(ctx, w, []string{"--latency", "0s"}, profile...)
	if err != nil {
		return nil, err
	}
	turns, err := ReadTurns(filepath.Join(res.Out, "conversations.jsonl"))
	if err != nil {
		return nil, err
	}
	m := res.Summary.Metrics
	t := &Throughput{
		Users: c.Users, DurationS: res.Summary.DurationMS / 1000, Turns: m.Conversations.Turns,
		CPUSeconds: res.Usage.CPU().Seconds(), SimCPU: sim.Usage.CPU().Seconds(),
		MaxRSSMiB:  float64(res.Usage.MaxRSS) / (1 << 20),
		SendErrors: m.Send.Failed, NoReply: m.Reply.Failed, LateStarts: m.Conversations.LateStarts,
	}
	t.TurnsPerSec = float64(t.Turns) / t.DurationS
	t.CPUPerTurn = 1e6 * t.CPUSeconds / math.Max(float64(t.Turns), 1)
	ramp := min(2*time.Second, c.Duration/4) // users starting, first conversations warming up
	t.Steady = RateOf(turns, res.Summary.StartedAt.Add(ramp), res.Summary.StartedAt.Add(c.Duration))
	t.SteadyS = (c.Duration - ramp).Seconds()
	measured := Measured(turns)
	t.HDR = compareHDR(res.Summary, measured)
	t.Reply = DistOf(measured)
	return t, nil
}

// compareHDR sets the engine's reply percentiles beside the exact ones.
func compareHDR(s Summary, measured []time.Duration) HDR {
	sorted := append([]time.Duration(nil), measured...)
	slices.Sort(sorted)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	r := s.Metrics.Reply
	h := HDR{
		P50: [2]float64{us(r.P50), us(Quantile(sorted, 0.50))},
		P90: [2]float64{us(r.P90), us(Quantile(sorted, 0.90))},
		P99: [2]float64{us(r.P99), us(Quantile(sorted, 0.99))},
	}
	for _, p := range [][2]float64{h.P50, h.P90, h.P99} {
		if p[1] > 0 {
			h.MaxRelErr = math.Max(h.MaxRelErr, math.Abs(p[0]-p[1])/p[1])
		}
	}
	return h
}

// AccuracyConfig sizes one open-model accuracy run.
type AccuracyConfig struct {
	Level      float64       // fraction of the saturation rate
	Saturation float64       // turns/s at saturation (RunThroughput)
	Delay      time.Duration // the simulator's fixed reply delay D
	Think      time.Duration // the customer's think time between turns
	Duration   time.Duration // how long conversations keep arriving
}

// RunAccuracy offers Level × Saturation turns per second with conversations
// arriving on a fixed schedule — the stage's spawn rate, one conversation
// per user, so a slow reply never slows the arrivals — and compares each
// measured reply latency with the simulator's own send time.
func (e Env) RunAccuracy(ctx context.Context, c AccuracyConfig) (*Accuracy, error) {
	target := c.Level * c.Saturation
	spawn := target / ScriptTurns // conversations per second
	users := int(math.Ceil(spawn * c.Duration.Seconds()))
	w := Workload{Name: fmt.Sprintf("accuracy-%02.0f", 100*c.Level), Users: users, SpawnRate: spawn, Duration: c.Duration,
		ConversationsPerUser: 1, ThinkTime: c.Think, ReplyTimeout: 10 * time.Second, MaxTurns: ScriptTurns + 2}
	res, _, err := e.run(ctx, w, []string{"--latency", c.Delay.String()})
	if err != nil {
		return nil, err
	}
	turns, err := ReadTurns(filepath.Join(res.Out, "conversations.jsonl"))
	if err != nil {
		return nil, err
	}
	// The turn rate ramps up while the first conversations get going.
	perConv := time.Duration(ScriptTurns) * (c.Delay + c.Think)
	from, to := res.Summary.StartedAt.Add(min(perConv, c.Duration/2)), res.Summary.StartedAt.Add(c.Duration)
	window := Within(turns, from, to)
	errs, unstamped := Errors(window)
	m := res.Summary.Metrics
	return &Accuracy{
		Level: c.Level, TargetRate: target, Achieved: RateOf(window, from, to),
		DelayMS: ms(c.Delay), ThinkMS: ms(c.Think), SpawnRate: spawn,
		Error: DistOf(errs), Unstamped: unstamped, Reply: DistOf(Measured(window)),
		LateStarts: m.Conversations.LateStarts, SendErrors: m.Send.Failed, NoReply: m.Reply.Failed,
	}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// MemoryConfig sizes the waiting-conversations run.
type MemoryConfig struct {
	Conversations int
	SpawnRate     float64
	Delay         time.Duration // how long each reply takes
	Hold          time.Duration // after the last one started
	// WebSocket holds each conversation on an open WebSocket connection
	// (protocol websocket) waiting Delay for its reply's first frame,
	// instead of a widget API callback.
	WebSocket bool
}

// RunMemory starts Conversations conversations, one per user, against a
// simulator that answers after Delay, holds them, and cuts them at the end
// of the stage (graceful stop 1ms), so every one is in flight — almost
// always waiting on a reply — until the end. Peak RSS of the voyplan process
// divided by that count is the figure.
func (e Env) RunMemory(ctx context.Context, c MemoryConfig) (*Memory, error) {
	ramp := time.Duration(float64(c.Conversations) / c.SpawnRate * float64(time.Second))
	w := Workload{Name: "memory", Users: c.Conversations, SpawnRate: c.SpawnRate, Duration: ramp + c.Hold,
		ConversationsPerUser: 1, ReplyTimeout: 6 * c.Delay, MaxTurns: ScriptTurns + 2}
	simArgs := []string{"--latency", c.Delay.String()}
	if c.WebSocket {
		w.Name, w.WebSocket, simArgs = "websocket-memory", true, []string{"--first-chunk", c.Delay.String()}
	}
	res, _, err := e.run(ctx, w, simArgs, "--graceful-stop", "1ms")
	if err != nil {
		return nil, err
	}
	m := res.Summary.Metrics
	return &Memory{
		Conversations: int(m.Conversations.Started), InFlightAtEnd: m.Conversations.Interrupted,
		ReplyDelayS: c.Delay.Seconds(), SpawnRate: c.SpawnRate,
		MaxRSSMiB:  float64(res.Usage.MaxRSS) / (1 << 20),
		PerConvKiB: float64(res.Usage.MaxRSS) / 1024 / math.Max(float64(m.Conversations.Started), 1),
		Turns:      m.Conversations.Turns, LateStarts: m.Conversations.LateStarts, SendErrors: m.Send.Failed,
	}, nil
}

// StreamingConfig sizes the streaming run.
type StreamingConfig struct {
	Users      int
	Duration   time.Duration
	FirstChunk time.Duration // the simulator's time to the first content chunk
	Interval   time.Duration // between chunks
}

// RunStreaming runs users (a closed model, no think time) against the
// simulator's streaming chat completions endpoint (openai, stream = true)
// and compares each turn's measured first_token with the simulator's own
// send stamp of the first content chunk.
func (e Env) RunStreaming(ctx context.Context, c StreamingConfig) (*Streaming, error) {
	w := Workload{Name: "streaming", Users: c.Users, SpawnRate: float64(c.Users) * 4, Duration: c.Duration,
		ReplyTimeout: 10 * time.Second, MaxTurns: ScriptTurns + 2, Stream: true}
	res, sim, err := e.run(ctx, w, []string{"--first-chunk", c.FirstChunk.String(), "--chunk-interval", c.Interval.String()})
	if err != nil {
		return nil, err
	}
	turns, err := ReadTurns(filepath.Join(res.Out, "conversations.jsonl"))
	if err != nil {
		return nil, err
	}
	m := res.Summary.Metrics
	st := &Streaming{
		Users: c.Users, DurationS: res.Summary.DurationMS / 1000, Turns: m.Conversations.Turns,
		FirstChunkMS: ms(c.FirstChunk), IntervalMS: ms(c.Interval),
		CPUSeconds: res.Usage.CPU().Seconds(), SimCPU: sim.Usage.CPU().Seconds(),
		Chunks: m.Stream.Chunks, Incomplete: m.Stream.Incomplete, SendErrors: m.Send.Failed, NoReply: m.Reply.Failed,
		FirstTokenP50MS: ms(m.FirstToken.P50), FirstTokenP99MS: ms(m.FirstToken.P99),
	}
	st.TurnsPerSec = float64(st.Turns) / st.DurationS
	ramp := min(2*time.Second, c.Duration/4)
	st.Steady = RateOf(turns, res.Summary.StartedAt.Add(ramp), res.Summary.StartedAt.Add(c.Duration))
	st.CPUPerTurn = 1e6 * st.CPUSeconds / math.Max(float64(st.Turns), 1)
	errs, unstamped := Errors(turns)
	st.Error, st.Unstamped = DistOf(errs), unstamped
	return st, nil
}
