package results

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
)

// historySamples are n samples of a Recorder with replies, sends, LLM calls
// and conversations in every interval, as a run's are.
func historySamples(n int) []metrics.Sample {
	r := metrics.NewRecorder([]string{"a", "b<&>"})
	h := metrics.NewHistoryStream(r)
	var out []metrics.Sample
	for i := range n {
		for j := range 3 + i%5 {
			r.Reply(time.Duration(1+i*7+j)*time.Millisecond+time.Duration(j)*time.Microsecond, j%4 != 3)
			r.Send(time.Duration(2+j)*time.Millisecond, true)
		}
		r.ConversationStarted("b<&>")
		r.UserStarted()
		if i%3 == 0 {
			r.ConversationStarted("a")
		}
		out = append(out, h.Sample(time.Duration(i+1)*time.Second+time.Duration(i)*time.Microsecond))
	}
	return out
}

// writeHistoryBytes is what WriteHistory writes for samples.
func writeHistoryBytes(t *testing.T, samples []metrics.Sample) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := WriteHistory(dir, NewHistory(metrics.HistoryInterval, samples)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// After every sample appended in place, history.json is byte for byte the
// file WriteHistory writes for the samples so far, and it reads back whole.
func TestHistoryFileIsWriteHistoryAfterEverySample(t *testing.T) {
	t.Parallel()
	samples := historySamples(25)
	dir := t.TempDir()
	h, err := createHistoryFile(dir, metrics.HistoryInterval)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, HistoryFile)
	for i := 0; i <= len(samples); i++ {
		if i > 0 {
			if err := h.append(samples[i-1]); err != nil {
				t.Fatalf("sample %d: %v", i, err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := writeHistoryBytes(t, samples[:i]); !bytes.Equal(got, want) {
			t.Fatalf("after %d samples the file is\n%s\nwant\n%s", i, got, want)
		}
		back, err := ReadHistory(path)
		if err != nil || len(back.Samples) != i {
			t.Fatalf("after %d samples ReadHistory: %v, %d samples", i, err, len(back.Samples))
		}
	}
	if err := h.close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("history.json: %v, mode %v; want 0644", err, fi.Mode().Perm())
	}
}

// fullDisk is a file that cannot grow past room bytes: a write past it
// writes what fits and fails with ENOSPC, as pwrite(2) does.
type fullDisk struct {
	*os.File
	room int64
}

func (d *fullDisk) WriteAt(p []byte, off int64) (int, error) {
	n := int(min(int64(len(p)), max(d.room-off, 0)))
	n, err := d.File.WriteAt(p[:n], off)
	if err == nil && n < len(p) {
		err = syscall.ENOSPC
	}
	return n, err
}

// A sample that does not fit leaves the file as it was: the samples
// before it, whole; the next one that fits is appended after them.
func TestHistoryFileFullDiskKeepsTheSamplesBefore(t *testing.T) {
	t.Parallel()
	samples := historySamples(6)
	dir := t.TempDir()
	path := filepath.Join(dir, HistoryFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	disk := &fullDisk{File: f, room: 1 << 20}
	h, err := newHistoryFile(disk, dir, metrics.HistoryInterval)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples[:3] {
		if err := h.append(s); err != nil {
			t.Fatal(err)
		}
	}
	full := writeHistoryBytes(t, samples[:3])
	disk.room = int64(len(full)) + 100 // the fourth sample is ~1 KiB
	if err := h.append(samples[3]); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("append on a full disk: %v; want ENOSPC", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, full) {
		t.Fatalf("after a failed append the file is\n%s\nwant the 3 samples before\n%s", got, full)
	}
	disk.room = 1 << 20
	if err := h.append(samples[4]); err != nil {
		t.Fatal(err)
	}
	if err := h.close(); err != nil {
		t.Fatal(err)
	}
	want := writeHistoryBytes(t, []metrics.Sample{samples[0], samples[1], samples[2], samples[4]})
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Fatalf("after room came back the file is\n%s\nwant\n%s", got, want)
	}
}
