package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/results"
)

const arrivalExample = "../../plans/examples/arrival.hcl"

// TestArrivalExample applies plans/examples/arrival.hcl as it is: every
// arrival of its two open stages (1/s for 5 s, 3/s for 15 s) starts a
// conversation, none is dropped, and its thresholds hold.
func TestArrivalExample(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main([]string{"apply", arrivalExample, "--out", out, "--quiet"}); code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, ta.out.String(), ta.err.String())
	}
	sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := sum.Metrics.Conversations
	if c.Started != 50 || c.Dropped != 0 || c.Started != c.Succeeded+c.Failed+c.Abandoned+c.Interrupted {
		t.Errorf("conversations %+v: want the 50 arrivals started, none dropped, all accounted for", c)
	}
	convs, err := results.ReadJSONL(filepath.Join(out, "conversations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	users := map[int]bool{}
	for _, cv := range convs {
		users[cv.User] = true
	}
	if len(convs) != 50 || len(users) != 50 {
		t.Errorf("%d conversations by %d users: want 50, each by a fresh user", len(convs), len(users))
	}
}

func TestPlanPrintsArrivals(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if code := ta.main([]string{"plan", arrivalExample}); code != exitOK {
		t.Fatalf("exit %d\n%s", code, ta.err.String())
	}
	for _, want := range []string{"ARRIVAL RATE", "MAX IN FLIGHT", "│ 3/s", "│ 45 ", "│ 60 ", "│ 1000 ",
		"50 conversations arrive over 20s", "at most 50 in flight at once", "conversations.dropped == 0"} {
		if !strings.Contains(ta.out.String(), want) {
			t.Errorf("plan output lacks %q:\n%s", want, ta.out.String())
		}
	}
	// -t alone runs one open stage at the first stage's rate; -u and -r
	// have no place in an open plan.
	ta = newTestApp(t)
	if code := ta.main([]string{"plan", arrivalExample, "-t", "8s"}); code != exitOK || !strings.Contains(ta.out.String(), "8 conversations arrive over 8s") {
		t.Errorf("plan -t 8s: exit %d\n%s%s", code, ta.out.String(), ta.err.String())
	}
	ta = newTestApp(t)
	if code := ta.main([]string{"plan", arrivalExample, "-u", "5"}); code != exitError || !strings.Contains(ta.err.String(), "open (arrival_rate)") {
		t.Errorf("plan -u 5 on an open plan: exit %d, stderr %q", code, ta.err.String())
	}
}

// TestPlanEstimatesOpenLLMCost: the worst-case bill of an open plan counts
// one conversation per arrival.
func TestPlanEstimatesOpenLLMCost(t *testing.T) {
	t.Parallel()
	src := `
simulator {}
target "sim" {}
llm "gemini" {
  model             = "gemini-2.5-flash"
  price_input       = 0.30
  price_output      = 2.50
  max_output_tokens = 50
  thinking_budget   = 0
}
persona "g" {
  llm    = "gemini"
  prompt = "Você é um cliente."
}
conversation { max_turns = 5 }
stage "peak" {
  arrival_rate = 2
  duration     = "1m"
}
`
	path := filepath.Join(t.TempDir(), "open-llm.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ta := newTestApp(t)
	ta.environ = append(ta.environ, "GOOGLE_API_KEY=k")
	if code := ta.main([]string{"plan", path}); code != exitOK {
		t.Fatalf("exit %d\n%s", code, ta.err.String())
	}
	for _, want := range []string{"120 conversations arrive over 1m", `llm "gemini"`, "120 conversations × 4 generations = 480 generations"} {
		if !strings.Contains(ta.out.String(), want) {
			t.Errorf("plan output lacks %q:\n%s", want, ta.out.String())
		}
	}
}
