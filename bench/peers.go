package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// K6Version is the k6 `make bench-peers` installs (issue 16).
const K6Version = "v1.8.1"

// PeersConfig is the conversation shape every tool of `make bench-peers`
// runs: Users users at once (a closed model, no think time) for Duration
// against `voyplan sim --latency Latency`.
type PeersConfig struct {
	Users    int
	Duration time.Duration
	Latency  time.Duration
}

// PeerRun is one tool's figures in `make bench-peers`.
type PeerRun struct {
	Tool    string `json:"tool"`
	Version string `json:"version"`
	// Turns are answered turns; for k6 (Requests) the sends answered 2xx.
	Turns    int64   `json:"turns"`
	Requests bool    `json:"per_request,omitempty"`
	Seconds  float64 `json:"seconds"` // the tool's run, start to exit
	// PerSec is turns (requests) per second over the stage: the turns sent
	// within its Duration, over Duration (a run's start and its last turns'
	// ends are not the stage).
	PerSec     float64 `json:"turns_per_s"`
	CPUSeconds float64 `json:"cpu_s"`
	MaxRSS     int64   `json:"max_rss_bytes"`
	Users      int     `json:"users"`
	Errors     int64   `json:"errors"` // failed sends plus missing replies
	// Reported is the latency the tool reports (p50), True the real reply
	// latency (p50): the simulator's stamp of its callback minus the send.
	Reported, True Dist `json:"-"`
	// Error is reported minus true per turn; for k6, whose reported figure
	// belongs to no reply, the difference of the quantiles (ErrorOfQuantiles).
	Error            Dist `json:"error"`
	ErrorOfQuantiles bool `json:"error_of_quantiles,omitempty"`
}

// CPUPerTurn is the tool's CPU per turn (per request for k6), in µs.
func (p PeerRun) CPUPerTurn() float64 {
	return 1e6 * p.CPUSeconds / math.Max(float64(p.Turns), 1)
}

// Rate is turns (requests) per second over the stage.
func (p PeerRun) Rate() float64 { return p.PerSec }

// KiBPerUser is the peak resident set over the users.
func (p PeerRun) KiBPerUser() float64 { return float64(p.MaxRSS) / 1024 / float64(max(p.Users, 1)) }

// RunPeerVoyplan runs voyplan apply with the peers' shape.
func (e Env) RunPeerVoyplan(ctx context.Context, c PeersConfig) (PeerRun, error) {
	w := Workload{Name: "peers-voyplan", Users: c.Users, SpawnRate: float64(c.Users), Duration: c.Duration,
		ReplyTimeout: 10 * time.Second, MaxTurns: ScriptTurns + 2}
	res, _, err := e.run(ctx, w, []string{"--latency", c.Latency.String()})
	if err != nil {
		return PeerRun{}, err
	}
	turns, err := ReadTurns(filepath.Join(res.Out, "conversations.jsonl"))
	if err != nil {
		return PeerRun{}, err
	}
	m := res.Summary.Metrics
	p := PeerRun{Tool: "voyplan", Turns: m.Conversations.Turns, Seconds: res.Summary.DurationMS / 1000,
		CPUSeconds: res.Usage.CPU().Seconds(), MaxRSS: res.Usage.MaxRSS, Users: c.Users, Errors: m.Send.Failed + m.Reply.Failed}
	var truths []time.Duration
	for _, t := range turns {
		if d, ok := t.True(); ok {
			truths = append(truths, d)
		}
	}
	errs, _ := Errors(turns)
	p.Reported, p.True, p.Error = DistOf(Measured(turns)), DistOf(truths), DistOf(errs)
	p.PerSec = RateOf(turns, res.Summary.StartedAt, res.Summary.StartedAt.Add(c.Duration)).Avg
	return p, nil
}

// LocustTurns is what bench/peers/locustfile.py writes when it quits: its
// counts on the first line, then one line per answered turn.
type LocustTurns struct {
	SendErrors    int64 `json:"send_errors"`
	NoReply       int64 `json:"missing_replies"`
	Conversations int64 `json:"conversations"`
	Completed     int64 `json:"completed"`
	Reported      []time.Duration
	True          []time.Duration
	Errors        []time.Duration // reported minus true, per stamped turn
}

// ParseLocustTurns reads the locustfile's turns file.
func ParseLocustTurns(r io.Reader) (LocustTurns, error) {
	var lt LocustTurns
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		return lt, errors.New("locust turns: empty file")
	}
	if err := json.Unmarshal(sc.Bytes(), &lt); err != nil {
		return lt, fmt.Errorf("locust turns: line 1: %w", err)
	}
	for n := 2; sc.Scan(); n++ {
		var t struct {
			SentAt    float64 `json:"sent_at"`        // Unix seconds
			Reported  float64 `json:"reported_s"`     // what Locust reported
			SimSentAt int64   `json:"sim_sent_at_ns"` // the simulator's stamp; 0 without one
		}
		if err := json.Unmarshal(sc.Bytes(), &t); err != nil {
			return lt, fmt.Errorf("locust turns: line %d: %w", n, err)
		}
		reported := time.Duration(t.Reported * float64(time.Second))
		lt.Reported = append(lt.Reported, reported)
		if t.SimSentAt > 0 {
			truth := time.Duration(t.SimSentAt - int64(t.SentAt*1e9))
			lt.True, lt.Errors = append(lt.True, truth), append(lt.Errors, reported-truth)
		}
	}
	return lt, sc.Err()
}

// PeerTools are the other tools' programs.
type PeerTools struct {
	Locust     string // /usr/bin/locust
	Locustfile string // bench/peers/locustfile.py
	K6         string // the k6 binary
	K6Script   string // bench/peers/k6.js
}

// RunPeerLocust runs Locust headless with the old tool's architecture.
func (e Env) RunPeerLocust(ctx context.Context, t PeerTools, c PeersConfig) (PeerRun, error) {
	s, err := StartSim(e.simBin(), "--latency", c.Latency.String())
	if err != nil {
		return PeerRun{}, err
	}
	host := strings.TrimSuffix(s.URL, "/v1/webhooks/widget")
	turnsFile := filepath.Join(e.Dir, "locust-turns.jsonl")
	_ = os.Remove(turnsFile) // never an earlier run's
	users := strconv.Itoa(c.Users)
	cmd := exec.CommandContext(ctx, t.Locust, "-f", t.Locustfile, "--headless", "--only-summary",
		"-u", users, "-r", users, "-t", fmt.Sprintf("%ds", int(c.Duration.Seconds())), "--host", host, "--loglevel", "WARNING")
	cmd.Env = append(os.Environ(), "PEERS_SCRIPT="+e.LimitScript, "PEERS_TURNS="+turnsFile,
		"PEERS_MAX_TURNS="+strconv.Itoa(ScriptTurns+2), "PEERS_REPLY_TIMEOUT=10")
	usage, out, err := runMeasured(cmd)
	_, serr := s.Stop()
	if err != nil {
		return PeerRun{}, errors.Join(fmt.Errorf("locust: %w: %s", err, lastLines(out, 8)), serr)
	}
	f, err := os.Open(turnsFile)
	if err != nil {
		return PeerRun{}, fmt.Errorf("locust wrote no turns: %w: %s", err, lastLines(out, 8))
	}
	defer f.Close()
	lt, err := ParseLocustTurns(f)
	if err != nil {
		return PeerRun{}, err
	}
	// Locust stops its users when -t is up, so every turn was sent within it.
	return PeerRun{Tool: "Locust + Flask", Turns: int64(len(lt.Reported)), Seconds: usage.Wall.Seconds(),
		PerSec:     float64(len(lt.Reported)) / c.Duration.Seconds(),
		CPUSeconds: usage.CPU().Seconds(), MaxRSS: usage.MaxRSS, Users: c.Users, Errors: lt.SendErrors + lt.NoReply,
		Reported: DistOf(lt.Reported), True: DistOf(lt.True), Error: DistOf(lt.Errors)}, nil
}

// runMeasured runs cmd to the end and returns its rusage (the process and
// the children it waited for) and its combined output.
func runMeasured(cmd *exec.Cmd) (Usage, string, error) {
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	resetPeak()
	start := time.Now()
	err := cmd.Run()
	if cmd.ProcessState == nil {
		return Usage{}, out.String(), err
	}
	return usageOf(cmd.ProcessState, time.Since(start)), out.String(), err
}

// K6Summary is what bench/peers/k6.js's handleSummary writes, the part the
// table needs.
type K6Summary struct {
	Requests   int64         // http_reqs
	Failed     int64         // http_req_failed: requests that failed
	DurationMS float64       // the test run's duration
	P50, P99   time.Duration // http_req_duration, what k6 reports
}

// ParseK6Summary reads k6's summary JSON (handleSummary's data).
func ParseK6Summary(b []byte) (K6Summary, error) {
	var d struct {
		State struct {
			TestRunDurationMS float64 `json:"testRunDurationMs"`
		} `json:"state"`
		Metrics map[string]struct {
			Values map[string]float64 `json:"values"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return K6Summary{}, fmt.Errorf("k6 summary: %w", err)
	}
	reqs, ok1 := d.Metrics["http_reqs"]
	dur, ok2 := d.Metrics["http_req_duration"]
	if !ok1 || !ok2 {
		return K6Summary{}, errors.New("k6 summary: no http_reqs or http_req_duration")
	}
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	return K6Summary{Requests: int64(reqs.Values["count"]), Failed: int64(d.Metrics["http_req_failed"].Values["passes"]),
		DurationMS: d.State.TestRunDurationMS, P50: ms(dur.Values["med"]), P99: ms(dur.Values["p(99)"])}, nil
}

// sink receives the simulator's callbacks for k6's sends: each webhook's
// path ends in the send time (Unix ms), so the true latency is the
// simulator's stamp minus it.
type sink struct {
	mu    sync.Mutex
	truth []time.Duration
}

func (k *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.WriteHeader(http.StatusNoContent)
	sent, err1 := strconv.ParseInt(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], 10, 64)
	stamp, err2 := strconv.ParseInt(r.Header.Get("X-Voyplan-Sim-Sent-At"), 10, 64)
	if err1 != nil || err2 != nil {
		return
	}
	k.mu.Lock()
	k.truth = append(k.truth, time.Duration(stamp-sent*int64(time.Millisecond)))
	k.mu.Unlock()
}

// RunPeerK6 runs k6's send half against the simulator, whose callbacks go
// to a sink in this process (not counted as k6's work).
func (e Env) RunPeerK6(ctx context.Context, t PeerTools, c PeersConfig) (PeerRun, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return PeerRun{}, err
	}
	k := &sink{}
	srv := &http.Server{Handler: k, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	s, err := StartSim(e.simBin(), "--latency", c.Latency.String())
	if err != nil {
		return PeerRun{}, err
	}
	summary := filepath.Join(e.Dir, "k6-summary.json")
	_ = os.Remove(summary) // never an earlier run's
	cmd := exec.CommandContext(ctx, t.K6, "run", "--quiet", "--no-usage-report", t.K6Script)
	cmd.Env = append(os.Environ(), "PEERS_URL="+s.URL, "PEERS_HOOK=http://"+ln.Addr().String(),
		"PEERS_SCRIPT="+e.LimitScript, "PEERS_USERS="+strconv.Itoa(c.Users),
		"PEERS_DURATION="+c.Duration.String(), "PEERS_SUMMARY="+summary, "K6_NO_USAGE_REPORT=true")
	usage, out, err := runMeasured(cmd)
	_, serr := s.Stop() // its callbacks are delivered or given up by now
	if err != nil {
		return PeerRun{}, errors.Join(fmt.Errorf("k6: %w: %s", err, lastLines(out, 8)), serr)
	}
	b, err := os.ReadFile(summary)
	if err != nil {
		return PeerRun{}, fmt.Errorf("k6 wrote no summary: %w", err)
	}
	ks, err := ParseK6Summary(b)
	if err != nil {
		return PeerRun{}, err
	}
	k.mu.Lock()
	truth := DistOf(k.truth)
	k.mu.Unlock()
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	p := PeerRun{Tool: "k6 (send half)", Turns: ks.Requests - ks.Failed, Requests: true, Seconds: usage.Wall.Seconds(),
		PerSec:     float64(ks.Requests-ks.Failed) / math.Max(ks.DurationMS/1000, 1e-9),
		CPUSeconds: usage.CPU().Seconds(), MaxRSS: usage.MaxRSS, Users: c.Users, Errors: ks.Failed,
		Reported: Dist{N: int(ks.Requests), P50: us(ks.P50), P99: us(ks.P99)}, True: truth, ErrorOfQuantiles: true}
	p.Error = Dist{N: truth.N, P50: p.Reported.P50 - truth.P50, P99: p.Reported.P99 - truth.P99}
	return p, nil
}

// Peers is one `make bench-peers` run.
type Peers struct {
	Config      PeersConfig
	LoadAtStart [3]float64
	LoadAtEnd   [3]float64
	Runs        []PeerRun // voyplan first
}

// Table writes the comparison as Markdown: each figure, and each as a
// ratio to voyplan's (Runs[0]).
func (p Peers) Table(w io.Writer) error {
	if len(p.Runs) == 0 {
		return errors.New("no runs")
	}
	v := p.Runs[0]
	var b strings.Builder
	fmt.Fprintf(&b, "%d users, %s each, `voyplan sim --latency %s`; load average %.2f %.2f %.2f at the start, %.2f %.2f %.2f at the end\n\n",
		p.Config.Users, p.Config.Duration, p.Config.Latency, p.LoadAtStart[0], p.LoadAtStart[1], p.LoadAtStart[2],
		p.LoadAtEnd[0], p.LoadAtEnd[1], p.LoadAtEnd[2])
	b.WriteString("| tool | version | turns | turns/s | CPU µs/turn | peak RSS MiB | KiB/user | reported p50 ms | true p50 ms | error p50 / p99 ms | errors |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	ratio := func(x, base float64) string {
		if base == 0 {
			return ""
		}
		return fmt.Sprintf(" (%.2f×)", x/base)
	}
	for _, r := range p.Runs {
		unit, star := "", ""
		if r.Requests {
			unit = " req"
		}
		if r.ErrorOfQuantiles {
			star = "*"
		}
		fmt.Fprintf(&b, "| %s | %s | %d%s | %.0f%s | %.0f%s | %.1f | %.1f%s | %.2f | %.2f | %.3f / %.3f%s | %d |\n",
			r.Tool, r.Version, r.Turns, unit, r.Rate(), ratio(r.Rate(), v.Rate()), r.CPUPerTurn(), ratio(r.CPUPerTurn(), v.CPUPerTurn()),
			float64(r.MaxRSS)/(1<<20), r.KiBPerUser(), ratio(r.KiBPerUser(), v.KiBPerUser()),
			r.Reported.P50/1000, r.True.P50/1000, r.Error.P50/1000, r.Error.P99/1000, star, r.Errors)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
