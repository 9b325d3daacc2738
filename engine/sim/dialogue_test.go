package sim

import (
	"strings"
	"testing"
	"time"
)

var fixedNow = time.Date(2026, time.March, 10, 12, 0, 0, 0, time.UTC)

func testEnv() env {
	return env{now: fixedNow, link: func() string { return "https://pay.smarttalks.ai/0123456789abcdef01234567" }}
}

func TestYesNo(t *testing.T) {
	t.Parallel()
	tests := map[string]answer{
		"Sim": yes, "s": yes, "Pode sim!": yes, "Claro 😊": yes, "Aceito": yes, "quero": yes,
		"ok": yes, "Não": no, "nao": no, "N": no, "Dispenso": no, "não quero": no,
		"Sim, não vejo a hora": yes, "talvez": unclear, "obrigado": unclear, "": unclear,
	}
	for msg, want := range tests {
		if got := yesNo(newInput(msg)); got != want {
			t.Errorf("yesNo(%q) = %d, want %d", msg, got, want)
		}
	}
}

func TestMenuOf(t *testing.T) {
	t.Parallel()
	tests := map[string]menuChoice{
		"1": choiceBuy, "1️⃣": choiceBuy, "Quero comprar 2 ingressos": choiceBuy, "ingressos": choiceBuy,
		"2": choiceQuestions, "Onde fica o parque?": choiceQuestions, "Tenho uma dúvida sobre ingressos": choiceQuestions,
		"o que tem pra fazer?": choiceQuestions, "3": choiceAfterSales, "Quero cancelar meu ingresso": choiceAfterSales,
		"reembolso": choiceAfterSales, "remarcar": choiceAfterSales, "4": choiceWeather,
		"Vai ter chuva?": choiceWeather, "como está o clima": choiceWeather, "oi": choiceNone,
	}
	for msg, want := range tests {
		if got := menuOf(newInput(msg)); got != want {
			t.Errorf("menuOf(%q) = %d, want %d", msg, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg  string
		want string // long form, "" when no date
	}{
		{"21/11", "21/11/2026"},
		{"dia 21/11", "21/11/2026"},
		{"11/10/2026", "11/10/2026"},
		{"5/1/27", "05/01/2027"},
		{"21-11", "21/11/2026"},
		{"21 de novembro", "21/11/2026"},
		{"31/02", ""},
		{"32/01", ""},
		{"amanhã", ""},
	}
	for _, tt := range tests {
		d, ok := parseDate(normalize(tt.msg), fixedNow)
		if got := map[bool]string{true: d.long(), false: ""}[ok]; got != tt.want {
			t.Errorf("parseDate(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}

func TestWeekend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg  string
		want string // Saturday and Sunday in 2026, "" when not a weekend request
	}{
		{"segundo fim de semana de novembro", "14/11 15/11"},
		{"no 2º final de semana de novembro", "14/11 15/11"},
		{"fim de semana de novembro", "07/11 08/11"},
		{"último fim de semana de outubro", "31/10 01/11"},
		{"fim de semana", ""},
	}
	for _, tt := range tests {
		got := ""
		if ask, ok := parseWeekend(newInput(tt.msg)); ok {
			days, _ := ask.weekend(2026)
			got = days[0].String() + " " + days[1].String()
		}
		if got != tt.want {
			t.Errorf("weekend(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}

func TestCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg     string
		arvorar bool
		want    string
	}{
		{"2 adultos e 2 crianças", false, "2x Adulto 1 dia (R$ 640,00), 2x Criança 1 dia (R$ 620,00)"},
		{"4 adultos", false, "4x Adulto 1 dia (R$ 1.280,00)"},
		{"1 adulto, 1 gestante e 2 idosos", false, "1x Adulto 1 dia (R$ 320,00), 3x Idoso/PcD/Gestante (R$ 480,00)"},
		{"4 ingressos Arvorar", false, "4x Arvorar (R$ 756,00)"},
		{"4 adultos", true, "4x Arvorar (R$ 756,00)"},
		{"dois adultos e uma criança", false, "2x Adulto 1 dia (R$ 640,00), 1x Criança 1 dia (R$ 310,00)"},
		{"três passaportes insano", false, "3x Passaporte Insano (R$ 1.407,00)"},
		{"1 passaporte de 2 dias", false, "1x Passaporte 2 dias (R$ 399,00)"},
		{"cinco ingressos", false, "5x Adulto 1 dia (R$ 1.600,00)"},
		{"2x adulto", false, "2x Adulto 1 dia (R$ 640,00)"},
		{"somos uma família", false, ""},
		{"adultos", false, ""},
	}
	for _, tt := range tests {
		o := order{arvorar: tt.arvorar}
		ok := o.applyCounts(counts(newInput(tt.msg).words))
		if got := strings.Join(o.lines(), ", "); got != tt.want || ok != (tt.want != "") {
			t.Errorf("counts(%q) = %q (%v), want %q", tt.msg, got, ok, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	first := map[string]string{
		"Kataryna": "Kataryna", "Oi! Pode me chamar de Kataryna 😊": "Kataryna",
		"me chamo talliz": "Talliz", "Meu nome é Édman Smart": "Édman", "Olá, tudo bem? Sou a Ana": "Ana",
		"Oi, Bruno aqui": "Bruno", "😊": "😊",
	}
	for msg, want := range first {
		if got := firstName(newInput(msg)); got != want {
			t.Errorf("firstName(%q) = %q, want %q", msg, got, want)
		}
	}
	full := map[string]string{
		"Kataryna Smart": "Kataryna Smart", "Meu nome completo é Ana Souza Lima": "Ana Souza Lima",
		"Kataryna": "", "A": "", "João da Silva": "João da Silva",
		// a lead-in phrase ("e ") counts only as a word of its own, not
		// at the end of Felipe or Henrique
		"Felipe Souza Nascimento": "Felipe Souza Nascimento", "Henrique Vieira Lima": "Henrique Vieira Lima",
		"Meu nome completo e Felipe Dias": "Felipe Dias",
	}
	for msg, want := range full {
		if got, _ := fullName(newInput(msg)); got != want {
			t.Errorf("fullName(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestCPFAndContacts(t *testing.T) {
	t.Parallel()
	c := newCustomer(30)
	if got, _ := cpf(newInput("meu cpf é " + c.cpf)); got != c.cpf {
		t.Errorf("cpf(%q) = %q", c.cpf, got)
	}
	if got, found := cpf(newInput("111.111.111-11")); got != "" || !found {
		t.Errorf("all-equal CPF accepted: %q %v", got, found)
	}
	if _, ok := mobile(newInput("+55 (11) 98765-4321")); !ok {
		t.Error("formatted 13-digit mobile refused")
	}
	if _, ok := mobile(newInput("551198765432")); ok {
		t.Error("12-digit mobile accepted")
	}
	if got, ok := email(newInput("é " + c.email + "!")); !ok || got != c.email {
		t.Errorf("email = %q, %v", got, ok)
	}
}

func TestBRL(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "R$ 0,00", 160: "R$ 160,00", 1260: "R$ 1.260,00", 1234567: "R$ 1.234.567,00"} {
		if got := brl(n); got != want {
			t.Errorf("brl(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSplitText(t *testing.T) {
	t.Parallel()
	for _, text := range []string{txtGreeting, txtMenu, "curto demais", txtClosing} {
		parts := splitItems([]item{{Role: "assistant", Type: "text", Text: text}})
		if len(parts) != 2 || parts[0][0].Text == "" || parts[1][0].Text == "" {
			t.Errorf("splitItems(%q) = %v", text, parts)
		}
	}
	if parts := splitItems([]item{{Type: "text", Text: "x"}}); len(parts) != 1 {
		t.Errorf("a one-word text split into %d", len(parts))
	}
}

// FuzzDialogue feeds any text to every state: no panic, always a non-empty
// reply, and never a second payment link.
func FuzzDialogue(f *testing.F) {
	for _, s := range Walkthrough("Ana Lima", "5511987654321", "ana@x.com", "529.982.247-25") {
		f.Add(s)
	}
	f.Add("segundo fim de semana de dezembro")
	f.Add("99/99/9999 5 passaportes")
	f.Fuzz(func(t *testing.T, msg string) {
		for st := stateGreet; st <= stateDone; st++ {
			d := dialogue{state: st, order: order{date: civilDate{2026, 11, 21}, counts: [ticketKinds]int{1}}}
			out := d.step(msg, testEnv())
			if len(out.texts) == 0 || out.texts[0] == "" {
				t.Fatalf("state %v: empty reply to %q", st, msg)
			}
			if out.paid && st != stateConfirm {
				t.Fatalf("state %v paid on %q", st, msg)
			}
		}
	})
}
