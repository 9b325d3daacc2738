package persona

import (
	"context"
	"slices"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

var userData = map[string]map[string]string{"customer": {
	"name":  "Kataryna Souza Lima",
	"phone": "5585991234567",
	"email": "kataryna.souza1234@smarttalks.com.br",
	"cpf":   "529.982.247-25",
}}

func text(s string) []transcript.Message {
	return []transcript.Message{{Role: "assistant", Type: "text", Text: s}}
}

func TestDrift(t *testing.T) {
	t.Parallel()
	menu := text("Como posso te ajudar?\n1️⃣ Comprar ingressos\n2️⃣ Dúvidas sobre ingressos e parques")
	askDate := text("Estes são os nossos ingressos:\n• Adulto 1 dia: R$ 320,00\nPara qual data você deseja os ingressos? Me informe no formato dd/mm.")
	tests := []struct {
		name  string
		msg   string
		reply []transcript.Message
		want  []string
	}{
		{"asks for the CPF", "Claro! Qual o seu CPF?", text("Posso confirmar?"), []string{DriftAsksForData}},
		{"asks for the e-mail", "Pode me informar o e-mail, por favor?", nil, []string{DriftAsksForData}},
		{"orders the assistant to send data", "Me passa seu celular com DDD", nil, []string{DriftAsksForData}},
		{"lists prices", "Temos adulto por R$ 320 e criança por R$ 310 😊", nil, []string{DriftListsPrices}},
		{"offers a menu", "Como posso ajudar?\n1️⃣ Comprar\n2️⃣ Dúvidas", nil, []string{DriftListsOptions}},
		{"offers a numbered list", "Escolha:\n1. Aqua Park\n2. Arvorar", nil, []string{DriftListsOptions}},
		{"repeats the assistant", "Para qual data você deseja os ingressos?", askDate, []string{DriftRepeatsAssistant}},
		{"leaks reasoning", "Pensamento: a atendente quer a data.\n11/10/2026", nil, []string{DriftLeaksReasoning}},
		{"talks about its role", "Como uma IA, não posso comprar ingressos.", nil, []string{DriftLeaksReasoning}},
		// In character: the customer's own words.
		{"gives its CPF", "Meu CPF é 529.982.247-25", text("Por último, qual o seu CPF?"), nil},
		{"asks whether to send its own CPF", "Precisa do meu CPF?", nil, nil},
		{"picks from the menu by its label", "Comprar ingressos", menu, nil},
		{"picks a number", "1", menu, nil},
		{"quotes one price", "Ok, R$ 320 está ótimo", nil, nil},
		{"answers with quantities", "2 adultos e 2 crianças", nil, nil},
		{"asks a question of its own", "Onde fica o parque e o que tem pra fazer?", menu, nil},
		{"thanks for an image", "Que lindo! 😍", []transcript.Message{{Type: "media", Link: "https://x/y.jpg"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Drift(tt.msg, tt.reply); !slices.Equal(got, tt.want) {
				t.Errorf("Drift(%q) = %v, want %v", tt.msg, got, tt.want)
			}
		})
	}
}

func TestDataMismatch(t *testing.T) {
	t.Parallel()
	k := knownData(userData)
	tests := []struct {
		msg  string
		want []string
	}{
		{"529.982.247-25", nil},
		{"52998224725", nil},
		{"Meu celular é 5585991234567", nil},
		{"(85) 99123-4567", nil},
		{"kataryna.souza1234@smarttalks.com.br", nil},
		{"KATARYNA.SOUZA1234@smarttalks.com.br.", nil},
		{"Para o dia 11/10/2026, 2 adultos", nil},
		{"Meu CPF é 111.444.777-35", []string{"cpf"}},
		{"11144477735", []string{"cpf"}},
		{"Meu número é 5511987654321", []string{"phone"}},
		{"joao@example.com", []string{"email"}},
		{"CPF 111.444.777-35, e-mail joao@example.com, celular 5511987654321", []string{"cpf", "email", "phone"}},
	}
	for _, tt := range tests {
		got := k.mismatch(tt.msg)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("mismatch(%q) = %v, want %v", tt.msg, got, tt.want)
		}
	}
}

// TestWatchFlagsAScriptedCustomerAskingForACPF: the drift detector wraps
// every driver, scripts included.
func TestWatchFlagsAScriptedCustomerAskingForACPF(t *testing.T) {
	t.Parallel()
	d := Watch(NewScript([]string{"Olá", "Qual é o seu CPF?", "111.444.777-35", "Sim"}), userData)
	steps := make([]Step, 4)
	for i := range steps {
		var err error
		if steps[i], err = d.Next(context.Background(), text("Por último, qual o seu CPF?")); err != nil {
			t.Fatal(err)
		}
	}
	if len(steps[0].Drift) != 0 || len(steps[3].Drift) != 0 || len(steps[3].DataMismatch) != 0 {
		t.Errorf("in-character messages flagged: %+v, %+v", steps[0], steps[3])
	}
	if !slices.Equal(steps[1].Drift, []string{DriftAsksForData}) {
		t.Errorf("%q: drift %v, want asks_for_data", steps[1].Text, steps[1].Drift)
	}
	if !slices.Equal(steps[2].DataMismatch, []string{"cpf"}) {
		t.Errorf("%q: data mismatch %v, want cpf (the user's is 529.982.247-25)", steps[2].Text, steps[2].DataMismatch)
	}
}
