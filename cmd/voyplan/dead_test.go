package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/results"
)

// TestApplyAgainstADeadTarget: with nothing listening on the target's
// port, the terminal shows the first "connection refused" at once with
// its count, and — once every send of 5 s failed — that the assistant
// looks down; the end of the run has an errors table, and summary.json
// and report.html carry the errors. It used to show only "send_error N" in
// the conversations line.
func TestApplyAgainstADeadTarget(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`
plan "dead" { seed = 3 }
target "voyager" {
  url           = "http://%s/v1/webhooks/widget"
  channel_id    = "68e4464832ec9940d9993a12"
  client_domain = "@stw.ai"
}
webhook {
  listen = "127.0.0.1:0"
  tunnel = "none"
}
persona "edman" { script = ["Olá", "Sim"] }
conversation {
  conversations_per_user = 0
  pacing                 = "0s"
}
stage "s" {
  users      = 10
  spawn_rate = 100
  duration   = "6s"
}
threshold "sends" { check = "send.error_rate == 0" }
`, addr)
	path := filepath.Join(t.TempDir(), "dead.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	ta := newTestApp(t)
	if code := ta.main([]string{"apply", path, "--out", out, "--quiet"}); code != exitThreshold {
		t.Fatalf("exit %d, want %d\n%s", code, exitThreshold, ta.err.String())
	}
	stderr, stdout := ta.err.String(), ta.out.String()
	if n := strings.Count(stderr, "voyplan: error: send_error: connection refused — "); n != 1 {
		t.Errorf("the first connection refused told %d times on the terminal, want once:\n%s", n, stderr)
	}
	if n := strings.Count(stderr, "voyplan: WARNING: every send failed for 5s"); n != 1 || !strings.Contains(stderr, "the assistant looks down — connection refused") {
		t.Errorf("the assistant looking down told %d times, want once:\n%s", n, stderr)
	}
	if !strings.Contains(stdout, "│ Error      │ Message            │ Count │") || !strings.Contains(stdout, "│ send_error │ connection refused │") {
		t.Errorf("no errors table at the end:\n%s", stdout)
	}
	s, err := results.ReadSummary(filepath.Join(out, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if e := s.Metrics.Errors; len(e) != 1 || e[0].Kind != "send_error" || e[0].Message != "connection refused" ||
		e[0].Count != s.Metrics.Conversations.Failed {
		t.Errorf("summary errors %+v; want connection refused × %d", e, s.Metrics.Conversations.Failed)
	}
	runLog, err := os.ReadFile(filepath.Join(out, results.RunLogFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(runLog), `message="connection refused"`) || !strings.Contains(string(runLog), "the assistant looks down") {
		t.Errorf("run.log:\n%s", runLog)
	}
	html, err := os.ReadFile(filepath.Join(out, results.HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `"errors":[{"kind":"send_error","message":"connection refused"`) {
		t.Errorf("report.html does not carry the errors")
	}
}
