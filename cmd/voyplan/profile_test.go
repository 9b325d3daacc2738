package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// apply --cpuprofile writes the run's CPU profile (gzipped protobuf, what
// go tool pprof reads) and the run's results as without it.
func TestApplyWritesACPUProfile(t *testing.T) {
	ta := newTestApp(t)
	out, prof := filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "cpu.pprof")
	code := ta.main([]string{"apply", writePlan(t, kataryna(t), oneStage), "--out", out, "--quiet", "--cpuprofile", prof})
	if code != exitOK {
		t.Fatalf("exit %d, want %d\nstderr:\n%s", code, exitOK, ta.err.String())
	}
	f, err := os.Open(prof)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("the profile is not gzipped: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil || len(b) == 0 {
		t.Fatalf("the profile reads %d bytes, err %v", len(b), err)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Errorf("no summary.json beside the profile: %v", err)
	}
}

// A profile that cannot be written stops apply before anything runs.
func TestApplyCPUProfileUnwritable(t *testing.T) {
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	bad := filepath.Join(t.TempDir(), "missing", "cpu.pprof")
	code := ta.main([]string{"apply", writePlan(t, kataryna(t), oneStage), "--out", out, "--quiet", "--cpuprofile", bad})
	if code != exitError || !strings.Contains(ta.err.String(), "cannot write the CPU profile") {
		t.Fatalf("exit %d, stderr %q; want %d and the reason", code, ta.err.String(), exitError)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a results directory was made: %v", err)
	}
}
