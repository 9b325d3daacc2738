package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// scaleUsers is how many concurrent conversations TestProcessScale holds:
// 2,000 by default (every CI run), VOYPLAN_SCALE_USERS to change it — the
// issue's figure is 10,000 (make scale).
func scaleUsers(t *testing.T) int {
	t.Helper()
	s := os.Getenv("VOYPLAN_SCALE_USERS")
	if s == "" {
		return 2000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("VOYPLAN_SCALE_USERS=%q is not a number of users", s)
	}
	return n
}

// startSim starts `voyplan sim` as its own process and returns its widget
// URL and the process.
func startSim(t *testing.T, bin string, args ...string) (string, *proc) {
	t.Helper()
	r, w := io.Pipe()
	p := startProc(t, bin, w, append([]string{"sim", "--listen", "127.0.0.1:0"}, args...)...)
	t.Cleanup(func() { _ = w.Close() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "simulator listening: "); ok {
				urls <- u
				break
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case u := <-urls:
		return u, p
	case <-p.done:
		t.Fatalf("voyplan sim exited: %v\n%s", p.err, p.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("voyplan sim did not start\n%s", p.stderr.String())
	}
	return "", nil
}

// TestProcessScale holds thousands of conversations at once against
// `voyplan sim` in a second process: replies take 3 s, so every
// conversation is in flight at the same time, and none may fail.
func TestProcessScale(t *testing.T) {
	t.Parallel()
	users := scaleUsers(t)
	bin := buildVoyplan(t)
	url, sim := startSim(t, bin, "--latency", "3s", "--jitter", "500ms", "--image-every", "0")
	plan := filepath.Join(t.TempDir(), "scale.hcl")
	src := fmt.Sprintf(`
plan "scale" { seed = 17 }
target "sim" {
  url     = %q
  timeout = "30s"
}
data "customer" {
  name = name()
}
persona "p" { script = ["Olá", "Quero comprar ingressos", "Obrigado"] }
conversation {
  reply_timeout          = "30s"
  reply_settle           = "0s"
  conversations_per_user = 1
  complete_when          = "turn >= 2"
}
stage "all" {
  users      = %d
  spawn_rate = %d
  duration   = "3m"
}
threshold "no_errors" {
  check = "conversations.succeeded == %d && send.failed == 0 && reply.failed == 0 && webhook.malformed == 0"
}
`, url, users, users/2, users)
	if err := os.WriteFile(plan, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	p := startProc(t, bin, nil, "apply", plan, "--out", out, "--quiet")
	if code := p.wait(t, 3*time.Minute); code != exitOK {
		sim.signal(t, os.Interrupt) // it prints what it received and delivered
		sim.wait(t, 30*time.Second)
		log, _ := os.ReadFile(filepath.Join(out, "run.log"))
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s\nsimulator:\n%s\nrun.log:\n%s", code, p.stdout.String(),
			tail(p.stderr.String()), sim.stdout.String(), tail(string(log)))
	}
	convs := readConversationsStrict(t, out)
	checkAccountedOnDisk(t, out, convs)
	if len(convs) != users {
		t.Fatalf("%d conversations, want %d", len(convs), users)
	}
	if peak := peakConcurrency(convs); peak < users*9/10 {
		t.Errorf("at most %d conversations were in flight at once, want nearly all %d", peak, users)
	}
}

// peakConcurrency is the most conversations in flight at one instant.
func peakConcurrency(convs []transcript.Conversation) int {
	type event struct {
		at    time.Time
		delta int
	}
	events := make([]event, 0, 2*len(convs))
	for _, c := range convs {
		events = append(events, event{c.StartedAt, 1}, event{c.EndedAt, -1})
	}
	slices.SortFunc(events, func(a, b event) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.delta - b.delta // an end before a start at the same instant
	})
	peak, n := 0, 0
	for _, e := range events {
		n += e.delta
		peak = max(peak, n)
	}
	return peak
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}
