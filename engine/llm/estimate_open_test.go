package llm

import (
	"path/filepath"
	"testing"

	"github.com/voyplan/voyplan/engine/plan"
)

// TestEstimateOpenStages: an open plan's worst case is one conversation
// per arrival — rate × duration, whatever conversations_per_user says —
// each going to max_turns.
func TestEstimateOpenStages(t *testing.T) {
	t.Parallel()
	src := `
target "t" { url = "http://127.0.0.1:9/" }
llm "gemini" {
  model             = "gemini-2.5-flash"
  max_output_tokens = 20
  thinking_budget   = 0
}
persona "g" {
  llm    = "gemini"
  prompt = "x"
}
persona "s" { script = ["Olá"] }
conversation { max_turns = 3 }
stage "warm" {
  arrival_rate = 0.5
  duration     = "20s"
}
stage "peak" {
  arrival_rate = 3
  duration     = "30s"
  max_users    = 10
}
`
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "o.hcl"), plan.Options{})
	if len(diags) != 0 {
		t.Fatal(diags.Error())
	}
	es := EstimatePlan(p)
	if len(es) != 1 {
		t.Fatalf("%d estimates, want 1", len(es))
	}
	// (10 + 90 arrivals) × half the weight = 50 conversations, 2 generations each.
	if e := es[0]; e.Conversations != 50 || e.Generations != 100 || !e.Bounded {
		t.Errorf("estimate %+v: want 50 conversations, 100 generations, bounded", e)
	}
}
