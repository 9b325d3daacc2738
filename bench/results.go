package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Results is bench/results.json: the machine, each benchmark's figures, and
// the targets of issue 6 judged against them.
type Results struct {
	Machine    Machine     `json:"machine"`
	Short      bool        `json:"short"` // a smoke run: tiny loads, figures not comparable
	Throughput *Throughput `json:"throughput,omitempty"`
	Accuracy   []Accuracy  `json:"accuracy,omitempty"`
	Memory     *Memory     `json:"memory,omitempty"`
	// WSMemory is Memory with each conversation on an open WebSocket.
	WSMemory  *Memory    `json:"websocket_memory,omitempty"`
	LLM       *LLM       `json:"llm,omitempty"`
	Streaming *Streaming `json:"streaming,omitempty"`
	Versus    *Versus    `json:"versus_limit,omitempty"` // voyplan ÷ the minimal program (issue 16)
	// StreamingVersus is voyplan's streaming run ÷ the minimal program's
	// stream mode (issue 16).
	StreamingVersus *StreamingVersus `json:"streaming_versus_limit,omitempty"`
	Soak            *Soak            `json:"soak,omitempty"` // make soak
	Targets         []Target         `json:"targets"`
}

// Machine is where and when the figures were taken.
type Machine struct {
	Date      time.Time  `json:"date"`
	NumCPU    int        `json:"nproc"`
	GoVersion string     `json:"go"`
	OS        string     `json:"os"`
	Kernel    string     `json:"kernel,omitempty"`
	Commit    string     `json:"commit,omitempty"`
	LoadStart [3]float64 `json:"load_start"` // /proc/loadavg: 1, 5, 15 minutes
	LoadEnd   [3]float64 `json:"load_end"`
}

// ThisMachine describes the machine now; LoadEnd is filled in later.
func ThisMachine() Machine {
	m := Machine{
		Date:      time.Now().UTC().Truncate(time.Second),
		NumCPU:    runtime.NumCPU(),
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
		LoadStart: LoadAvg(),
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "status", "--porcelain").Output(); err == nil && len(st) > 0 {
			m.Commit += "+dirty"
		}
	}
	return m
}

// LoadAvg reads the 1, 5 and 15 minute load averages (zeros off Linux).
func LoadAvg() [3]float64 {
	var l [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	for i, f := range strings.Fields(string(b))[:3] {
		l[i], _ = strconv.ParseFloat(f, 64)
	}
	return l
}

// Throughput is the saturation run: a closed model with no think time and
// no reply delay, as many turns as voyplan and the simulator can carry.
type Throughput struct {
	Users       int     `json:"users"`
	DurationS   float64 `json:"duration_s"` // the run, ramp and drain included
	Turns       int64   `json:"turns"`
	TurnsPerSec float64 `json:"turns_per_s"` // turns / duration
	Steady      Rate    `json:"steady"`      // turns sent per second after the ramp, by whole second
	SteadyS     float64 `json:"steady_s"`    // how long that window is
	CPUSeconds  float64 `json:"cpu_s"`       // the voyplan process, user + system
	CPUPerTurn  float64 `json:"cpu_us_per_turn"`
	SimCPU      float64 `json:"sim_cpu_s"`
	MaxRSSMiB   float64 `json:"max_rss_mib"`
	SendErrors  int64   `json:"send_errors"`
	NoReply     int64   `json:"missing_replies"`
	LateStarts  int64   `json:"late_starts"`
	Reply       Dist    `json:"reply"` // measured reply latency, exact
	HDR         HDR     `json:"hdr"`
}

// HDR compares the engine's reply percentiles (HDR histogram, summary.json)
// with the exact ones computed from every turn of conversations.jsonl.
type HDR struct {
	P50       [2]float64 `json:"p50_us"` // engine, exact
	P90       [2]float64 `json:"p90_us"`
	P99       [2]float64 `json:"p99_us"`
	MaxRelErr float64    `json:"max_rel_err"`
}

// Accuracy is one open-model run at a fraction of the saturation rate.
type Accuracy struct {
	Level      float64 `json:"level"` // fraction of the saturation rate
	TargetRate float64 `json:"target_turns_per_s"`
	Achieved   Rate    `json:"achieved"`
	DelayMS    float64 `json:"sim_delay_ms"`
	ThinkMS    float64 `json:"think_ms"`
	SpawnRate  float64 `json:"conversations_per_s"`
	Error      Dist    `json:"error"` // measured − true reply latency
	Unstamped  int     `json:"unstamped"`
	LateStarts int64   `json:"late_starts"`
	SendErrors int64   `json:"send_errors"`
	NoReply    int64   `json:"missing_replies"`
	Reply      Dist    `json:"reply"` // measured reply latency
}

// Memory is the waiting-conversations run.
type Memory struct {
	Conversations int     `json:"conversations"` // started, each waiting on its reply most of the time
	InFlightAtEnd int64   `json:"in_flight_at_end"`
	ReplyDelayS   float64 `json:"sim_delay_s"`
	SpawnRate     float64 `json:"spawn_rate"`
	MaxRSSMiB     float64 `json:"max_rss_mib"`
	PerConvKiB    float64 `json:"kib_per_conversation"`
	Turns         int64   `json:"turns"`
	LateStarts    int64   `json:"late_starts"`
	SendErrors    int64   `json:"send_errors"`
}

// Streaming is the streaming path (RunStreaming): openai with stream =
// true against the simulator's streaming endpoint.
type Streaming struct {
	Users           int     `json:"users"`
	DurationS       float64 `json:"duration_s"`
	FirstChunkMS    float64 `json:"sim_first_chunk_ms"`
	IntervalMS      float64 `json:"sim_chunk_interval_ms"`
	Turns           int64   `json:"turns"`
	TurnsPerSec     float64 `json:"turns_per_s"`
	Steady          Rate    `json:"steady"` // turns sent per second after the ramp, by whole second
	CPUSeconds      float64 `json:"cpu_s"`
	CPUPerTurn      float64 `json:"cpu_us_per_turn"`
	SimCPU          float64 `json:"sim_cpu_s"`
	Chunks          int64   `json:"chunks"`
	FirstTokenP50MS float64 `json:"first_token_p50_ms"` // the engine's own (HDR)
	FirstTokenP99MS float64 `json:"first_token_p99_ms"`
	Error           Dist    `json:"first_token_error"` // measured first_token − the simulator's send stamp
	Unstamped       int     `json:"unstamped"`
	Incomplete      int64   `json:"incomplete"`
	SendErrors      int64   `json:"send_errors"`
	NoReply         int64   `json:"missing_replies"`
}

// LLM is the persona-generation path (RunLLM).
type LLM struct {
	Concurrency    int     `json:"concurrency"`
	Generations    int     `json:"generations"`
	PerSec         float64 `json:"generations_per_s"` // with Concurrency chats at once
	CallUS         float64 `json:"call_us"`           // one generation, one chat at a time
	RawUS          float64 `json:"raw_us"`            // the same request bytes with a bare net/http client
	OverheadUS     float64 `json:"overhead_us"`       // call − raw: the genai SDK and engine/llm
	AllocsPerCall  float64 `json:"allocs_per_call"`   // call − raw, heap allocations
	BytesPerCall   float64 `json:"bytes_per_call"`    // call − raw, bytes allocated
	FailedRequests int64   `json:"failed"`
}

// Target is one of issue 6's targets and whether the figures meet it.
type Target struct {
	Name string `json:"name"`
	Want string `json:"want"`
	Got  string `json:"got"`
	Met  bool   `json:"met"`
}

// Judge fills Targets from the figures present.
func (r *Results) Judge() {
	r.Targets = nil
	if t := r.Throughput; t != nil {
		r.Targets = append(r.Targets,
			// Sustained: the whole steady window's average, 60 s in the full
			// run; the slowest second is shown beside it (other processes on
			// the machine show there first).
			Target{"throughput, sustained", "≥ 5000 turns/s", fmt.Sprintf("%.0f turns/s over %.0fs (slowest second %.0f)", t.Steady.Avg, t.SteadyS, t.Steady.MinSec),
				t.Steady.Avg >= 5000},
			Target{"throughput errors", "0", fmt.Sprint(t.SendErrors + t.NoReply), t.SendErrors+t.NoReply == 0},
			Target{"HDR percentiles vs exact", "≤ 1 %", fmt.Sprintf("%.2f %%", 100*t.HDR.MaxRelErr), t.HDR.MaxRelErr <= 0.01})
	}
	for _, a := range r.Accuracy {
		if a.Level > 0.5 {
			continue
		}
		r.Targets = append(r.Targets, Target{fmt.Sprintf("reply error p99 at %.0f %%", 100*a.Level), "≤ 1 ms",
			fmt.Sprintf("%.3f ms", a.Error.P99/1000), a.Error.N > 0 && a.Error.P99 <= 1000})
	}
	if st := r.Streaming; st != nil {
		r.Targets = append(r.Targets,
			Target{"first_token p50 vs the simulator's first chunk", fmt.Sprintf("within 2 ms of %.0f ms", st.FirstChunkMS),
				fmt.Sprintf("%.2f ms", st.FirstTokenP50MS), math.Abs(st.FirstTokenP50MS-st.FirstChunkMS) <= 2},
			Target{"streaming errors", "0", fmt.Sprint(st.SendErrors + st.NoReply + st.Incomplete), st.SendErrors+st.NoReply+st.Incomplete == 0})
	}
	if m := r.Memory; m != nil {
		r.Targets = append(r.Targets, Target{fmt.Sprintf("RSS per waiting conversation at %d", m.Conversations), "≤ 32 KiB",
			fmt.Sprintf("%.1f KiB", m.PerConvKiB), m.PerConvKiB <= 32})
	}
	r.judgeVersus()
}

// judgeVersus adds issue 16's targets: voyplan against the minimal program
// of the same run, by the median of the rounds' ratios.
func (r *Results) judgeVersus() {
	v := r.Versus
	if v == nil || v.Rounds == 0 {
		return
	}
	r.Targets = append(r.Targets,
		Target{"CPU per turn ÷ the minimal program's", "≤ 1.3×", fmt.Sprintf("%.2f× (%s)", v.CPURatio.Median, v.CPURatio), v.CPURatio.Median <= 1.3},
		Target{"turns/s ÷ the minimal program's", "≥ 0.8×", fmt.Sprintf("%.2f× (%s)", v.RateRatio.Median, v.RateRatio), v.RateRatio.Median >= 0.8})
	if v.VoyplanMemKiB.Median > 0 {
		r.Targets = append(r.Targets, Target{fmt.Sprintf("KiB per waiting conversation at %d", v.MemoryConv), "≤ 12 KiB",
			fmt.Sprintf("%.1f KiB (%s)", v.VoyplanMemKiB.Median, v.VoyplanMemKiB), v.VoyplanMemKiB.Median <= 12})
	}
}

// versusRows prints voyplan beside the minimal program: median (min–max)
// over the rounds, and the ratio per round.
func (r *Results) versusRows(w io.Writer) {
	v := r.Versus
	if v == nil || v.Rounds == 0 {
		return
	}
	pairRows(w, &v.PairSpreads, v.ThroughputRuns, fmt.Sprintf("vs minimal program (%d rounds, %d users, %.0fs)", v.Rounds, v.Users, v.DurationS),
		"CPU per turn", "turns/s", "send + missing replies")
	if v.VoyplanMemKiB.Median > 0 {
		fmt.Fprintf(w, "\tKiB per waiting conversation (%d): voyplan / limit / ratio\t%s / %s / %s×\t\n",
			v.MemoryConv, v.VoyplanMemKiB, v.LimitMemKiB, v.MemRatio)
	}
	if v.BaseCPU.Median > 0 {
		fmt.Fprintf(w, "\tbaseline (-bench.base): CPU per turn / ratio to limit\t%s µs / %s×\t\n", v.BaseCPU, v.BaseCPURatio)
		fmt.Fprintf(w, "\tbaseline: turns/s; KiB per waiting conversation\t%s; %s\t\n", v.BaseRate, v.BaseMemKiB)
	}
}

// pairRows prints the rows both comparisons with the minimal program have,
// under name: CPU per turn (cpu) and turns/s (rate) of each and their
// ratio, the simulator's CPU under each, and the rounds' errors (errs
// says what they count).
func pairRows[R interface{ pair() PairRound }](w io.Writer, s *PairSpreads, rounds []R, name, cpu, rate, errs string) {
	fmt.Fprintf(w, "%s\t%s: voyplan / limit / ratio\t%s / %s µs / %s×\t\n", name, cpu, s.VoyplanCPU, s.LimitCPU, s.CPURatio)
	fmt.Fprintf(w, "\t%s: voyplan / limit / ratio\t%s / %s / %s×\t\n", rate, s.VoyplanRate, s.LimitRate, s.RateRatio)
	fmt.Fprintf(w, "\tsimulator CPU per turn: under voyplan / under limit\t%s / %s µs\t\n", s.VoyplanSimCPU, s.LimitSimCPU)
	var ve, le, be int64
	for _, r := range rounds {
		p := r.pair()
		ve, le, be = ve+p.VoyplanErrors, le+p.LimitErrors, be+p.BaseErrors
	}
	fmt.Fprintf(w, "\terrors (%s): voyplan / limit / baseline\t%d / %d / %d\t\n", errs, ve, le, be)
}

// streamingVersusRows prints voyplan's streaming run beside the minimal
// program's stream mode: median (min–max) over the rounds, and the ratio
// per round.
func (r *Results) streamingVersusRows(w io.Writer) {
	v := r.StreamingVersus
	if v == nil || v.Rounds == 0 {
		return
	}
	pairRows(w, &v.PairSpreads, v.Runs, fmt.Sprintf("streaming vs minimal program (%d rounds, %d users, %.0fs)", v.Rounds, v.Users, v.DurationS),
		"CPU per streamed turn", fmt.Sprintf("turns/s, steady (first chunk %.0f ms, %.0f ms apart)", v.FirstChunkMS, v.IntervalMS),
		"send + missing + incomplete")
	if v.BaseCPU.Median > 0 {
		fmt.Fprintf(w, "\tbaseline (-bench.base): CPU per turn / ratio to limit; turns/s\t%s µs / %s×; %s\t\n", v.BaseCPU, v.BaseCPURatio, v.BaseRate)
	}
}

// Write writes the results as indented JSON.
func (r *Results) Write(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// Table prints the figures and the targets for a person.
func (r *Results) Table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	m := r.Machine
	fmt.Fprintf(tw, "voyplan bench — %d CPUs, %s, %s, commit %s, load %.2f → %.2f%s\n\n", m.NumCPU, m.GoVersion, m.OS, m.Commit,
		m.LoadStart[0], m.LoadEnd[0], map[bool]string{true: " (smoke run: figures not comparable)"}[r.Short])
	fmt.Fprintln(tw, "benchmark\tfigure\tvalue\t")
	r.throughputRows(tw)
	r.accuracyRows(tw)
	r.memoryRows(tw)
	r.llmRows(tw)
	r.streamingRows(tw)
	r.versusRows(tw)
	r.streamingVersusRows(tw)
	r.soakRows(tw)
	if len(r.Targets) > 0 {
		fmt.Fprintln(tw, "\ntarget\twant\tgot\t")
		for _, t := range r.Targets {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Want, t.Got, map[bool]string{true: "met", false: "MISSED"}[t.Met])
		}
	}
	return tw.Flush()
}

func (r *Results) throughputRows(w io.Writer) {
	t := r.Throughput
	if t == nil {
		return
	}
	name := fmt.Sprintf("throughput (%d users, %.0fs)", t.Users, t.DurationS)
	fmt.Fprintf(w, "%s\tturns/s, steady (slowest second)\t%.0f (%.0f)\t\n", name, t.Steady.Avg, t.Steady.MinSec)
	fmt.Fprintf(w, "\tturns in all\t%d (%.0f/s over the whole run)\t\n", t.Turns, t.TurnsPerSec)
	fmt.Fprintf(w, "\tvoyplan CPU per turn\t%.1f µs (%.1f CPU-s; simulator %.1f CPU-s)\t\n", t.CPUPerTurn, t.CPUSeconds, t.SimCPU)
	fmt.Fprintf(w, "\terrors: send, missing replies\t%d, %d\t\n", t.SendErrors, t.NoReply)
	fmt.Fprintf(w, "\tlate starts\t%d\t\n", t.LateStarts)
	fmt.Fprintf(w, "\treply latency p50 / p99 / max\t%.2f / %.2f / %.2f ms\t\n", t.Reply.P50/1000, t.Reply.P99/1000, t.Reply.Max/1000)
	fmt.Fprintf(w, "\tHDR vs exact p50, p90, p99\t%.3f/%.3f, %.3f/%.3f, %.3f/%.3f ms (max error %.2f %%)\t\n",
		t.HDR.P50[0]/1000, t.HDR.P50[1]/1000, t.HDR.P90[0]/1000, t.HDR.P90[1]/1000, t.HDR.P99[0]/1000, t.HDR.P99[1]/1000, 100*t.HDR.MaxRelErr)
	fmt.Fprintf(w, "\tpeak RSS\t%.0f MiB\t\n", t.MaxRSSMiB)
}

func (r *Results) accuracyRows(w io.Writer) {
	for _, a := range r.Accuracy {
		name := fmt.Sprintf("accuracy at %.0f %% (%.0f turns/s)", 100*a.Level, a.TargetRate)
		fmt.Fprintf(w, "%s\tachieved turns/s (slowest second)\t%.0f (%.0f)\t\n", name, a.Achieved.Avg, a.Achieved.MinSec)
		fmt.Fprintf(w, "\tmeasured − true p50 / p90 / p99 / max\t%.0f / %.0f / %.0f / %.0f µs (n=%d, min %.0f µs)\t\n",
			a.Error.P50, a.Error.P90, a.Error.P99, a.Error.Max, a.Error.N, a.Error.Min)
		fmt.Fprintf(w, "\treply latency p50 / p99 (sim delay %.0f ms)\t%.2f / %.2f ms\t\n", a.DelayMS, a.Reply.P50/1000, a.Reply.P99/1000)
		fmt.Fprintf(w, "\tlate starts, errors, unstamped\t%d, %d, %d\t\n", a.LateStarts, a.SendErrors+a.NoReply, a.Unstamped)
	}
}

func (r *Results) memoryRows(w io.Writer) {
	for _, x := range []struct {
		m    *Memory
		what string
	}{{r.Memory, "memory"}, {r.WSMemory, "websocket memory"}} {
		m := x.m
		if m == nil {
			continue
		}
		name := fmt.Sprintf("%s (%d conversations, %.0fs replies)", x.what, m.Conversations, m.ReplyDelayS)
		fmt.Fprintf(w, "%s\tpeak RSS\t%.0f MiB\t\n", name, m.MaxRSSMiB)
		fmt.Fprintf(w, "\tper waiting conversation\t%.1f KiB\t\n", m.PerConvKiB)
		fmt.Fprintf(w, "\tin flight at the end, late starts, send errors\t%d, %d, %d\t\n", m.InFlightAtEnd, m.LateStarts, m.SendErrors)
	}
}

func (r *Results) llmRows(w io.Writer) {
	l := r.LLM
	if l == nil {
		return
	}
	name := fmt.Sprintf("LLM path (%d chats at once)", l.Concurrency)
	fmt.Fprintf(w, "%s\tgenerations/s\t%.0f (%d in all, %d failed)\t\n", name, l.PerSec, l.Generations, l.FailedRequests)
	fmt.Fprintf(w, "\tper call: engine / bare HTTP / overhead\t%.0f / %.0f / %.0f µs\t\n", l.CallUS, l.RawUS, l.OverheadUS)
	fmt.Fprintf(w, "\toverhead allocations per call\t%.0f allocs, %.1f KiB\t\n", l.AllocsPerCall, l.BytesPerCall/1024)
}

func (r *Results) streamingRows(w io.Writer) {
	st := r.Streaming
	if st == nil {
		return
	}
	name := fmt.Sprintf("streaming (%d users, %.0fs, first chunk %.0f ms)", st.Users, st.DurationS, st.FirstChunkMS)
	fmt.Fprintf(w, "%s\tturns/s\t%.0f (%d turns, %d chunks)\t\n", name, st.TurnsPerSec, st.Turns, st.Chunks)
	fmt.Fprintf(w, "\tvoyplan CPU per turn\t%.1f µs (%.1f CPU-s; simulator %.1f CPU-s)\t\n", st.CPUPerTurn, st.CPUSeconds, st.SimCPU)
	fmt.Fprintf(w, "\tfirst_token p50 / p99 (engine)\t%.2f / %.2f ms\t\n", st.FirstTokenP50MS, st.FirstTokenP99MS)
	fmt.Fprintf(w, "\tfirst_token − sim stamp p50 / p99 / max\t%.0f / %.0f / %.0f µs (n=%d, min %.0f µs)\t\n",
		st.Error.P50, st.Error.P99, st.Error.Max, st.Error.N, st.Error.Min)
	fmt.Fprintf(w, "\terrors, incomplete, unstamped\t%d, %d, %d\t\n", st.SendErrors+st.NoReply, st.Incomplete, st.Unstamped)
}

func (r *Results) soakRows(w io.Writer) {
	s := r.Soak
	if s == nil {
		return
	}
	name := fmt.Sprintf("soak (%d users, %.0fs, warm-up %.0fs)", s.Users, s.DurationS, s.WarmUpS)
	fmt.Fprintf(w, "%s\tturns, turns/s, CPU per turn\t%d, %.0f, %.1f µs\t\n", name, s.Turns, s.TurnsPerS, s.CPUPerTurn)
	fmt.Fprintf(w, "\tRSS after warm-up → end (growth), peak\t%.1f → %.1f MiB (%+.1f %%), %.1f MiB\t\n", s.WarmMiB, s.EndMiB, 100*s.Growth, s.PeakMiB)
	fmt.Fprintf(w, "\terrors: send, missing replies\t%d, %d\t\n", s.SendErrors, s.NoReply)
}
