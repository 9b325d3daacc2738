package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A torn last line in conversations.jsonl (a write cut short) is skipped
// by report, compare and merge with a warning naming the file, not a
// reason to refuse the run; a torn line in the middle is still an error
// naming file:line.
func TestReadersSkipATornLastLineWithAWarning(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out")
	ta := newTestApp(t)
	if code := ta.main([]string{"apply", writePlan(t, kataryna(t), oneStage), "--out", out, "--quiet"}); code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, ta.err.String())
	}
	path := filepath.Join(out, "conversations.jsonl")
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(bytes.Clone(whole), `{"id":"torn","turns":[{"n":1,"se`...), 0o644); err != nil {
		t.Fatal(err)
	}
	warning := path + " ends in a torn line"
	for _, args := range [][]string{{"report", out}, {"compare", out, out}} {
		ta := newTestApp(t)
		if code := ta.main(args); code != exitOK {
			t.Errorf("%s: exit %d, want 0\n%s", args[0], code, ta.err.String())
		}
		if !strings.Contains(ta.err.String(), "warning: "+warning) {
			t.Errorf("%s: no warning about the torn line:\n%s", args[0], ta.err.String())
		}
	}

	lines := bytes.SplitAfter(whole, []byte("\n"))
	middle := append(append(bytes.Clone(lines[0]), `{"id":"torn","tu`+"\n"...), bytes.Join(lines[1:], nil)...)
	if err := os.WriteFile(path, middle, 0o644); err != nil {
		t.Fatal(err)
	}
	ta = newTestApp(t)
	if code := ta.main([]string{"report", out}); code != exitError || !strings.Contains(ta.err.String(), path+":2: invalid conversation") {
		t.Errorf("a torn line in the middle: exit %d\n%s", code, ta.err.String())
	}
}
