package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/results"
)

// TestCrosstalkExample applies plans/examples/crosstalk.hcl as it is: the
// simulator leaks other conversations' names and links, the run fails on
// its no_crosstalk threshold with the red line above the verdict, and
// summary.json, the flagged turns and run.log agree — run.log and the
// output naming users, never the leaked values.
func TestCrosstalkExample(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main([]string{"apply", "../../plans/examples/crosstalk.hcl", "--out", out}); code != exitThreshold {
		t.Fatalf("exit %d, want %d (the no_crosstalk threshold fails)\nstdout:\n%s\nstderr:\n%s", code, exitThreshold, ta.out.String(), ta.err.String())
	}
	sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	convs, err := results.ReadJSONL(filepath.Join(out, "conversations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	logged, err := os.ReadFile(filepath.Join(out, "run.log"))
	if err != nil {
		t.Fatal(err)
	}
	var flagged int64
	for _, c := range convs {
		for _, turn := range c.Turns {
			if len(turn.Crosstalk) == 0 {
				continue
			}
			flagged++
			for _, l := range turn.Crosstalk {
				leaked := convs[0].Data // the leaked user's data, to be sure it is nowhere in the log
				for _, o := range convs {
					if o.User == l.User {
						leaked = o.Data
					}
				}
				if v := leaked["customer"]["name"]; strings.Contains(string(logged), v) || strings.Contains(ta.out.String()+ta.err.String(), v) {
					t.Errorf("user %d's name %q is in run.log or the output", l.User, v)
				}
			}
		}
	}
	n := sum.Metrics.Conversations.Crosstalk
	if n == 0 || n != flagged || int64(strings.Count(string(logged), "cross-talk: a reply carried")) != n {
		t.Errorf("conversations.crosstalk = %d, flagged turns %d, run.log lines %d: want the same, and some",
			n, flagged, strings.Count(string(logged), "cross-talk: a reply carried"))
	}
	if !strings.Contains(ta.out.String(), "CROSS-TALK — ") || !strings.Contains(ta.out.String(), "failed: no_crosstalk") {
		t.Errorf("the verdict lacks the cross-talk line or the failed threshold:\n%s", ta.out.String())
	}
}
