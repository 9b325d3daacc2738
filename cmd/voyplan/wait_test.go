package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanAndValidateWaitRanges: `voyplan plan` prints a think_time or
// pacing range as one, and a range with its ends reversed is a diagnostic
// at its file:line:col.
func TestPlanAndValidateWaitRanges(t *testing.T) {
	t.Parallel()
	const src = `plan "waits" { seed = 3 }
simulator {}
target "sim" {}
persona "p" { script = ["Olá"] }
conversation {
  think_time             = ["1s", "3s"]
  conversations_per_user = 0
  pacing                 = %s
}
stage "s" {
  users      = 2
  spawn_rate = 1
  duration   = "1m"
}
`
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.hcl"), filepath.Join(dir, "bad.hcl")
	for path, pacing := range map[string]string{good: `["2s", "4s"]`, bad: `["4s", "2s"]`} {
		if err := os.WriteFile(path, []byte(strings.Replace(src, "%s", pacing, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ta := newTestApp(t)
	if code := ta.main([]string{"plan", good}); code != exitOK {
		t.Fatalf("plan: exit %d\n%s", code, ta.err.String())
	}
	for _, want := range []string{"think 1s–3s", "(pacing 2s–4s)"} {
		if !strings.Contains(ta.out.String(), want) {
			t.Errorf("plan output lacks %q:\n%s", want, ta.out.String())
		}
	}
	ta = newTestApp(t)
	if code := ta.main([]string{"validate", bad}); code != exitError {
		t.Fatalf("validate: exit %d, want %d\n%s", code, exitError, ta.out.String())
	}
	if want := bad + ":8:28: error: Invalid duration range"; !strings.Contains(ta.err.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, ta.err.String())
	}
}
