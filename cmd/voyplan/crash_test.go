package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/sim"
	"github.com/voyplan/voyplan/engine/transcript"
)

// kill -9 in the middle of a run loses nothing that had finished: voyplan
// report rebuilds the run from its journal — every conversation the
// assistant saw is in conversations.jsonl once, those in flight
// interrupted with the turns they had, summary.json (stop_reason crashed),
// the verdict and report.html — losing at most the turn each user had in
// flight. The simulator runs in this test's process, so it outlives the
// kill and tells what it saw.
func TestProcessKill9IsRebuiltFromTheJournal(t *testing.T) {
	t.Parallel()
	const users = 8
	s, err := sim.Listen("127.0.0.1:0", sim.Options{Latency: 80 * time.Millisecond, ImageEvery: 3, PaymentDomain: "smarttalks.ai"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plan := filepath.Join(t.TempDir(), "crash.hcl")
	src := fmt.Sprintf(`
plan "crash" { seed = 5 }
target "sim" { url = %q }
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("example.com")
  cpf   = cpf()
}
persona "p" { script = %s }
conversation {
  reply_timeout          = "1m"
  reply_settle           = "20ms"
  conversations_per_user = 0
}
stage "long" {
  users      = %d
  spawn_rate = 100
  duration   = "10m"
}
threshold "success" { check = "conversations.success_rate >= 0.9" }
`, s.URL(), kataryna(t), users)
	if err := os.WriteFile(plan, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := buildVoyplan(t)
	out := filepath.Join(t.TempDir(), "out")
	p := startProc(t, bin, nil, "apply", plan, "--out", out, "--quiet")
	if !waitForLines(filepath.Join(out, results.ConversationsFile), 4, 60*time.Second) {
		t.Fatalf("no conversations finished\n%s", p.stderr.String())
	}
	if err := p.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-p.done
	saw := s.Stats()
	if _, err := os.Stat(filepath.Join(out, results.SummaryFile)); err == nil {
		t.Fatal("a killed run has a summary.json")
	}

	r := startProc(t, bin, nil, "report", out)
	if code := r.wait(t, 60*time.Second); code != exitInterrupted {
		t.Fatalf("report: exit %d, want 130\nstdout:\n%s\nstderr:\n%s", code, r.stdout.String(), r.stderr.String())
	}
	if !strings.Contains(r.stderr.String(), "Rebuilt it from journal.jsonl") || !strings.Contains(r.stdout.String(), "INTERRUPTED") {
		t.Errorf("report did not say it rebuilt the run:\nstdout:\n%s\nstderr:\n%s", r.stdout.String(), r.stderr.String())
	}
	convs := readConversationsStrict(t, out) // whole lines, each conversation once
	sum := checkAccountedOnDisk(t, out, convs)
	raw, err := os.ReadFile(filepath.Join(out, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := results.ValidateSummary(raw); err != nil {
		t.Error(err)
	}
	if sum.StopReason != results.StopCrashed || !sum.Interrupted || sum.Rebuilt == nil || sum.Rebuilt.InFlight == 0 ||
		sum.Rebuilt.Recorded+sum.Rebuilt.InFlight != len(convs) || len(sum.Thresholds) != 1 {
		t.Errorf("summary: stop_reason %q, interrupted %v, rebuilt %+v, %d thresholds; %d conversations",
			sum.StopReason, sum.Interrupted, sum.Rebuilt, len(sum.Thresholds), len(convs))
	}
	if _, err := os.Stat(filepath.Join(out, results.HTMLFile)); err != nil {
		t.Errorf("no report.html: %v", err)
	}

	// Every conversation the assistant saw is there; a conversation the
	// journal saw start may not have sent its first message yet.
	var turns, withTurns int
	for _, c := range convs {
		turns += len(c.Turns)
		if len(c.Turns) > 0 {
			withTurns++
		}
		if c.Outcome == transcript.Interrupted && c.Error == "" {
			t.Errorf("conversation %s interrupted without a word of why", c.ID)
		}
	}
	if uint64(len(convs)) < saw.Conversations || len(convs)-int(saw.Conversations) > users {
		t.Errorf("the simulator saw %d conversations, %d rebuilt", saw.Conversations, len(convs))
	}
	// At most the turn in flight of each user is lost.
	if lost := int(saw.Received) - turns; lost < 0 || lost > users {
		t.Errorf("the simulator received %d messages, %d turns rebuilt: %d lost, at most %d may be", saw.Received, turns, lost, users)
	}
	if got := sum.Metrics.Conversations.Turns; got != int64(turns) {
		t.Errorf("summary: %d turns, %d on disk", got, turns)
	}
	t.Logf("kill -9: the simulator saw %d conversations and %d messages; rebuilt %d conversations (%d recorded, %d in flight, %d with turns) and %d turns",
		saw.Conversations, saw.Received, len(convs), sum.Rebuilt.Recorded, sum.Rebuilt.InFlight, withTurns, turns)
}
