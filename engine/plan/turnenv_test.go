package plan

import (
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

// BenchmarkTurnEnv is what each turn of a conversation of plans/local.hcl
// costs its predicates: the environment of the turn, then complete_when
// run on it.
func BenchmarkTurnEnv(b *testing.B) {
	p, diags := Load("../../plans/local.hcl", Options{})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	u, err := p.NewUser(1)
	if err != nil {
		b.Fatal(err)
	}
	msgs := []transcript.Message{
		{Role: transcript.RoleAssistant, Type: transcript.TypeText, Text: "Perfeito, você vai receber nossas novidades! 💙"},
		{Role: transcript.RoleAssistant, Type: transcript.TypeText, Text: "Como posso te ajudar?\n1️⃣ Comprar ingressos\n2️⃣ Dúvidas"},
		{Role: transcript.RoleAssistant, Type: transcript.TypeMedia, Link: "https://www.thermasaquapark.com.br/img/parque-1.jpg"},
	}
	pred := p.Conversation.CompleteWhen
	b.ReportAllocs()
	for turn := 1; b.Loop(); turn++ {
		env := TurnEnv(msgs, turn, u.Persona.Name, u.Data)
		if ok, err := pred.Eval(env); err != nil || ok {
			b.Fatal(ok, err)
		}
	}
}
