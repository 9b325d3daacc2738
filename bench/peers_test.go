package bench

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var k6Flag = flag.String("bench.k6", "", "BenchmarkPeers: this k6 binary instead of the one go install puts in the user cache")

// BenchmarkPeers is `make bench-peers` (issue 16; not in CI, not in make
// bench): the same conversation shape against the same double — `voyplan
// sim` in its own process — with voyplan, Locust playing the old tool
// (bench/peers/locustfile.py: a Flask receiver in the Locust process, the
// user polling for its reply every 0.5 s) and k6 doing the send half
// (bench/peers/k6.js), one after the other, and a table of each tool's
// figures as ratios to voyplan's. It runs only with VOYPLAN_PEERS=1: it
// needs Debian's python3-locust and python3-flask, and installs k6.
func BenchmarkPeers(b *testing.B) {
	if os.Getenv("VOYPLAN_PEERS") != "1" {
		b.Skip("make bench-peers (VOYPLAN_PEERS=1) runs the peers")
	}
	env := shared.setup(b)
	tools := peerTools(b)
	c := PeersConfig{Users: 50, Duration: 20 * time.Second, Latency: 100 * time.Millisecond}
	if testing.Short() { // a check that every tool runs, no figures
		c = PeersConfig{Users: 8, Duration: 3 * time.Second, Latency: 100 * time.Millisecond}
	}
	p := Peers{Config: c, LoadAtStart: LoadAvg()}
	versions := peerVersions(tools)
	for b.Loop() {
		p.Runs = p.Runs[:0]
		for _, run := range []func(context.Context) (PeerRun, error){
			func(ctx context.Context) (PeerRun, error) { return env.RunPeerVoyplan(ctx, c) },
			func(ctx context.Context) (PeerRun, error) { return env.RunPeerLocust(ctx, tools, c) },
			func(ctx context.Context) (PeerRun, error) { return env.RunPeerK6(ctx, tools, c) },
		} {
			ctx, cancel := context.WithTimeout(context.Background(), c.Duration+2*time.Minute)
			r, err := run(ctx)
			cancel()
			if err != nil {
				b.Fatal(err)
			}
			if r.Turns == 0 {
				b.Fatalf("%s: no turns", r.Tool)
			}
			r.Version = versions[r.Tool]
			b.Logf("%s: %d turns in %.1f s, %.1f µs CPU/turn, peak RSS %.1f MiB, %d errors",
				r.Tool, r.Turns, r.Seconds, r.CPUPerTurn(), float64(r.MaxRSS)/(1<<20), r.Errors)
			p.Runs = append(p.Runs, r)
		}
	}
	p.LoadAtEnd = LoadAvg()
	hideNsPerOp(b)
	b.ReportMetric(p.Runs[1].CPUPerTurn()/p.Runs[0].CPUPerTurn(), "locust-cpu-ratio")
	b.ReportMetric(p.Runs[2].CPUPerTurn()/p.Runs[0].CPUPerTurn(), "k6-cpu-ratio")
	fmt.Println()
	if err := p.Table(os.Stdout); err != nil {
		b.Fatal(err)
	}
}

// peerTools finds Locust and the scripts, and k6: -bench.k6, or the one in
// the user cache, installed there with go install the first time (minutes).
func peerTools(b *testing.B) PeerTools {
	b.Helper()
	locust, err := exec.LookPath("locust")
	if err != nil {
		b.Fatal("make bench-peers needs Locust: apt-get install -y python3-locust python3-flask")
	}
	t := PeerTools{Locust: locust, K6: *k6Flag}
	if t.Locustfile, err = filepath.Abs(filepath.Join("peers", "locustfile.py")); err != nil {
		b.Fatal(err)
	}
	if t.K6Script, err = filepath.Abs(filepath.Join("peers", "k6.js")); err != nil {
		b.Fatal(err)
	}
	if t.K6 != "" {
		return t
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(cache, "voyplan", "k6-"+K6Version)
	t.K6 = filepath.Join(dir, "k6")
	if _, err := os.Stat(t.K6); err == nil {
		return t
	}
	b.Logf("installing k6 %s into %s (minutes, once)", K6Version, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCommand(), "install", "go.k6.io/k6@"+K6Version)
	cmd.Dir = os.TempDir() // outside this module, whose go.mod has no k6
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("cannot install k6: %v\n%s", err, out)
	}
	return t
}

// peerVersions names each tool's version for the table (what a person
// reproducing the figures needs); a failed look-up leaves it blank.
func peerVersions(t PeerTools) map[string]string {
	first := func(name string, args ...string) string {
		out, err := exec.Command(name, args...).Output()
		if err != nil {
			return ""
		}
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return line
	}
	return map[string]string{
		"voyplan": first("git", "describe", "--always", "--dirty"),
		"Locust + Flask": "locust " + first("dpkg-query", "-W", "-f=${Version}", "python3-locust") +
			", flask " + first("/usr/bin/python3", "-c", "import flask; print(flask.__version__)"),
		"k6 (send half)": first(t.K6, "version"),
	}
}
