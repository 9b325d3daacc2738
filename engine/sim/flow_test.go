package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/datagen"
)

func TestWalkthroughCompletes(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	c := newCustomer(1)
	var replies []string
	for _, msg := range Walkthrough("Kataryna Smart", c.phone, c.email, c.cpf) {
		replies = append(replies, h.say(t, "walk", msg))
	}
	if n := countLinks(replies); n != 1 || !payRe.MatchString(replies[len(replies)-1]) {
		t.Fatalf("%d replies hold a payment link, want exactly the last one:\n%s", n, strings.Join(replies, "\n---\n"))
	}
	list := replies[3]
	if !strings.Contains(list, infoURL) || !strings.Contains(list, "R$ 320") || !strings.Contains(list, "Arvorar") {
		t.Errorf("ticket list reply lacks prices or %s:\n%s", infoURL, list)
	}
	if payRe.MatchString(infoURL) {
		t.Errorf("the informational URL %s looks like a payment link", infoURL)
	}
	if after := h.say(t, "walk", "Obrigada! Vou abrir o link agora 😊"); payRe.MatchString(after) {
		t.Errorf("closing reply repeats the link: %s", after)
	}
	st := h.sim.Stats()
	if st.Completed != 1 || st.Conversations != 1 || st.Received != uint64(len(replies)+1) {
		t.Errorf("stats = %+v, want 1 completed of 1 conversation, %d received", st, len(replies)+1)
	}
}

func TestWalkthroughSingleWordName(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	c := newCustomer(2)
	var replies []string
	for _, msg := range Walkthrough("Ana", c.phone, c.email, c.cpf) {
		replies = append(replies, h.say(t, "ana", msg))
	}
	if countLinks(replies) != 1 {
		t.Fatalf("no payment link:\n%s", strings.Join(replies, "\n---\n"))
	}
}

// toState returns the first n Walkthrough messages: n=4 ends on the date
// question, n=8 on the phone question.
func toState(n int, c customer) []line {
	var out []line
	for _, msg := range Walkthrough("Kataryna Smart", c.phone, c.email, c.cpf)[:n] {
		out = append(out, line{say: msg})
	}
	return out
}

func TestInvalidDataIsRefused(t *testing.T) {
	t.Parallel()
	c := newCustomer(3)
	badCPF := c.cpf[:len(c.cpf)-1] + fmt.Sprint((int(c.cpf[len(c.cpf)-1]-'0')+1)%10)
	if datagen.ValidCPF(badCPF) {
		t.Fatalf("test CPF %s should be invalid", badCPF)
	}
	script := append(toState(8, c),
		line{c.phone[:12], "Número inválido"},
		line{"meu celular é 11987654321", "Número inválido"},
		line{c.phone, "e-mail"},
		line{"kataryna.smart.stw.ai", "E-mail inválido"},
		line{"kataryna@localhost", "E-mail inválido"},
		line{"Meu e-mail: " + c.email + ".", "CPF"},
		line{badCPF, "CPF inválido"},
		line{"123", "CPF inválido"},
		line{"CPF " + datagen.Digits(c.cpf), "Posso confirmar? A forma de pagamento é Pix."},
		line{"hmm", "Posso confirmar"},
		line{"Sim, Pix", "https://pay.smarttalks.ai/"},
	)
	h := start(t, Options{})
	h.play(t, "bad", script)
}

func TestClosedDate(t *testing.T) {
	t.Parallel()
	script := append(toState(4, newCustomer(4)),
		line{"20/11", "Infelizmente o parque estará fechado em 20/11. Gostaria de escolher outra data?"},
		line{"25/12/2026", "fechado em 25/12"},
		line{"amanhã", "dd/mm"},
		line{"Sim", "Qual data"},
		line{"dia 21/11", "Temos disponibilidade para 21/11! Quantos ingressos de cada tipo você deseja?"},
		line{"vários", "Não consegui identificar as quantidades"},
		line{"duas crianças", "2x Criança 1 dia (R$ 620,00)"},
	)
	h := start(t, Options{})
	h.play(t, "closed", script)
}

// secondWeekendOfNovember computes the date the Edman story must be offered,
// independently of the simulator's own helper.
func secondWeekendOfNovember(year int) (sat, sun string) {
	saturdays := 0
	for day := 1; day <= 30; day++ {
		d := time.Date(year, time.November, day, 12, 0, 0, 0, time.UTC)
		if d.Weekday() == time.Saturday {
			saturdays++
			if saturdays == 2 {
				return d.Format("02/01"), d.AddDate(0, 0, 1).Format("02/01")
			}
		}
	}
	return "", ""
}

func personaScripts(c customer) map[string][]line {
	sat, sun := secondWeekendOfNovember(time.Now().Year())
	tail := func(full string) []line {
		return []line{
			{full, "55DDXXXXXXXXX (13 dígitos)"},
			{"Meu celular é " + c.phone, "e-mail"},
			{c.email, "CPF"},
			{c.cpf, "Posso confirmar? A forma de pagamento é Pix."},
			{"Pode confirmar sim, vou pagar no Pix! 😊", "https://pay.smarttalks.ai/"},
			{"Obrigada! Vou abrir o link agora.", "finalizado"},
		}
	}
	return map[string][]line{
		"kataryna": append([]line{
			{"Olá", "Como posso te chamar?"},
			{"Oi! Pode me chamar de Kataryna 😊", "Prazer, Kataryna!"},
			{"Sim, aceito receber 😊", "1️⃣ Comprar ingressos"},
			{"Quero comprar ingressos para o Aqua Park", infoURL},
			{"Para o dia 11/10/2026, por favor", "Temos disponibilidade para 11/10!"},
			{"2 adultos e 2 crianças", "Total: R$ 1.260,00"},
			{"Sim, quero a cabana! 🏖️ Que foto linda, obrigada!", "Novo total: R$ 1.510,00"},
		}, tail("Kataryna Smart")...),
		"talliz": append([]line{
			{"Olá", "Como posso te chamar?"},
			{"Me chamo Talliz", "Prazer, Talliz!"},
			{"Pode sim!", "2️⃣ Dúvidas"},
			{"Onde fica o parque e o que tem pra fazer lá?", "São Pedro"},
			{"Legal! Quero comprar ingressos do Arvorar 🌳", "Arvorar (trilha nas árvores): R$ 189,00"},
			{"20/11", "Infelizmente o parque estará fechado em 20/11"},
			{"Ah, tudo bem, aceito outra data", "Qual data"},
			{"Então quero dia 21/11", "Temos disponibilidade para 21/11!"},
			{"4 adultos", "4x Arvorar (R$ 756,00)"},
			{"Não, obrigado", "nome completo"},
		}, tail("Talliz Smart")...),
		"edman": append([]line{
			{"Olá", "Como posso te chamar?"},
			{"Edman", "Prazer, Edman!"},
			{"sim", "4️⃣ Previsão do tempo"},
			{"Queria ver a disponibilidade de ingressos", infoURL},
			{"Quero o segundo fim de semana de novembro", "sábado, " + sat + ", e no domingo, " + sun},
			{"Pode ser no sábado!", "Temos disponibilidade para " + sat + "!"},
			{"1 adulto, 1 gestante e 2 idosos", "1x Adulto 1 dia (R$ 320,00), 3x Idoso/PcD/Gestante (R$ 480,00)"},
			{"Não, dispenso", "nome completo"},
		}, tail("Edman Smart")...),
	}
}

func TestPersonaStories(t *testing.T) {
	t.Parallel()
	for i, name := range []string{"kataryna", "talliz", "edman"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := start(t, Options{})
			replies := h.play(t, name, personaScripts(newCustomer(10 + i))[name])
			if n := countLinks(replies); n != 1 {
				t.Errorf("%d payment links, want 1", n)
			}
			if st := h.sim.Stats(); st.Completed != 1 {
				t.Errorf("Completed = %d, want 1", st.Completed)
			}
		})
	}
}

func TestPersonaTotals(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	script := personaScripts(newCustomer(20))["kataryna"]
	replies := h.play(t, "k", script[:len(script)-2])
	summary := replies[len(replies)-1]
	for _, want := range []string{"2x Adulto 1 dia", "2x Criança 1 dia", "11/10/2026", "Cabana: sim", "Kataryna Smart", "Total: R$ 1.510,00"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
}

func TestConfirmNoReturnsToMenu(t *testing.T) {
	t.Parallel()
	c := newCustomer(5)
	script := append(toState(11, c),
		line{"Não, mudei de ideia", "1️⃣ Comprar ingressos"},
		line{"4", "Previsão"},
		line{"3", "reembolsos"},
		line{"blá", "Não entendi"},
	)
	h := start(t, Options{})
	if replies := h.play(t, "no", script); countLinks(replies) != 0 {
		t.Fatal("a refused order sent a payment link")
	}
}

func TestPaymentDomain(t *testing.T) {
	t.Parallel()
	h := start(t, Options{PaymentDomain: "example.test", Seed: 7})
	c := newCustomer(6)
	var last string
	for _, msg := range Walkthrough("Ana Lima", c.phone, c.email, c.cpf) {
		last = h.say(t, "dom", msg)
	}
	if !regexpMatch(`https://pay\.example\.test/[0-9a-f]{24}`, last) {
		t.Fatalf("last reply lacks a link on the configured domain: %s", last)
	}
}
