package verdict

import (
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
)

// TestLLMAndCharacterNames: the names issue 3 adds are usable in checks.
func TestLLMAndCharacterNames(t *testing.T) {
	t.Parallel()
	s := snapshot()
	s.LLMWait = metrics.Latency{Count: 10, P95: 300 * time.Millisecond, Max: time.Second}
	s.Cost.ThinkingTokens = 512
	k := s.Personas["kataryna"]
	k.SimulatorDrift, k.DataMismatch = 2, 1
	k.Cost = metrics.Cost{USD: 0.003}
	k.PassK = metrics.PassK(k.Succeeded, k.Succeeded+k.Failed) // 19 of 20
	s.Personas["kataryna"] = k
	tests := []struct {
		check    string
		pass     bool
		observed string
	}{
		{`personas["kataryna"].pass_k[1] >= 0.95`, true, "0.95"},
		{`personas["kataryna"].pass_k[8] >= 0.9`, false, "0.6"}, // C(19,8)/C(20,8) = 12/20
		{`personas["kataryna"].simulator_drift == 0`, false, "2"},
		{`personas["kataryna"].data_mismatch <= 1`, true, "1"},
		{`personas["kataryna"].cost.usd < 0.01`, true, "0.003"},
		{`llm_wait.p95 < duration('1s')`, true, "300ms"},
		{`cost.thinking_tokens < 1000`, true, "512"},
	}
	for _, tt := range tests {
		r := Evaluate([]*plan.Threshold{threshold(t, "x", tt.check)}, s)[0]
		if r.Pass != tt.pass || r.Observed != tt.observed || r.Err != nil {
			t.Errorf("%s: pass %v observed %q err %v; want %v %q", tt.check, r.Pass, r.Observed, r.Err, tt.pass, tt.observed)
		}
	}
	// A k past the persona's conversations is absent and reads 0: a check
	// on it fails rather than holding for lack of evidence.
	edman := s.Personas["edman"]
	edman.PassK = metrics.PassK(2, 2)
	s.Personas["edman"] = edman
	if r := Evaluate([]*plan.Threshold{threshold(t, "x", `personas["edman"].pass_k[4] >= 0.5`)}, s)[0]; r.Pass || r.Observed != "0" {
		t.Errorf("pass_k[4] of 2 conversations: %+v; want it to read 0 and fail", r)
	}
}
