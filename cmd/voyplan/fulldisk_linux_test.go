package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/voyplan/voyplan/engine/results"
)

// mountTmpfs mounts a tmpfs of the given size (mount(8)'s size=) on a new
// directory, unmounted when the test ends; the test is skipped when this
// process may not mount (not root, or no CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
			t.Skipf("cannot mount a tmpfs here (%v): the full-disk test needs root with CAP_SYS_ADMIN, as in CI", err)
		}
		t.Fatalf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("umount %s: %v", dir, err)
		}
	})
	return dir
}

// A run whose results directory fills up stops starting conversations at
// the first failed write, says so on the terminal and in run.log, exits 1
// with the verdict INVALID (never PASS), and leaves only whole lines —
// on a real full disk, with a real plan against the built-in simulator.
func TestApplyFullDiskIsInvalid(t *testing.T) {
	t.Parallel()
	disk := mountTmpfs(t, fmt.Sprintf("%dk", results.ReserveSize/1024+384)) // the reserve and 384 KiB for the run
	out := filepath.Join(disk, "out")
	plan := writePlan(t, kataryna(t), `stage "s" {
  users      = 8
  spawn_rate = 100
  duration   = "10m"
}
threshold "ok" { check = "conversations.success_rate >= 0" }
`)
	plan = repeatUsers(t, plan)
	ta := newTestApp(t)
	code := ta.main([]string{"apply", plan, "--out", out, "--quiet"})
	stdout, stderr := ta.out.String(), ta.err.String()
	if code != exitError {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	verdict := verdictLine(stdout)
	if !strings.HasPrefix(verdict, "INVALID — ") || !strings.Contains(verdict, "no space left on device") ||
		strings.Contains(stdout, "\nPASS") {
		t.Errorf("verdict line %q\nstdout:\n%s", verdict, stdout)
	}
	if !strings.Contains(stderr, "cannot record the results") || !strings.Contains(stderr, "no more conversations start") {
		t.Errorf("the terminal was not told:\n%s", stderr)
	}
	log, err := os.ReadFile(filepath.Join(out, results.RunLogFile))
	if err != nil || !bytes.Contains(log, []byte("cannot record the results")) {
		t.Errorf("run.log does not say it (%v):\n%s", err, log)
	}

	// Whole lines only, in every line file the run appended to.
	torn := 0
	for _, name := range []string{results.ConversationsFile, results.JournalFile, results.LateFile} {
		torn += tornLines(t, filepath.Join(out, name))
	}
	convs, err := results.ReadJSONL(filepath.Join(out, results.ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := results.ReadSummary(filepath.Join(out, results.SummaryFile))
	if err != nil {
		t.Fatalf("summary.json was not written on the full disk: %v", err)
	}
	lost := sum.Metrics.Conversations.Started - int64(len(convs))
	if sum.Verdict != results.VerdictInvalid || sum.StopReason != results.StopError ||
		!strings.HasPrefix(sum.Invalid, fmt.Sprintf("%d conversation", lost)) || lost < 1 {
		t.Errorf("summary: verdict %q, stop_reason %q, invalid %q; %d started, %d on disk",
			sum.Verdict, sum.StopReason, sum.Invalid, sum.Metrics.Conversations.Started, len(convs))
	}
	if torn != 0 {
		t.Errorf("%d torn lines", torn)
	}
	if _, err := os.Stat(filepath.Join(out, results.ReserveFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the reserve is left behind: %v", err)
	}
	t.Logf("full disk: exit %d; %d conversations started, %d recorded, %d lost; %d torn lines; %s",
		code, sum.Metrics.Conversations.Started, len(convs), lost, torn, verdict)
}

// repeatUsers makes writePlan's users hold conversation after conversation.
func repeatUsers(t *testing.T, plan string) string {
	t.Helper()
	b, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(b), "conversations_per_user = 1", "conversations_per_user = 0", 1)
	if err := os.WriteFile(plan, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return plan
}

// verdictLine is the line of stdout before "results: DIR".
func verdictLine(stdout string) string {
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	for i := len(lines) - 1; i > 0; i-- {
		if strings.HasPrefix(lines[i], "results: ") {
			return strings.TrimSpace(lines[i-2]) // a blank line between them
		}
	}
	return ""
}

// tornLines counts the lines of path that are not whole JSON; a missing
// file has none.
func tornLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++ // a last line without its newline
		b = b[:bytes.LastIndexByte(b, '\n')+1]
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(line) > 0 && !json.Valid(line) {
			n++
		}
	}
	return n
}
