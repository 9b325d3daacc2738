package persona

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

func texts(s ...string) []transcript.Message {
	out := make([]transcript.Message, len(s))
	for i, t := range s {
		out[i] = transcript.Message{Role: "assistant", Type: "text", Text: t}
	}
	return out
}

func TestSimilarity(t *testing.T) {
	img := transcript.Message{Role: "assistant", Type: "media", Link: "https://cdn.example/a.jpg?sig=1"}
	img2 := transcript.Message{Role: "assistant", Type: "media", Link: "https://cdn.example/a.jpg?sig=2"}
	tests := []struct {
		name string
		a, b []transcript.Message
		want float64
	}{
		{"both empty", nil, nil, 1},
		{"one empty", texts("Olá"), nil, 0},
		{"same words, other case, accents and punctuation", texts("Qual é o seu NOME?"), texts("qual e o seu nome"), 1},
		{"split over items the same", texts("Bom dia.", "Como posso ajudar?"), texts("Bom dia. Como posso ajudar?"), 1},
		{"half the words", texts("um dois tres quatro"), texts("um dois cinco seis"), 0.5},
		{"repeats count once each", texts("sim sim sim"), texts("sim"), 0.5},
		{"an image is one word whatever its link", []transcript.Message{img}, []transcript.Message{img2}, 1},
		{"nothing in common", texts("Olá, tudo bem?"), texts("Pedido confirmado"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Similarity(tt.a, tt.b); got != tt.want {
				t.Errorf("Similarity = %v, want %v", got, tt.want)
			}
			if got := Similarity(tt.b, tt.a); got != tt.want {
				t.Errorf("Similarity reversed = %v, want %v", got, tt.want)
			}
		})
	}
}

func recording(outcome transcript.Outcome) *transcript.Conversation {
	return &transcript.Conversation{ID: "rec-1", User: 4, Outcome: outcome, Turns: []transcript.Turn{
		{N: 1, Sent: "Olá", Messages: texts("Olá! Qual é o seu nome?")},
		{N: 2, Sent: "Ana", Messages: texts("Prazer, Ana. Quer ver o cardápio?")},
		{N: 3, Sent: "Sim", Messages: texts("Aqui está o cardápio de hoje.")},
	}}
}

type said struct{ replies [][]transcript.Message }

func (s *said) Next(_ context.Context, reply []transcript.Message) (Step, error) {
	s.replies = append(s.replies, reply)
	return Step{Text: "takeover"}, nil
}

func TestReplayMatchesThenHandsOver(t *testing.T) {
	ctx := context.Background()
	other := &said{}
	built := 0
	d := NewReplay(recording(transcript.Completed), 0.6, func() Driver { built++; return other })
	step, _ := d.Next(ctx, nil)
	if step.Text != "Olá" {
		t.Fatalf("first message %q, want the recorded Olá", step.Text)
	}
	if j := d.Judge(1, texts("Olá! Qual é o seu nome?")); j == nil || !j.Matched || j.Similarity != 1 || j.Recorded != nil {
		t.Fatalf("turn 1 judged %+v, want a full match without the recorded reply", j)
	}
	step, _ = d.Next(ctx, texts("Olá! Qual é o seu nome?"))
	if step.Text != "Ana" {
		t.Fatalf("second message %q, want the recorded Ana", step.Text)
	}
	diverged := texts("Não entendi, pode repetir?")
	j := d.Judge(2, diverged)
	if j == nil || j.Matched || d.DivergedAt() != 2 || len(j.Recorded) != 1 || j.Recorded[0].Text != "Prazer, Ana. Quer ver o cardápio?" {
		t.Fatalf("turn 2 judged %+v (diverged at %d), want a divergence keeping the recorded reply", j, d.DivergedAt())
	}
	if j := d.Judge(3, diverged); j != nil {
		t.Fatalf("a turn after the divergence was judged: %+v", j)
	}
	for range 2 {
		if step, _ = d.Next(ctx, diverged); step.Text != "takeover" {
			t.Fatalf("after the divergence %q, want the takeover driver's message", step.Text)
		}
	}
	if built != 1 || len(other.replies) != 2 || other.replies[0][0].Text != diverged[0].Text {
		t.Fatalf("takeover built %d times, told %v; want once, told the diverged reply", built, other.replies)
	}
}

func TestReplayEnds(t *testing.T) {
	ctx := context.Background()
	t.Run("at the divergence without a takeover", func(t *testing.T) {
		d := NewReplay(recording(transcript.Completed), 0.6, nil)
		_, _ = d.Next(ctx, nil)
		d.Judge(1, texts("Bem-vindo à nova versão"))
		if step, err := d.Next(ctx, nil); err != nil || !step.Stop {
			t.Fatalf("Next = %+v, %v; want a stop", step, err)
		}
	})
	for _, tt := range []struct {
		outcome transcript.Outcome
		stop    bool
	}{{transcript.Abandoned, true}, {transcript.Failed, false}} {
		t.Run("past a recording "+string(tt.outcome), func(t *testing.T) {
			rec := recording(tt.outcome)
			d := NewReplay(rec, 0.6, nil)
			for i := range rec.Turns {
				if step, _ := d.Next(ctx, nil); step.Text != rec.Turns[i].Sent {
					t.Fatalf("message %d = %q", i+1, step.Text)
				}
				d.Judge(i+1, rec.Turns[i].Messages)
			}
			step, err := d.Next(ctx, nil)
			if tt.stop != step.Stop || tt.stop == (err != nil) || (!tt.stop && !errors.Is(err, ErrExhausted)) {
				t.Fatalf("past the end: %+v, %v", step, err)
			}
		})
	}
}

func TestHistory(t *testing.T) {
	rec := recording(transcript.Completed)
	got := History(rec.Turns)
	want := []string{"Olá! Qual é o seu nome?", "Ana", "Prazer, Ana. Quer ver o cardápio?", "Sim"}
	if !slices.Equal(got, want) {
		t.Fatalf("History = %q, want %q", got, want)
	}
}
