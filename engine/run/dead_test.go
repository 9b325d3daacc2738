package run

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/rig"
	"github.com/voyplan/voyplan/engine/transcript"
)

// closedPort returns a loopback address the OS picked and nothing listens
// on any more: a connection to it is refused.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// deadPlan is users repeating conversations without pacing against an
// assistant nobody answers for.
func deadPlan(t *testing.T, addr string, users int, stage time.Duration) *plan.Plan {
	t.Helper()
	src := fmt.Sprintf(`
plan "dead" { seed = 3 }
target "voyager" {
  url           = "http://%s/v1/webhooks/widget"
  channel_id    = "68e4464832ec9940d9993a12"
  client_domain = "@stw.ai"
  timeout       = "5s"
}
webhook {
  listen = "127.0.0.1:0"
  tunnel = "none"
}
persona "edman" { script = ["Olá", "Sim"] }
conversation {
  reply_timeout          = "2s"
  conversations_per_user = 0
  pacing                 = "0s"
}
stage "all" {
  users      = %d
  spawn_rate = 1000
  duration   = "%s"
}
`, addr, users, stage)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "dead.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("the plan does not load: %s", diags.Error())
	}
	return p
}

// notices collects a run's notices.
type notices struct {
	mu  sync.Mutex
	all []Notice
}

func (n *notices) add(x Notice) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = append(n.all, x)
}

func (n *notices) of(kind string) []Notice {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []Notice
	for _, x := range n.all {
		if x.Kind == kind {
			out = append(out, x)
		}
	}
	return out
}

// lockedBuffer is a run log a test reads after the run.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDeadTargetIsVisibleAndBounded: against a closed port, the first
// "connection refused" is a notice and a run-log line, the others are
// counted in the errors (one row: send_error, connection refused); once
// every send of the window failed, the run says once that the assistant
// looks down; and a conversation that failed at its first send waits
// before the next, so 20 repeating users without pacing start a handful of
// conversations each in 2 s, not thousands.
func TestDeadTargetIsVisibleAndBounded(t *testing.T) {
	t.Parallel()
	const users = 20
	p := deadPlan(t, closedPort(t), users, 2*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rg, err := rig.Open(ctx, p, rig.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rg.Close()
	var log lockedBuffer
	sink := &memSink{}
	r := New(p, Options{Sink: sink, Rig: rg, GracefulStop: 5 * time.Second, Log: slog.New(slog.NewTextHandler(&log, nil))})
	r.downWindow = 500 * time.Millisecond
	var got notices
	r.OnNotice(got.add)
	res, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	s := res.Snapshot

	want := []metrics.ErrorCount{{Kind: transcript.ReasonSendError, Message: "connection refused", Count: s.Conversations.Failed}}
	if len(s.Errors) != 1 || s.Errors[0] != want[0] {
		t.Errorf("errors %+v; want %+v", s.Errors, want)
	}
	if first := got.of(NoticeError); len(first) != 1 || first[0].Message != "connection refused" {
		t.Errorf("error notices %+v; want the first connection refused, once", first)
	}
	if down := got.of(NoticeDown); len(down) != 1 || !strings.Contains(down[0].Text, "every send failed for") ||
		!strings.Contains(down[0].Text, "the assistant looks down — connection refused") {
		t.Errorf("down notices %+v; want one saying the assistant looks down — connection refused", down)
	}
	logged := log.String()
	if strings.Count(logged, "msg=error kind=send_error") != 1 || !strings.Contains(logged, `message="connection refused"`) ||
		!strings.Contains(logged, "the assistant looks down") {
		t.Errorf("run.log:\n%s\nwant the first send error once and the assistant looking down", logged)
	}
	// 2 s of stage: a user's conversations start at 0 and 1 s (the first
	// failed start's pause), the next would be at 3 s.
	if started := s.Conversations.Started; started < users || started > 2*users {
		t.Errorf("%d conversations started by %d users in 2 s; want %d to %d", started, users, users, 2*users)
	}
}

// TestSendErrorsBackOffOnlyWhileFailing: a failed start's pause doubles
// with each further one of the user and resets once a message gets
// through; it never shortens the pacing.
func TestSendErrorsBackOffOnlyWhileFailing(t *testing.T) {
	t.Parallel()
	failed := &transcript.Conversation{Outcome: transcript.Failed, Reason: transcript.ReasonSendError, Turns: make([]transcript.Turn, 1)}
	later := &transcript.Conversation{Outcome: transcript.Failed, Reason: transcript.ReasonSendError, Turns: make([]transcript.Turn, 3)}
	done := &transcript.Conversation{Outcome: transcript.Completed, Turns: make([]transcript.Turn, 3)}
	var f failedStarts
	steps := []struct {
		rec  *transcript.Conversation
		pace time.Duration
		want time.Duration
	}{
		{failed, 0, time.Second},
		{failed, 0, 2 * time.Second},
		{failed, 3 * time.Second, 4 * time.Second},
		{failed, 10 * time.Second, 10 * time.Second}, // 8 s of pause, the pacing is longer
		{later, 0, 0},            // a message got through before the failure
		{failed, 0, time.Second}, // starts again from the first pause
		{done, 500 * time.Millisecond, 500 * time.Millisecond},
	}
	for i, st := range steps {
		if got := f.after(st.rec, st.pace); got != st.want {
			t.Errorf("step %d: wait %v; want %v", i, got, st.want)
		}
	}
	for range 10 {
		f.after(failed, 0)
	}
	if got := f.after(failed, 0); got != maxFailedStartPause {
		t.Errorf("after many failed starts: %v; want the cap %v", got, maxFailedStartPause)
	}
}

func TestErrorMessageIsNormalised(t *testing.T) {
	t.Parallel()
	tests := []struct{ detail, want string }{
		{"no reply within 2s", "no reply within 2s"},
		{`llm "gemini": HTTP 429 RESOURCE_EXHAUSTED: quota for https://generativelanguage.googleapis.com/v1/x?key=1 (after 3 attempts)`,
			`llm "gemini": HTTP 429 RESOURCE_EXHAUSTED: quota for … (after 3 attempts)`},
		{"conversation 3f1c2a4b-1111-2222-3333-444455556666 at 1700000000", "conversation … at …"},
		{"", "(no message)"},
	}
	for _, tt := range tests {
		if got := errorMessage(nil, tt.detail); got != tt.want {
			t.Errorf("errorMessage(%q) = %q; want %q", tt.detail, got, tt.want)
		}
	}
}
