package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/transcript"
)

// These tests run voyplan as a real process: built with go build, started
// with os/exec, stopped with real signals.

// buildVoyplan compiles the command into a temporary directory.
func buildVoyplan(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "voyplan")
	out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer collects a process's output; os/exec writes it from its own
// goroutines.
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

// proc is a voyplan process.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
	done           chan struct{}
	err            error // Wait's, once done is closed
}

// startProc starts bin with args and an environment free of any ngrok
// token; the process is killed when the test ends if still running.
func startProc(t *testing.T, bin string, stdout io.Writer, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = envWithout(os.Environ(), "NGROK_AUTHTOKEN")
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if stdout != nil {
		p.cmd.Stdout = io.MultiWriter(&p.stdout, stdout)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func envWithout(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// wait returns the exit code, failing the test if the process is still
// running after d.
func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("still running after %v\nstdout:\n%s\nstderr:\n%s", d, p.stdout.String(), p.stderr.String())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

func (p *proc) signal(t *testing.T, s os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(s); err != nil {
		t.Fatal(err)
	}
}

// waitForLines waits until path holds at least n lines; false after d.
func waitForLines(path string, n int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && bytes.Count(b, []byte("\n")) >= n {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// writeLongPlan writes a plan of users who hold conversation after
// conversation until the run is stopped, against the in-process simulator
// replying after latency; extra is appended (thresholds).
func writeLongPlan(t *testing.T, users int, latency, extra string) string {
	t.Helper()
	src := fmt.Sprintf(`
plan "process" { seed = 9 }
simulator { latency = %q }
target "sim" {}
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
%s
`, latency, kataryna(t), users, extra)
	path := filepath.Join(t.TempDir(), "process.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readConversationsStrict reads the results directory strictly: every line of
// conversations.jsonl complete and parsed, each conversation once.
func readConversationsStrict(t *testing.T, dir string) []transcript.Conversation {
	t.Helper()
	path := filepath.Join(dir, "conversations.jsonl")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("conversations.jsonl ends in a partial line: %q", b[max(0, len(b)-80):])
	}
	convs, err := results.ReadJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(b, []byte("\n")); lines != len(convs) {
		t.Errorf("%d lines but %d conversations parsed", lines, len(convs))
	}
	seen := map[string]bool{}
	for _, c := range convs {
		if seen[c.ID] {
			t.Errorf("conversation %s written twice", c.ID)
		}
		seen[c.ID] = true
		if c.Outcome == "" {
			t.Errorf("conversation %s has no outcome", c.ID)
		}
	}
	return convs
}

// checkAccountedOnDisk asserts summary.json against the conversations on disk:
// every started conversation is there, and the outcomes add up.
func checkAccountedOnDisk(t *testing.T, dir string, convs []transcript.Conversation) *results.Summary {
	t.Helper()
	sum, err := results.ReadSummary(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := sum.Metrics.Conversations
	if int(c.Started) != len(convs) {
		t.Errorf("summary: %d started, %d conversations on disk", c.Started, len(convs))
	}
	if c.Started != c.Succeeded+c.Failed+c.Abandoned+c.Interrupted {
		t.Errorf("started %d != succeeded %d + failed %d + abandoned %d + interrupted %d",
			c.Started, c.Succeeded, c.Failed, c.Abandoned, c.Interrupted)
	}
	byOutcome := map[transcript.Outcome]int64{}
	for _, cv := range convs {
		byOutcome[cv.Outcome]++
	}
	if byOutcome[transcript.Interrupted] != c.Interrupted || byOutcome[transcript.Completed] != c.Succeeded {
		t.Errorf("on disk %v; summary %+v", byOutcome, c)
	}
	return sum
}

func TestProcessSIGINTStopsGracefully(t *testing.T) {
	t.Parallel()
	bin := buildVoyplan(t)
	out := filepath.Join(t.TempDir(), "out")
	p := startProc(t, bin, nil, "apply", writeLongPlan(t, 6, "150ms", ""), "--out", out, "--quiet")
	if !waitForLines(filepath.Join(out, "conversations.jsonl"), 3, 60*time.Second) {
		t.Fatalf("no conversation finished\n%s", p.stderr.String())
	}
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t, 60*time.Second); code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstdout:\n%s\nstderr:\n%s", code, p.stdout.String(), p.stderr.String())
	}
	if !strings.Contains(p.stdout.String(), "INTERRUPTED") || !strings.Contains(p.stderr.String(), "finishing the turns in flight") {
		t.Errorf("no interrupted mark:\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	}
	convs := readConversationsStrict(t, out)
	sum := checkAccountedOnDisk(t, out, convs)
	if !sum.Interrupted || sum.Metrics.Conversations.Interrupted == 0 || sum.StopReason != results.StopSignal {
		t.Errorf("summary interrupted %v (stop_reason %q) with %d interrupted conversations", sum.Interrupted, sum.StopReason, sum.Metrics.Conversations.Interrupted)
	}
	// The turns in flight were let finish: every turn sent got its reply.
	var turns int64
	for _, c := range convs {
		for _, turn := range c.Turns {
			turns++
			if turn.ReplyMS == nil || turn.Attempts != 1 {
				t.Errorf("conversation %s (%s): turn %d: reply %v after %d attempts", c.ID, c.Outcome, turn.N, turn.ReplyMS, turn.Attempts)
			}
		}
	}
	// summary.json carries the webhook's counters and the send attempts.
	if w := sum.Metrics.Webhook; w.Received < turns || w.Malformed+w.Unmatched+w.Late != 0 {
		t.Errorf("summary webhook %+v for %d turns", w, turns)
	}
	if a := sum.Metrics.Send.Attempts; a != turns {
		t.Errorf("summary send.attempts %d, want %d", a, turns)
	}
}

func TestProcessSecondSIGINTStopsAtOnce(t *testing.T) {
	t.Parallel()
	bin := buildVoyplan(t)
	out := filepath.Join(t.TempDir(), "out")
	p := startProc(t, bin, nil, "apply", writeLongPlan(t, 4, "30s", ""), "--out", out, "--quiet")
	time.Sleep(time.Second) // every user has sent its first message; replies are 30 s away
	p.signal(t, syscall.SIGINT)
	time.Sleep(200 * time.Millisecond)
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t, 15*time.Second); code != exitInterrupted {
		t.Fatalf("exit %d, want 130\nstderr:\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "stopping now") || !strings.Contains(p.stdout.String(), "INTERRUPTED") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	}
	convs := readConversationsStrict(t, out)
	checkAccountedOnDisk(t, out, convs)
	if len(convs) != 4 {
		t.Errorf("%d conversations on disk, want the 4 in flight", len(convs))
	}
	for _, c := range convs {
		if c.Outcome != transcript.Interrupted {
			t.Errorf("conversation %s: %s, want interrupted", c.ID, c.Outcome)
		}
	}
}

// kill -9 leaves no chance to clean up: every conversation that had ended
// must already be on disk, whole.
func TestProcessKill9KeepsFinishedConversations(t *testing.T) {
	t.Parallel()
	bin := buildVoyplan(t)
	out := filepath.Join(t.TempDir(), "out")
	path := filepath.Join(out, "conversations.jsonl")
	p := startProc(t, bin, nil, "apply", writeLongPlan(t, 8, "10ms", ""), "--out", out, "--quiet")
	if !waitForLines(path, 10, 60*time.Second) {
		t.Fatalf("no conversations finished\n%s", p.stderr.String())
	}
	before, err := results.ReadJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-p.done
	after := readConversationsStrict(t, out)
	if len(after) < len(before) {
		t.Fatalf("%d conversations on disk after the kill, %d before it", len(after), len(before))
	}
	ids := map[string]bool{}
	for _, c := range after {
		ids[c.ID] = true
	}
	for _, c := range before {
		if !ids[c.ID] {
			t.Errorf("conversation %s was on disk before the kill and is gone", c.ID)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("summary.json of a killed run: %v", err)
	}
}

// Conversations reach conversations.jsonl in whole lines, each write(2)
// carrying one line or a run of consecutive whole lines (the appender's
// group commit), so a kill can only ever cut the write in flight, never
// split a line over two writes or interleave two.
func TestProcessJSONLWritesWholeLines(t *testing.T) {
	t.Parallel()
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed")
	}
	bin := buildVoyplan(t)
	dir := t.TempDir()
	out, trace := filepath.Join(dir, "out"), filepath.Join(dir, "trace")
	plan := writePlan(t, kataryna(t), oneStage)
	// -ff: one trace file per thread, so no call is split over two lines.
	cmd := exec.Command(strace, "-ff", "-qq", "-e", "trace=write", "-s", "0", "-o", trace,
		bin, "apply", plan, "--out", out, "--quiet")
	if b, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(b), "ptrace") || strings.Contains(string(b), "Operation not permitted") {
			t.Skipf("strace cannot trace here: %s", b)
		}
		t.Fatalf("%v\n%s", err, b)
	}
	convs := readConversationsStrict(t, out)
	lines, err := os.ReadFile(filepath.Join(out, "conversations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var lens []int // the file's lines' sizes, in order
	for _, l := range strings.Split(string(lines), "\n") {
		if l != "" {
			lens = append(lens, len(l)+1)
		}
	}
	files, err := filepath.Glob(trace + ".*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no trace files: %v", err)
	}
	var tr []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tr = append(tr, b...)
	}
	writes := map[int]int{} // whole writes of the run, by size
	sc := bufio.NewScanner(bytes.NewReader(tr))
	for sc.Scan() {
		var fd, n, ret int
		if _, err := fmt.Sscanf(sc.Text(), "write(%d, \"\"..., %d) = %d", &fd, &n, &ret); err == nil && ret == n {
			writes[n]++
		}
	}
	// Cover the file, in order, with writes of one line or of a run of
	// consecutive lines.
	got := 0
	for i := 0; i < len(lens); {
		sum, j := 0, i
		for ; j < len(lens); j++ {
			if sum += lens[j]; writes[sum] > 0 {
				writes[sum]--
				break
			}
		}
		if j == len(lens) {
			t.Fatalf("%d conversations: line %d (%d bytes) began no write of whole lines:\n%s", len(convs), i+1, lens[i], tr)
		}
		got += j - i + 1
		i = j + 1
	}
	if got != len(convs) {
		t.Errorf("%d conversations, but %d lines written whole", len(convs), got)
	}
}

func TestProcessAbortThresholdExits2(t *testing.T) {
	t.Parallel()
	bin := buildVoyplan(t)
	out := filepath.Join(t.TempDir(), "out")
	plan := writeLongPlan(t, 3, "10ms", `threshold "few_conversations" {
  check = "conversations.started < 4"
  abort = true
}`)
	p := startProc(t, bin, nil, "apply", plan, "--out", out, "--quiet")
	if code := p.wait(t, 60*time.Second); code != exitThreshold {
		t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, p.stdout.String(), p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), `run aborted: threshold "few_conversations" failed`) ||
		!strings.Contains(p.stdout.String(), "INTERRUPTED") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	}
	if sum := checkAccountedOnDisk(t, out, readConversationsStrict(t, out)); sum.StopReason != results.StopAbort || sum.AbortedBy != "few_conversations" {
		t.Errorf("summary: stop_reason %q, aborted_by %q; want abort by few_conversations", sum.StopReason, sum.AbortedBy)
	}
}

// With the open-file limit too low for the plan's users the run refuses to
// start, and says what to do.
func TestProcessOpenFileLimitTooLow(t *testing.T) {
	t.Parallel()
	bin := buildVoyplan(t)
	out := filepath.Join(t.TempDir(), "out")
	plan := writePlan(t, kataryna(t), `stage "s" {
  users      = 500
  spawn_rate = 50
  duration   = "1m"
}`)
	cmd := exec.Command("/bin/sh", "-c", `ulimit -n 300 && exec "$0" "$@"`, bin, "apply", plan, "--out", out, "--quiet")
	b, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Fatalf("exit %v, want 1\n%s", err, b)
	}
	for _, want := range []string{"cannot run 500 concurrent users", "needs about 1256 open files", "the limit is 300", "ulimit -n", "voyplan sim"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("output lacks %q:\n%s", want, b)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the results directory was created: %v", err)
	}
}

// An ngrok plan without a token fails before anything starts — no results
// directory — naming the variable to set and the alternatives.
func TestApplyNgrokWithoutToken(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t) // its environment has no NGROK_AUTHTOKEN
	out := filepath.Join(t.TempDir(), "out")
	plan := writePlan(t, kataryna(t), oneStage+`webhook { tunnel = "ngrok" }`)
	if code := ta.main([]string{"apply", plan, "--out", out, "--quiet"}); code != exitError {
		t.Fatalf("exit %d, want 1\n%s", code, ta.err.String())
	}
	for _, want := range []string{"NGROK_AUTHTOKEN", `tunnel = "none"`, "public_url"} {
		if !strings.Contains(ta.err.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, ta.err.String())
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the results directory was created: %v", err)
	}
}
