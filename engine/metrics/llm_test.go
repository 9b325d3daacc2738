package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

func TestPassK(t *testing.T) {
	t.Parallel()
	binom := func(n, k int64) float64 {
		r := 1.0
		for i := int64(0); i < k; i++ {
			r = r * float64(n-i) / float64(i+1)
		}
		return r
	}
	tests := []struct{ c, n int64 }{{0, 0}, {3, 3}, {0, 5}, {7, 10}, {9, 20}, {1, 1}, {4, 6}}
	for _, tt := range tests {
		got := PassK(tt.c, tt.n)
		if tt.n == 0 {
			if got != nil {
				t.Errorf("PassK(0, 0) = %v, want nil", got)
			}
			continue
		}
		if want := int(min(tt.n, MaxPassK)); len(got) != want {
			t.Errorf("PassK(%d, %d) has %d entries, want k = 1..%d", tt.c, tt.n, len(got), want)
		}
		for k, p := range got {
			want := binom(tt.c, int64(k)) / binom(tt.n, int64(k))
			if math.Abs(p-want) > 1e-12 {
				t.Errorf("pass^%d with %d of %d = %v, want C(%d,%d)/C(%d,%d) = %v", k, tt.c, tt.n, p, tt.c, k, tt.n, k, want)
			}
		}
	}
	// 7 of 10: pass^1 = 0.7, pass^2 = 42/90, pass^8 = C(7,8)/C(10,8) = 0.
	p := PassK(7, 10)
	if p[1] != 0.7 || math.Abs(p[2]-42.0/90) > 1e-12 || p[8] != 0 {
		t.Errorf("PassK(7, 10) = %v", p)
	}
}

func TestLLMFiguresAndCharacterPerPersona(t *testing.T) {
	t.Parallel()
	r := NewRecorder([]string{"kataryna"})
	r.LLM(600*time.Millisecond, true, transcript.LLMCall{MS: 600, WaitMS: 250, Attempts: 2, InputTokens: 1000, OutputTokens: 20, ThinkingTokens: 100, CostUSD: 0.0006})
	r.LLM(0, false, transcript.LLMCall{WaitMS: 50, Attempts: 4})
	c := &transcript.Conversation{Persona: "kataryna", Outcome: transcript.Completed,
		Tokens: transcript.Tokens{Input: 1000, Output: 20, Thinking: 100}, CostUSD: 0.0006,
		Turns: []transcript.Turn{
			{Drift: []string{"asks_for_data"}},
			{DataMismatch: []string{"cpf"}},
			{Drift: []string{"lists_prices", "lists_options"}, DataMismatch: []string{"email"}},
			{},
		}}
	r.ConversationStarted("kataryna")
	r.ConversationEnded(c)
	s := r.Snapshot(time.Minute)
	if s.LLM.Count != 2 || s.LLM.Failed != 1 || s.LLM.Attempts != 6 {
		t.Errorf("llm = %+v; want 2 generations, 1 failed, 6 requests", s.LLM)
	}
	if s.LLMWait.Count != 2 || s.LLMWait.Max != 250*time.Millisecond || s.LLMWait.Min != 50*time.Millisecond {
		t.Errorf("llm_wait = %+v; want the limiter waits 250ms and 50ms", s.LLMWait)
	}
	if s.Cost.ThinkingTokens != 100 || s.Cost.USD != 0.0006 {
		t.Errorf("cost = %+v", s.Cost)
	}
	k := s.Personas["kataryna"]
	if k.SimulatorDrift != 2 || k.DataMismatch != 2 {
		t.Errorf("kataryna drift %d, mismatch %d; want 2 and 2 (messages, not kinds)", k.SimulatorDrift, k.DataMismatch)
	}
	if k.Cost.USD != 0.0006 || k.Cost.InputTokens != 1000 || k.Cost.ThinkingTokens != 100 {
		t.Errorf("kataryna cost = %+v", k.Cost)
	}
	if k.PassK[1] != 1 || len(k.PassK) != 1 {
		t.Errorf("kataryna pass_k = %v; want {1: 1}", k.PassK)
	}
}
