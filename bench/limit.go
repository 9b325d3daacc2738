package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/datagen"
)

// limitPackage is the minimal reference program (issue 16).
const limitPackage = "github.com/voyplan/voyplan/bench/limit"

// BuildLimit compiles bench/limit into dir and returns the binary's path.
func BuildLimit(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "limit")
	cmd := exec.CommandContext(ctx, goCommand(), "build", "-o", bin, limitPackage)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("cannot build bench/limit: %w\n%s", err, out)
	}
	return bin, nil
}

// RenderScript writes the persona script with one customer's data filled
// in (what templatefile does for a voyplan user), for the limit program,
// and returns its path.
func RenderScript(dir, script string) (string, error) {
	b, err := os.ReadFile(script)
	if err != nil {
		return "", err
	}
	r := datagen.ForUser(1, 0)
	text := strings.NewReplacer(
		"${customer.name}", datagen.Name(r), "${customer.phone}", datagen.BRMobile(r),
		"${customer.email}", datagen.Email(r, "smarttalks.com.br"), "${customer.cpf}", datagen.CPF(r),
	).Replace(string(b))
	path := filepath.Join(dir, "limit.script")
	return path, os.WriteFile(path, []byte(text), 0o644)
}

// LimitReport is what the limit program prints when it ends.
type LimitReport struct {
	Turns         int64   `json:"turns"`
	Conversations int64   `json:"conversations"`
	Completed     int64   `json:"completed"`
	SendErrors    int64   `json:"send_errors"`
	NoReply       int64   `json:"missing_replies"`
	InFlightAtEnd int64   `json:"in_flight_at_end"`
	DurationS     float64 `json:"duration_s"`
	PerSecond     []int64 `json:"sent_per_second"`
}

// LimitRun is one run of the limit program: its report and its rusage.
type LimitRun struct {
	Report LimitReport
	Usage  Usage
	SimCPU float64
}

// runLimit starts a simulator with simArgs and runs the limit program
// against it with args: against its widget endpoint, or with stream against
// its chat completions endpoint in the program's -stream mode.
func (e Env) runLimit(ctx context.Context, simArgs []string, stream bool, args ...string) (LimitRun, error) {
	s, err := StartSim(e.simBin(), simArgs...)
	if err != nil {
		return LimitRun{}, err
	}
	head := []string{"-url", s.URL, "-script", e.LimitScript}
	if stream {
		head = []string{"-stream", "-url", strings.TrimSuffix(s.URL, "/v1/webhooks/widget") + "/v1/chat/completions", "-script", e.LimitScript}
	}
	cmd := exec.CommandContext(ctx, e.Limit, append(head, args...)...)
	var stderr strings.Builder
	cmd.Stderr = io.MultiWriter(&stderr, os.Stderr)
	resetPeak()
	start := time.Now()
	out, err := cmd.Output()
	st, serr := s.Stop()
	if err != nil {
		return LimitRun{}, errors.Join(fmt.Errorf("limit: %w: %s", err, lastLines(stderr.String(), 5)), serr)
	}
	r := LimitRun{Usage: usageOf(cmd.ProcessState, time.Since(start)), SimCPU: st.Usage.CPU().Seconds()}
	if err := json.Unmarshal(out, &r.Report); err != nil {
		return r, fmt.Errorf("limit printed %q: %w", out, err)
	}
	return r, serr
}

// LimitThroughput is the limit program's saturation run, the same shape as
// RunThroughput's.
type LimitThroughput struct {
	Turns      int64   `json:"turns"`
	Steady     float64 `json:"steady_turns_per_s"` // turns sent per second after the ramp
	CPUSeconds float64 `json:"cpu_s"`
	CPUPerTurn float64 `json:"cpu_us_per_turn"`
	SimCPU     float64 `json:"sim_cpu_s"`
	MaxRSSMiB  float64 `json:"max_rss_mib"`
	SendErrors int64   `json:"send_errors"`
	NoReply    int64   `json:"missing_replies"`
}

// RunLimitThroughput saturates the limit program as RunThroughput does
// voyplan: the same users, duration and simulator.
func (e Env) RunLimitThroughput(ctx context.Context, c ThroughputConfig) (*LimitThroughput, error) {
	r, err := e.runLimit(ctx, []string{"--latency", "0s"}, false, "-users", fmt.Sprint(c.Users),
		"-spawn-rate", fmt.Sprint(c.Users*4), "-duration", c.Duration.String(), "-max-turns", fmt.Sprint(ScriptTurns+2))
	if err != nil {
		return nil, err
	}
	t := &LimitThroughput{Turns: r.Report.Turns, CPUSeconds: r.Usage.CPU().Seconds(), SimCPU: r.SimCPU,
		MaxRSSMiB: float64(r.Usage.MaxRSS) / (1 << 20), SendErrors: r.Report.SendErrors, NoReply: r.Report.NoReply}
	t.CPUPerTurn = 1e6 * t.CPUSeconds / math.Max(float64(t.Turns), 1)
	t.Steady = steadyRate(r.Report.PerSecond, c.Duration)
	return t, nil
}

// steadyRate is the turns sent per second (perSecond, by second of the run)
// after the ramp of a run of d, as RunThroughput's Steady.
func steadyRate(perSecond []int64, d time.Duration) float64 {
	ramp := int(min(2*time.Second, d/4) / time.Second)
	end := min(int(d/time.Second), len(perSecond))
	window := perSecond[min(ramp, end):end]
	if len(window) == 0 {
		return 0
	}
	var sum int64
	for _, n := range window {
		sum += n
	}
	return float64(sum) / float64(len(window))
}

// LimitMemory is the limit program's waiting-conversations run.
type LimitMemory struct {
	Conversations int64   `json:"conversations"`
	InFlightAtEnd int64   `json:"in_flight_at_end"`
	SendErrors    int64   `json:"send_errors"`
	NoReply       int64   `json:"missing_replies"`
	MaxRSSMiB     float64 `json:"max_rss_mib"`
	PerConvKiB    float64 `json:"per_conversation_kib"`
}

// RunLimitMemory holds c.Conversations conversations waiting on replies, as
// RunMemory does with voyplan.
func (e Env) RunLimitMemory(ctx context.Context, c MemoryConfig) (*LimitMemory, error) {
	r, err := e.runLimit(ctx, []string{"--latency", c.Delay.String()}, false, "-users", fmt.Sprint(c.Conversations),
		"-spawn-rate", fmt.Sprint(c.SpawnRate), "-hold", c.Hold.String(), "-conversations-per-user", "1",
		"-reply-timeout", (6 * c.Delay).String())
	if err != nil {
		return nil, err
	}
	return &LimitMemory{Conversations: r.Report.Conversations, InFlightAtEnd: r.Report.InFlightAtEnd,
		SendErrors: r.Report.SendErrors, NoReply: r.Report.NoReply,
		MaxRSSMiB:  float64(r.Usage.MaxRSS) / (1 << 20),
		PerConvKiB: float64(r.Usage.MaxRSS) / 1024 / math.Max(float64(r.Report.Conversations), 1)}, nil
}

// LimitStreaming is the limit program's streaming run (-stream), the shape
// of RunStreaming's.
type LimitStreaming struct {
	Turns       int64   `json:"turns"`
	Completed   int64   `json:"completed"` // conversations that reached the payment link
	DurationS   float64 `json:"duration_s"`
	TurnsPerSec float64 `json:"turns_per_s"`        // turns / duration, as RunStreaming's
	Steady      float64 `json:"steady_turns_per_s"` // turns sent per second after the ramp
	CPUSeconds  float64 `json:"cpu_s"`
	CPUPerTurn  float64 `json:"cpu_us_per_turn"`
	SimCPU      float64 `json:"sim_cpu_s"`
	SendErrors  int64   `json:"send_errors"`
	NoReply     int64   `json:"missing_replies"` // no [DONE] within the reply timeout
}

// RunLimitStreaming runs the limit program's stream mode as RunStreaming
// runs voyplan: the same users (no think time, conversations repeated),
// duration, reply timeout and simulator settings.
func (e Env) RunLimitStreaming(ctx context.Context, c StreamingConfig) (*LimitStreaming, error) {
	r, err := e.runLimit(ctx, []string{"--first-chunk", c.FirstChunk.String(), "--chunk-interval", c.Interval.String()}, true,
		"-users", fmt.Sprint(c.Users), "-spawn-rate", fmt.Sprint(c.Users*4), "-duration", c.Duration.String(),
		"-reply-timeout", (10 * time.Second).String(), "-max-turns", fmt.Sprint(ScriptTurns+2))
	if err != nil {
		return nil, err
	}
	t := &LimitStreaming{Turns: r.Report.Turns, Completed: r.Report.Completed, DurationS: r.Report.DurationS,
		CPUSeconds: r.Usage.CPU().Seconds(), SimCPU: r.SimCPU, SendErrors: r.Report.SendErrors, NoReply: r.Report.NoReply}
	t.TurnsPerSec = float64(t.Turns) / math.Max(t.DurationS, 1e-9)
	t.Steady = steadyRate(r.Report.PerSecond, c.Duration)
	t.CPUPerTurn = 1e6 * t.CPUSeconds / math.Max(float64(t.Turns), 1)
	return t, nil
}

// Spread is a figure taken several times: its median, least and most.
type Spread struct {
	Median float64   `json:"median"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	All    []float64 `json:"all"`
}

// SpreadOf summarises xs.
func SpreadOf(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Spread{Median: m, Min: s[0], Max: s[len(s)-1], All: xs}
}

// String is "median (min–max)".
func (s Spread) String() string {
	return fmt.Sprintf("%s (%s–%s)", num(s.Median), num(s.Min), num(s.Max))
}

func num(f float64) string {
	if math.Abs(f) >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.2f", f)
}

// Versus is voyplan against the limit program, run interleaved: each round
// runs both, back to back against a fresh simulator each, alternating which
// goes first. Ratios are voyplan ÷ limit per round.
type Versus struct {
	Rounds     int     `json:"rounds"`
	Users      int     `json:"users"`
	DurationS  float64 `json:"duration_s"`
	MemoryConv int     `json:"memory_conversations"`

	PairSpreads
	VoyplanMemKiB  Spread `json:"voyplan_kib_per_conversation"`
	LimitMemKiB    Spread `json:"limit_kib_per_conversation"`
	MemRatio       Spread `json:"memory_ratio"`
	BaseMemKiB     Spread `json:"base_kib_per_conversation,omitzero"`
	LoadAtStart    [3]float64
	ThroughputRuns []VersusRound `json:"throughput_runs"`
}

// VersusRound is one round's pair of figures: throughput (PairRound) and
// memory.
type VersusRound struct {
	PairRound
	VoyplanMemKiB float64 `json:"voyplan_kib_per_conversation"`
	LimitMemKiB   float64 `json:"limit_kib_per_conversation"`
	BaseMemKiB    float64 `json:"base_kib_per_conversation,omitempty"` // the -bench.base binary's
}

// Summarise fills the spreads from the rounds.
func (v *Versus) Summarise() {
	summarisePair(&v.PairSpreads, v.ThroughputRuns)
	if len(v.ThroughputRuns) > 0 && v.ThroughputRuns[0].BaseCPU > 0 {
		v.BaseMemKiB = column(v.ThroughputRuns, func(r VersusRound) float64 { return r.BaseMemKiB })
	}
	mem := slices.DeleteFunc(slices.Clone(v.ThroughputRuns), func(r VersusRound) bool { return r.LimitMemKiB == 0 })
	var vm, lm, rm []float64
	for _, r := range mem {
		vm, lm, rm = append(vm, r.VoyplanMemKiB), append(lm, r.LimitMemKiB), append(rm, r.VoyplanMemKiB/r.LimitMemKiB)
	}
	v.VoyplanMemKiB, v.LimitMemKiB, v.MemRatio = SpreadOf(vm), SpreadOf(lm), SpreadOf(rm)
}

// StreamingVersus is voyplan's streaming run (RunStreaming) against the
// limit program's stream mode (RunLimitStreaming), interleaved as Versus
// is: each round runs each program once against a fresh simulator with the
// same settings, the order turning from round to round. Ratios are
// voyplan ÷ limit per round.
type StreamingVersus struct {
	Rounds       int        `json:"rounds"`
	Users        int        `json:"users"`
	DurationS    float64    `json:"duration_s"`
	FirstChunkMS float64    `json:"sim_first_chunk_ms"`
	IntervalMS   float64    `json:"sim_chunk_interval_ms"`
	LoadAtStart  [3]float64 `json:"load_at_start"`

	PairSpreads
	Runs []StreamingRound `json:"runs"`
}

// StreamingRound is one round's figures.
type StreamingRound struct {
	Load float64 `json:"load_1m"` // at the round's start
	PairRound
}

// Summarise fills the spreads from the rounds.
func (v *StreamingVersus) Summarise() { summarisePair(&v.PairSpreads, v.Runs) }

// PairRound is one round of voyplan against the minimal program: the
// figures the widget comparison (Versus) and the streaming one
// (StreamingVersus) both take.
type PairRound struct {
	VoyplanCPU    float64 `json:"voyplan_cpu_us_per_turn"`
	LimitCPU      float64 `json:"limit_cpu_us_per_turn"`
	VoyplanRate   float64 `json:"voyplan_turns_per_s"`
	LimitRate     float64 `json:"limit_turns_per_s"`
	VoyplanSimCPU float64 `json:"voyplan_sim_cpu_us_per_turn"`
	LimitSimCPU   float64 `json:"limit_sim_cpu_us_per_turn"`
	// The -bench.base binary's, when one was given (before/after).
	BaseCPU  float64 `json:"base_cpu_us_per_turn,omitempty"`
	BaseRate float64 `json:"base_turns_per_s,omitempty"`
	// Each program's errors in the round: send errors and missing replies
	// (and, streaming, incomplete streams).
	VoyplanErrors int64 `json:"voyplan_errors"`
	LimitErrors   int64 `json:"limit_errors"`
	BaseErrors    int64 `json:"base_errors"`
}

func (r PairRound) pair() PairRound { return r }

// setLimit takes the limit program's run of the round (what names it in
// the error): an error when it made no turn.
func (r *PairRound) setLimit(what string, turns int64, cpuPerTurn, steady, simCPU float64, sendErrors, noReply int64) error {
	if turns == 0 {
		return fmt.Errorf("%s: no turns, %d send errors, %d missing replies", what, sendErrors, noReply)
	}
	r.LimitCPU, r.LimitRate, r.LimitSimCPU = cpuPerTurn, steady, 1e6*simCPU/float64(turns)
	r.LimitErrors = sendErrors + noReply
	return nil
}

// PairSpreads are the rounds' PairRound figures as median (min–max)
// spreads, and the ratios per round.
type PairSpreads struct {
	VoyplanCPU    Spread `json:"voyplan_cpu_us_per_turn"`
	LimitCPU      Spread `json:"limit_cpu_us_per_turn"`
	CPURatio      Spread `json:"cpu_ratio"` // voyplan ÷ limit, per round
	VoyplanRate   Spread `json:"voyplan_turns_per_s"`
	LimitRate     Spread `json:"limit_turns_per_s"`
	RateRatio     Spread `json:"rate_ratio"`
	VoyplanSimCPU Spread `json:"voyplan_sim_cpu_us_per_turn"`
	LimitSimCPU   Spread `json:"limit_sim_cpu_us_per_turn"`
	BaseCPU       Spread `json:"base_cpu_us_per_turn,omitzero"`
	BaseRate      Spread `json:"base_turns_per_s,omitzero"`
	BaseCPURatio  Spread `json:"base_cpu_ratio,omitzero"` // the baseline ÷ limit, per round
}

// column is f of every round, as a spread.
func column[R any](rounds []R, f func(R) float64) Spread {
	out := make([]float64, 0, len(rounds))
	for _, r := range rounds {
		out = append(out, f(r))
	}
	return SpreadOf(out)
}

// summarisePair fills s from the rounds; the baseline's figures only when
// the rounds ran one.
func summarisePair[R interface{ pair() PairRound }](s *PairSpreads, rounds []R) {
	col := func(f func(r PairRound) float64) Spread {
		return column(rounds, func(r R) float64 { return f(r.pair()) })
	}
	s.VoyplanCPU = col(func(r PairRound) float64 { return r.VoyplanCPU })
	s.LimitCPU = col(func(r PairRound) float64 { return r.LimitCPU })
	s.CPURatio = col(func(r PairRound) float64 { return r.VoyplanCPU / r.LimitCPU })
	s.VoyplanRate = col(func(r PairRound) float64 { return r.VoyplanRate })
	s.LimitRate = col(func(r PairRound) float64 { return r.LimitRate })
	s.RateRatio = col(func(r PairRound) float64 { return r.VoyplanRate / r.LimitRate })
	s.VoyplanSimCPU = col(func(r PairRound) float64 { return r.VoyplanSimCPU })
	s.LimitSimCPU = col(func(r PairRound) float64 { return r.LimitSimCPU })
	if len(rounds) > 0 && rounds[0].pair().BaseCPU > 0 {
		s.BaseCPU = col(func(r PairRound) float64 { return r.BaseCPU })
		s.BaseRate = col(func(r PairRound) float64 { return r.BaseRate })
		s.BaseCPURatio = col(func(r PairRound) float64 { return r.BaseCPU / r.LimitCPU })
	}
}
