package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/results"
)

// testApp is an app whose outside world is buffers and a signal channel.
type testApp struct {
	*app
	out, err bytes.Buffer
	sig      chan os.Signal
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	ta := &testApp{sig: make(chan os.Signal, 2)}
	wd := t.TempDir()
	ta.app = &app{
		stdout:  &ta.out,
		stderr:  &ta.err,
		environ: []string{"HOME=" + wd},
		getwd:   func() (string, error) { return wd, nil },
		notify:  func() (<-chan os.Signal, func()) { return ta.sig, func() {} },
	}
	return ta
}

// writePlan writes a plan running scripted users against the in-process
// simulator; body is appended (stages, thresholds, ...).
func writePlan(t *testing.T, script, body string) string {
	t.Helper()
	src := fmt.Sprintf(`
plan "cli" { seed = 3 }
simulator { latency = "5ms" }
target "sim" {}
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("example.com")
  cpf   = cpf()
}
persona "p" { script = %s }
conversation {
  reply_timeout          = "2s"
  reply_settle           = "20ms"
  conversations_per_user = 1
}
%s`, script, body)
	path := filepath.Join(t.TempDir(), "cli.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func kataryna(t *testing.T) string {
	abs, err := filepath.Abs("../../personas/kataryna.script")
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`split("\n", trimspace(templatefile(%q, { customer = data.customer })))`, abs)
}

const oneStage = `stage "s" {
  users      = 2
  spawn_rate = 50
  duration   = "20s"
}
`

func TestApplyExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		threshold string
		want      int
		verdict   string
	}{
		{"thresholds hold", `threshold "ok" { check = "conversations.succeeded == 2" }`, exitOK, "PASS"},
		{"a threshold fails", `threshold "too_much" { check = "conversations.succeeded > 100" }`, exitThreshold, "FAIL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			out := filepath.Join(t.TempDir(), "out")
			code := ta.main([]string{"apply", writePlan(t, kataryna(t), oneStage+tt.threshold), "--out", out, "--quiet"})
			if code != tt.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.want, ta.out.String(), ta.err.String())
			}
			if !strings.Contains(ta.out.String(), tt.verdict+" — ") {
				t.Errorf("verdict line %q missing:\n%s", tt.verdict, ta.out.String())
			}
			sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Metrics.Conversations.Started != 2 || strings.ToUpper(sum.Verdict) != tt.verdict || sum.StopReason != results.StopCompleted {
				t.Errorf("summary: started %d verdict %q stop_reason %q", sum.Metrics.Conversations.Started, sum.Verdict, sum.StopReason)
			}
			convs, err := results.ReadJSONL(filepath.Join(out, "conversations.jsonl"))
			if err != nil || len(convs) != 2 {
				t.Fatalf("conversations.jsonl: %d lines, err %v; want 2", len(convs), err)
			}
		})
	}
}

// A results directory that holds a run is never appended to: the second
// apply into it exits 1 before running, and the first run's files stay as
// they were.
func TestApplyRefusesADirectoryHoldingARun(t *testing.T) {
	t.Parallel()
	plan := writePlan(t, kataryna(t), oneStage)
	out := filepath.Join(t.TempDir(), "out")
	if code := newTestApp(t).main([]string{"apply", plan, "--out", out, "--quiet"}); code != exitOK {
		t.Fatalf("first run: exit %d", code)
	}
	before, err := os.ReadFile(filepath.Join(out, "conversations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ta := newTestApp(t)
	if code := ta.main([]string{"apply", plan, "--out", out, "--quiet"}); code != exitError ||
		!strings.Contains(ta.err.String(), out+" already holds the results of a run") {
		t.Fatalf("second run into the same --out: exit %d, stderr %q; want 1 and a clear message", code, ta.err.String())
	}
	if after, _ := os.ReadFile(filepath.Join(out, "conversations.jsonl")); !bytes.Equal(before, after) {
		t.Error("the second apply changed the first run's conversations.jsonl")
	}
}

func TestResultsDirDefaultNeverCollides(t *testing.T) {
	t.Chdir(t.TempDir()) // not parallel: the working directory is the process's
	now := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	first, err := resultsDir("", "smoke test", now)
	if err != nil || first != filepath.Join("runs", "smoke-test-20261125-010203") {
		t.Fatalf("first: %q, %v", first, err)
	}
	if err := os.WriteFile(filepath.Join(first, "summary.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := resultsDir("", "smoke test", now)
	if err != nil || second != first+"-2" {
		t.Errorf("a second run in the same second: %q, %v; want %q", second, err, first+"-2")
	}
}

func TestApplyInterruptedExits130AndWritesResults(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	path := writePlan(t, kataryna(t), `stage "s" {
  users      = 3
  spawn_rate = 50
  duration   = "1m"
}
threshold "ok" { check = "conversations.started > 0" }`)
	time.AfterFunc(300*time.Millisecond, func() { ta.sig <- syscall.SIGINT })
	start := time.Now()
	code := ta.main([]string{"apply", path, "--out", out, "--quiet"})
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s\n%s", code, ta.out.String(), ta.err.String())
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("interrupt took %s", time.Since(start))
	}
	if !strings.Contains(ta.out.String(), "INTERRUPTED") {
		t.Errorf("verdict has no INTERRUPTED mark:\n%s", ta.out.String())
	}
	var sum map[string]any
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil || sum["interrupted"] != true || sum["stop_reason"] != "signal" {
		t.Fatalf("summary.json interrupted = %v, stop_reason = %v (err %v)", sum["interrupted"], sum["stop_reason"], err)
	}
	convs, err := results.ReadJSONL(filepath.Join(out, "conversations.jsonl"))
	if err != nil || len(convs) != 3 {
		t.Fatalf("conversations.jsonl: %d lines (err %v), want the 3 started", len(convs), err)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "bad.hcl")
	if err := os.WriteFile(bad, []byte("plan \"x\" {}\nstage \"s\" {\n  usrs = 1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		want   int
		stdout string
		stderr []string
	}{
		{"the demo plan", []string{"validate", "../../plans/local.hcl"}, exitOK, "is valid", nil},
		{"the live plans validate offline", []string{"validate", "../../plans/load.hcl"}, exitOK, "is valid", nil},
		{"a misspelt attribute", []string{"validate", bad}, exitError, "",
			[]string{bad + ":3:3: error: Unsupported argument", "Did you mean \"users\"?", "usrs = 1", "is not a valid plan"}},
		{"a missing file", []string{"validate", "nope.hcl"}, exitError, "", []string{"nope.hcl"}},
		{"no argument", []string{"validate"}, exitError, "", []string{"takes 1 argument"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			if code := ta.main(tt.args); code != tt.want {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.want, ta.out.String(), ta.err.String())
			}
			if !strings.Contains(ta.out.String(), tt.stdout) {
				t.Errorf("stdout %q lacks %q", ta.out.String(), tt.stdout)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(ta.err.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, ta.err.String())
				}
			}
		})
	}
}

func TestPlanPrintsTheScheduleAndHonoursOverrides(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if code := ta.main([]string{"plan", "../../plans/smoke.hcl", "-u", "7", "-r", "0.5", "-t", "90s"}); code != exitOK {
		t.Fatalf("exit %d\n%s", code, ta.err.String())
	}
	for _, want := range []string{"0 → 7", "0.5/s", "1m30s", "12s", "7 users at peak"} {
		if !strings.Contains(ta.out.String(), want) {
			t.Errorf("plan output lacks %q:\n%s", want, ta.out.String())
		}
	}
}

func TestFmtCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ugly := filepath.Join(dir, "ugly.hcl")
	if err := os.WriteFile(ugly, []byte("stage \"s\" {\nusers=1\n    duration =   \"1s\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ta := newTestApp(t)
	if code := ta.main([]string{"fmt", "-check", dir}); code != exitError || !strings.Contains(ta.out.String(), "ugly.hcl") {
		t.Fatalf("fmt -check on an unformatted file: exit %d, out %q", code, ta.out.String())
	}
	ta = newTestApp(t)
	if code := ta.main([]string{"fmt", dir}); code != exitOK {
		t.Fatalf("fmt: exit %d %s", code, ta.err.String())
	}
	ta = newTestApp(t)
	if code := ta.main([]string{"fmt", "-check", dir}); code != exitOK {
		t.Fatalf("fmt -check after fmt: exit %d %q", code, ta.out.String())
	}
	b, _ := os.ReadFile(ugly)
	if !strings.Contains(string(b), "  users    = 1\n") {
		t.Errorf("not canonical:\n%s", b)
	}
}

// fmt refuses a file that does not parse: its diagnostic with file:line:col,
// exit 1, and the file left byte for byte as it was — while the others in
// the same directory are still formatted.
func TestFmtLeavesABrokenFileAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.hcl")
	src := []byte("stage \"s\" {\nusers=1\n    duration =   \"1s\"\n")
	if err := os.WriteFile(broken, src, 0o644); err != nil {
		t.Fatal(err)
	}
	ugly := filepath.Join(dir, "ugly.hcl")
	if err := os.WriteFile(ugly, []byte("stage \"s\" {\nusers=1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"fmt", dir}, {"fmt", "-check", dir}} {
		ta := newTestApp(t)
		if code := ta.main(args); code != exitError {
			t.Errorf("%v: exit %d, want %d", args, code, exitError)
		}
		if !strings.Contains(ta.err.String(), "broken.hcl:1:11") || !strings.Contains(ta.err.String(), "do not parse") {
			t.Errorf("%v: stderr lacks the diagnostic at broken.hcl:1:11:\n%s", args, ta.err.String())
		}
	}
	if b, _ := os.ReadFile(broken); string(b) != string(src) {
		t.Errorf("the broken file was rewritten:\n%s", b)
	}
	if b, _ := os.ReadFile(ugly); !strings.Contains(string(b), "  users = 1\n") {
		t.Errorf("the good file beside it was not formatted:\n%s", b)
	}
}

func TestUsageAndUnknownCommand(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if code := ta.main([]string{"--help"}); code != exitOK || !strings.Contains(ta.out.String(), "voyplan apply PLAN") {
		t.Errorf("--help: exit %d\n%s", code, ta.out.String())
	}
	commands := [][]string{nil} // the root's, then every command's
	for _, line := range strings.Split(ta.out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(line, "  voyplan ") && !slices.ContainsFunc(commands, func(c []string) bool { return len(c) > 0 && c[0] == f[1] }) {
			commands = append(commands, []string{f[1]})
		}
	}
	if len(commands) < 8 {
		t.Fatalf("--help lists %d commands, want the 10 or so:\n%s", len(commands)-1, ta.out.String())
	}
	for _, args := range commands {
		ta := newTestApp(t) // not a terminal: the usage keeps to usageColumns
		if code := ta.main(append(args, "--help")); code != exitOK {
			t.Errorf("%v --help: exit %d\n%s", args, code, ta.err.String())
		}
		for _, line := range strings.Split(ta.out.String(), "\n") {
			if n := utf8.RuneCountInString(line); n > usageColumns {
				t.Errorf("%v --help has a line of %d columns, over %d: %q", args, n, usageColumns, line)
			}
		}
	}
	ta = newTestApp(t)
	if code := ta.main([]string{"aply"}); code != exitError || !strings.Contains(ta.err.String(), `unknown command "aply"`) {
		t.Errorf("unknown command: exit %d\n%s", code, ta.err.String())
	}
	ta = newTestApp(t)
	if code := ta.main([]string{"apply", "--help"}); code != exitOK || !strings.Contains(ta.out.String(), "-spawn-rate") {
		t.Errorf("apply --help: exit %d\n%s", code, ta.out.String())
	}
}

// resultsDir is the path of the directory results.Create makes.
func resultsDir(out, plan string, now time.Time) (string, error) {
	d, err := results.Create(out, plan, now)
	if err != nil {
		return "", err
	}
	return d.Path(), nil
}

// applySource writes src as a plan named name, applies it with flags into
// a fresh results directory, fails the test unless it exits want, and
// returns the app (its output), the directory and its summary.json.
func applySource(t *testing.T, name, src string, want int, flags ...string) (*testApp, string, *results.Summary) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main(append([]string{"apply", path, "--out", out}, flags...)); code != want {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, want, ta.out.String(), ta.err.String())
	}
	sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	return ta, out, sum
}
