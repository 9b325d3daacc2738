package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results/resultstest"
)

// diskFile is a file on a disk with room for left more bytes: a write that
// does not fit writes what fits and fails with ENOSPC, as write(2) does.
type diskFile struct {
	*os.File
	mu        sync.Mutex
	left      int
	truncFail bool // Truncate fails too
}

func (d *diskFile) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := min(len(p), d.left)
	n, err := d.File.Write(p[:n])
	d.left -= n
	if err == nil && n < len(p) {
		err = syscall.ENOSPC
	}
	return n, err
}

func (d *diskFile) Truncate(size int64) error {
	if d.truncFail {
		return syscall.EIO
	}
	fi, err := d.Stat()
	if err != nil {
		return err
	}
	if err := d.File.Truncate(size); err != nil {
		return err
	}
	d.mu.Lock()
	d.left += int(fi.Size() - size) // the fragment's room is free again
	d.mu.Unlock()
	return nil
}

func (d *diskFile) free(n int) { d.mu.Lock(); d.left += n; d.mu.Unlock() }

// onDisk makes a's file a diskFile with room for left bytes.
func onDisk(t *testing.T, a *appender, left int, truncFail bool) *diskFile {
	t.Helper()
	var d *diskFile
	a.wrap = func(f *os.File) appendFile {
		d = &diskFile{File: f, left: left, truncFail: truncFail}
		return d
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f != nil {
		a.f.Close()
	}
	if err := a.open(); err != nil {
		t.Fatal(err)
	}
	return d
}

// wholeLines fails the test unless path is whole JSON lines, and returns
// how many.
func wholeLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("%s ends in a fragment: %q", path, b[max(0, len(b)-40):])
	}
	n := 0
	for i, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		if len(line) == 0 && len(b) == 0 {
			break
		}
		if !json.Valid(line) {
			t.Errorf("%s:%d is torn: %q", path, i+1, line)
		}
		n++
	}
	return n
}

// A write the disk cannot take whole leaves no fragment: the file goes
// back to its last whole line, and once there is room again the next lines
// follow it whole.
func TestAppenderFullDiskLeavesWholeLines(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ConversationsFile)
	j, err := CreateJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := encodeLine(resultstest.Conversation("c0"))
	disk := onDisk(t, &j.appender, 3*len(line)+len(line)/2, false) // room for 3½ lines
	var failed int
	for i := range 6 {
		if err := j.Write(resultstest.Conversation(fmt.Sprintf("c%d", i))); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("write %d: %v, want ENOSPC", i, err)
			}
			failed++
		}
	}
	if failed != 3 {
		t.Errorf("%d writes failed, want 3", failed)
	}
	if n := wholeLines(t, path); n != 3 {
		t.Errorf("%d whole lines after the disk filled, want 3", n)
	}
	disk.free(10 * len(line))
	if err := j.Write(resultstest.Conversation("after")); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if n := wholeLines(t, path); n != 4 {
		t.Errorf("%d whole lines once there was room again, want 4", n)
	}
}

// When even the truncation fails, the file may end in a fragment: the
// appender writes nothing after it (which would tear a line in the
// middle), and readers skip the torn last line.
func TestAppenderRefusesToWriteAfterAFragment(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ConversationsFile)
	j, err := CreateJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := encodeLine(resultstest.Conversation("c0"))
	disk := onDisk(t, &j.appender, len(line)+10, true)
	if err := j.Write(resultstest.Conversation("c0")); err != nil {
		t.Fatal(err)
	}
	if err := j.Write(resultstest.Conversation("c1")); err == nil {
		t.Fatal("a write past the disk's room succeeded")
	}
	disk.free(10 * len(line))
	err = j.Write(resultstest.Conversation("c2"))
	if err == nil || !strings.Contains(err.Error(), "fragment") {
		t.Errorf("a write after a fragment: %v, want it refused", err)
	}
	j.Close()
	convs, err := ReadJSONL(path)
	if err != nil || len(convs) != 1 {
		t.Errorf("read %d conversations (%v), want the one whole line", len(convs), err)
	}
}

// The Sinks of a run whose disk filled stop writing at the first failure,
// count every conversation after it lost, give the reserve back, and
// Finish says INVALID — never PASS — in the verdict and summary.json, with
// stop_reason error.
func TestSinksFullDiskMakeTheRunInvalid(t *testing.T) {
	t.Parallel()
	dir, err := Create(filepath.Join(t.TempDir(), "out"), "full", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sinks, err := dir.OpenSinks(JournalRun{Plan: PlanInfo{Name: "full"}, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir.File(ReserveFile)); err != nil || fi.Size() != ReserveSize {
		t.Fatalf("reserve: %v %v", fi, err)
	}
	line, _ := encodeLine(resultstest.Conversation("c0"))
	onDisk(t, &sinks.Conversations.appender, 2*len(line)+7, false)
	var errs int
	for i := range 5 {
		if sinks.Write(resultstest.Conversation(fmt.Sprintf("c%d", i))) != nil {
			errs++
		}
	}
	if errs != 3 || sinks.Lost() != 3 {
		t.Errorf("%d writes failed, %d lost; want 3 and 3", errs, sinks.Lost())
	}
	if _, err := os.Stat(dir.File(ReserveFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the reserve is still there after the failure: %v", err)
	}
	inv := sinks.Invalid()
	if !strings.HasPrefix(inv, "3 conversations could not be recorded: ") || !strings.Contains(inv, "no space left") {
		t.Errorf("Invalid() = %q", inv)
	}

	th, err := plan.CompileCheck(plan.CheckSource{Name: "started", Check: "conversations.started >= 0"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	now := time.Now()
	f, err := dir.Finish(&out, Ending{
		Run:        Run{Plan: PlanInfo{Name: "full"}, Version: "test", StartedAt: now.Add(-time.Second), EndedAt: now},
		Snapshot:   metrics.NewRecorder([]string{"p"}).Snapshot(time.Second),
		Thresholds: []*plan.Threshold{th},
	}, sinks, func(*Dir) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	last := strings.TrimSpace(out.String())
	last = last[strings.LastIndex(last, "\n")+1:]
	if !strings.HasPrefix(last, "INVALID — 3 conversations could not be recorded") || strings.Contains(out.String(), "\nPASS") {
		t.Errorf("verdict:\n%s", out.String())
	}
	sum, err := dir.ReadSummary()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Verdict != VerdictInvalid || sum.StopReason != StopError || sum.Invalid != inv || f.Verdict.Invalid != inv {
		t.Errorf("summary: verdict %q, stop_reason %q, invalid %q", sum.Verdict, sum.StopReason, sum.Invalid)
	}
	raw, _ := os.ReadFile(dir.File(SummaryFile))
	if err := ValidateSummary(raw); err != nil {
		t.Error(err)
	}
	if n := wholeLines(t, dir.File(ConversationsFile)); n != 2 {
		t.Errorf("%d lines in conversations.jsonl, want the 2 that fitted", n)
	}
}

// Writers that fail at the same moment all find the reserve given back
// when their call returns, not only the first: the run logs the failure
// right after, on the disk the reserve frees.
func TestSinksEveryFailedWriteReturnsAfterTheReserveIsFreed(t *testing.T) {
	t.Parallel()
	for round := range 50 {
		dir, err := Create(filepath.Join(t.TempDir(), "out"), "full", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		sinks, err := dir.OpenSinks(JournalRun{Plan: PlanInfo{Name: "full"}, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 8 {
			wg.Go(func() {
				<-start
				sinks.fail(syscall.ENOSPC)
				if _, err := os.Stat(dir.File(ReserveFile)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("round %d: a failed write returned with the reserve still there (%v)", round, err)
				}
			})
		}
		close(start)
		wg.Wait()
		sinks.Close()
		if t.Failed() {
			return
		}
	}
}
