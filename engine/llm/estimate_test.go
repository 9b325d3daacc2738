package llm

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/plan"
)

func TestEstimatePlan(t *testing.T) {
	t.Parallel()
	src := `
target "t" { url = "http://127.0.0.1:9/" }
llm "gemini" {
  model             = "gemini-2.5-flash"
  price_input       = 0.30
  price_output      = 2.50
  max_output_tokens = 20
  thinking_budget   = 0
}
persona "g" {
  llm    = "gemini"
  prompt = "` + strings.Repeat("x", 400) + `"
}
persona "s" {
  weight = 1
  script = ["Olá"]
}
conversation {
  max_turns              = 3
  conversations_per_user = 2
}
stage "s" {
  users      = 4
  spawn_rate = 100
  duration   = "1m"
}
`
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "e.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	es := EstimatePlan(p)
	if len(es) != 1 {
		t.Fatalf("%d estimates, want 1", len(es))
	}
	e := es[0]
	// 4 users × 2 conversations × half the weight = 4 conversations, 2
	// generations each. A conversation's input: 2 × 100 (prompt) + 150 × (1
	// + 2) (replies) + 20 × 1 (the earlier message) = 670 tokens.
	if e.Conversations != 4 || e.Generations != 8 || !e.Bounded || e.PromptTokens != 100 || e.DynamicThinking {
		t.Errorf("estimate %+v", e)
	}
	want := Usage{Input: 4 * 670, Output: 8 * 20, Thinking: 0}
	if e.Usage != want {
		t.Errorf("usage %+v, want %+v", e.Usage, want)
	}
	// 2680 × 0.30 + 160 × 2.50 = 804 + 400 = 1204 per 1M.
	if math.Abs(e.USD-0.001204) > 1e-12 {
		t.Errorf("usd %v, want 0.001204", e.USD)
	}
}

func TestEstimateDynamicThinkingAndRepeatingConversations(t *testing.T) {
	t.Parallel()
	p, diags := plan.Load("../../plans/smoke.hcl", plan.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	p.LLMs["gemini"].ThinkingBudget = nil // the model decides
	es := EstimatePlan(p)
	if len(es) != 1 {
		t.Fatalf("estimates %+v", es)
	}
	e := es[0]
	// 10 users for 10 minutes (less the ramp), conversations of 15 turns at
	// 10.5 s (think time 500ms) plus 3 s pacing: about 37.
	if e.Bounded || e.Conversations < 35 || e.Conversations > 38 {
		t.Errorf("conversations %v (bounded %v), want ≈ 37, unbounded", e.Conversations, e.Bounded)
	}
	if !e.DynamicThinking || e.Usage.Thinking != int64(e.Generations*EstimateThinkingTokens) {
		t.Errorf("thinking %d over %v generations, want %d each (dynamic)", e.Usage.Thinking, e.Generations, EstimateThinkingTokens)
	}
}
