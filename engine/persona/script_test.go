package persona

import (
	"context"
	"errors"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

func TestScriptSaysLinesInOrderThenRunsOut(t *testing.T) {
	t.Parallel()
	s := NewScript([]string{"Olá", "Sim"})
	reply := []transcript.Message{{Role: "assistant", Type: "text", Text: "Oi!"}}
	for i, want := range []string{"Olá", "Sim"} {
		var in []transcript.Message
		if i > 0 {
			in = reply
		}
		step, err := s.Next(context.Background(), in)
		if err != nil || step.Text != want || step.Stop || step.LLM != nil {
			t.Fatalf("Next #%d = %+v, %v; want %q", i+1, step, err, want)
		}
	}
	if _, err := s.Next(context.Background(), reply); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Next after the last line: err = %v, want ErrExhausted", err)
	}
}
