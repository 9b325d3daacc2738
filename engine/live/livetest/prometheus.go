// Package livetest starts a real Prometheus server (Debian's prometheus
// package) on loopback for the tests of live metrics: a remote-write
// receiver and, optionally, a scraper of a /metrics endpoint, queried
// through Prometheus's own HTTP API client.
package livetest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Binary is where Debian installs Prometheus (.ci/run installs it).
const Binary = "/usr/bin/prometheus"

// ScrapeInterval is how often the test server scrapes its targets, and
// how long a scrape may take: loose enough for a loaded CI machine under
// the race detector (a failed scrape marks the target's series stale).
const ScrapeInterval = 2 * time.Second

// Prometheus is a Prometheus server started for one test.
type Prometheus struct {
	URL string // http://127.0.0.1:PORT
	api promv1.API
}

// Start starts Prometheus on a loopback port with the remote-write
// receiver on and a scrape job "voyplan" of each target (host:port
// serving /metrics), and waits, bounded, until it is ready. It skips the
// test where Prometheus is missing, unless CI is set: then it fails. The
// server is stopped when the test ends.
func Start(t testing.TB, targets ...string) *Prometheus {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s not found: install Debian's prometheus (apt-get install prometheus) to run this test; CI installs it and runs it", Binary)
		}
		t.Fatalf("CI is set but %s is missing: .ci/run must install prometheus", Binary)
	}
	var last error
	for range 3 { // another process may take the port between its pick and Prometheus's bind
		p, err := start(t, targets)
		if err == nil {
			return p
		}
		last = err
	}
	t.Fatal(last)
	return nil
}

// start makes one attempt on a port the OS picked.
func start(t testing.TB, targets []string) (*Prometheus, error) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config(targets)), 0o644); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	var out syncBuffer
	cmd := exec.Command(Binary, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--web.enable-remote-write-receiver", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start %s: %w", Binary, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	p := &Prometheus{URL: "http://" + addr}
	if err := waitReady(p.URL, exited); err != nil {
		stop()
		return nil, fmt.Errorf("%w; its log:\n%s", err, out.String())
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", out.String())
		}
	})
	client, err := api.NewClient(api.Config{Address: p.URL})
	if err != nil {
		stop()
		return nil, err
	}
	p.api = promv1.NewAPI(client)
	return p, nil
}

// config is a Prometheus configuration scraping targets as job "voyplan".
func config(targets []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  scrape_timeout: %s\n", ScrapeInterval, ScrapeInterval)
	if len(targets) > 0 {
		fmt.Fprintf(&b, "scrape_configs:\n  - job_name: voyplan\n    static_configs:\n      - targets: ['%s']\n",
			strings.Join(targets, "', '"))
	}
	return b.String()
}

// freeAddr returns a loopback address with a port the OS picked.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// readyWithin bounds Prometheus's start-up: generous, for a loaded CI
// machine.
const readyWithin = 90 * time.Second

// waitReady polls /-/ready until it answers 200, the process exits, or
// readyWithin passes.
func waitReady(base string, exited <-chan error) error {
	deadline := time.Now().Add(readyWithin)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	client := &http.Client{Timeout: 5 * time.Second}
	for time.Now().Before(deadline) {
		if resp, err := client.Get(base + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("prometheus exited before it was ready: %v", err)
		case <-tick.C:
		}
	}
	return fmt.Errorf("prometheus was not ready within %s", readyWithin)
}

// WriteURL is the remote-write receiver's URL.
func (p *Prometheus) WriteURL() string { return p.URL + "/api/v1/write" }

// Query runs an instant query now.
func (p *Prometheus) Query(t testing.TB, q string) model.Vector {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, _, _, err := p.api.Query(ctx, q, time.Now())
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	vec, ok := v.(model.Vector)
	if !ok {
		t.Fatalf("query %s: a %s, not a vector", q, v.Type())
	}
	return vec
}

// Value runs an instant query whose answer is one sample and returns its
// value; false when the answer is empty.
func (p *Prometheus) Value(t testing.TB, q string) (float64, bool) {
	t.Helper()
	vec := p.Query(t, q)
	switch len(vec) {
	case 0:
		return 0, false
	case 1:
		return float64(vec[0].Value), true
	}
	t.Fatalf("query %s: %d samples, want one: %v", q, len(vec), vec)
	return 0, false
}

// WaitValue polls the query until ok holds for its one sample's value, or
// fails the test after within; it returns the last value.
func (p *Prometheus) WaitValue(t testing.TB, q string, within time.Duration, ok func(float64) bool) float64 {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		v, found := p.Value(t, q)
		if found && ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s: %v (found %v) after %s, not what the test waits for", q, v, found, within)
		}
		<-tick.C
	}
}

// syncBuffer is a bytes.Buffer safe for the process's writes and the
// test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
