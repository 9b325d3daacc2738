package persona

import (
	"context"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/voyplan/voyplan/engine/internal/fold"
	"github.com/voyplan/voyplan/engine/transcript"
)

// randomText draws n runes from ASCII, every rune fold's table knows, and
// a few that are not in it (combining marks, Hangul, CJK, invalid UTF-8).
func randomText(r *rand.Rand, n int, outside bool) string {
	ranges := fold.Ranges()
	var b strings.Builder
	for range n {
		switch k := r.IntN(10); {
		case k < 4:
			b.WriteByte(byte(r.IntN(0x80)))
		case k < 9 || !outside:
			rg := ranges[r.IntN(len(ranges))]
			b.WriteRune(rg[0] + r.Int32N(rg[1]-rg[0]+1))
		default:
			others := []string{"\u0301", "\u0327", "\u20e3", "한", "\u1100\u1161", "語", "\xff", "\u0345", "ǖ\u0323"}
			b.WriteString(others[r.IntN(len(others))])
		}
	}
	return b.String()
}

// squash and appendSquash do what the FieldsFunc/Join they replaced did,
// and the sentences appendSquash finds are the squashed pieces of the
// regexp.Split it replaced (those with a word).
func TestSquashAndSentencesMatchTheOldWays(t *testing.T) {
	oldSquash := func(s string) string {
		return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
	}
	split := regexp.MustCompile(`[\n.?!]+`)
	r := rand.New(rand.NewPCG(4, 16))
	marks := []string{"\n", ".", "?", "!", "..", "?!\n", " ", "", "é", "1", "x"}
	for range 20000 {
		var b strings.Builder
		for range r.IntN(30) {
			b.WriteString(marks[r.IntN(len(marks))])
			if r.IntN(3) == 0 {
				b.WriteString(randomText(r, 1+r.IntN(5), true))
			}
		}
		s := b.String()
		want := oldSquash(s)
		if got := squash(s); got != want {
			t.Fatalf("squash(%q) = %q, want %q", s, got, want)
		}
		var spans [][2]int
		sq := appendSquash([]byte("prefix"), &spans, []byte(s))
		if got := string(sq[len("prefix"):]); strings.TrimPrefix(got, " ") != want || (got != "" && got[0] != ' ') {
			t.Fatalf("appendSquash(%q) = %q, want %q after a space", s, got, want)
		}
		var got, wantSentences []string
		for _, span := range spans {
			got = append(got, string(sq[span[0]:span[1]]))
		}
		for _, p := range split.Split(s, -1) {
			if p := oldSquash(p); p != "" {
				wantSentences = append(wantSentences, p)
			}
		}
		if !slices.Equal(got, wantSentences) {
			t.Fatalf("appendSquash(%q): sentences %q, want %q", s, got, wantSentences)
		}
	}
}

// BenchmarkDrift: the character checks of a scripted customer's twelve
// messages against a typical reply of the simulator (accents, emoji, a menu).
func BenchmarkDrift(b *testing.B) {
	reply := []transcript.Message{{Role: "assistant", Type: "text", Text: "Olá! 😊 Sou a assistente do parque. Para qual data você gostaria dos ingressos? " +
		"Temos as opções:\n1. Ingresso adulto — R$ 120,00\n2. Ingresso criança — R$ 60,00\nPoderia me informar o seu CPF, por favor?"}}
	k := knownData(map[string]map[string]string{"customer": {"cpf": "529.982.247-25", "phone": "+55 11 98765-4321", "email": "maria@example.com"}})
	msgs := []string{"Olá", "Maria Souza", "Sim, pode enviar 😊", "Quero comprar ingressos", "Para o dia 11/10/2026", "2 adultos e 2 crianças",
		"Sim, quero a cabana!", "+55 11 98765-4321", "maria@example.com", "529.982.247-25", "Sim, pode confirmar. Pix!", "Meu CPF é 529.982.247-25"}
	b.ReportAllocs()
	for b.Loop() {
		for _, msg := range msgs {
			_ = Drift(msg, reply)
			_ = k.mismatch(msg)
		}
	}
}

// benchReply is a typical reply of the simulator: accents, emoji, a menu,
// prices and a question.
var benchReply = []transcript.Message{{Role: "assistant", Type: "text", Text: "Olá! 😊 Sou a assistente do parque. Para qual data você gostaria dos ingressos? " +
	"Temos as opções:\n1. Ingresso adulto — R$ 120,00\n2. Ingresso criança — R$ 60,00\nPoderia me informar o seu CPF, por favor?"}}

// benchLongMessages are what a model-driven customer writes: whole
// sentences, long enough for the repetition check to compare them with the
// reply, one of them a sentence of it.
var benchLongMessages = []string{
	"Olá! Gostaria de comprar ingressos para o parque, por favor.",
	"Queria ir no dia 11/10/2026, se ainda tiver vaga para a minha família.",
	"Somos dois adultos e duas crianças, uma de 7 e outra de 10 anos 😊",
	"Para qual data você gostaria dos ingressos? Acho que sábado.",
	"Meu CPF é 529.982.247-25 e meu e-mail é maria@example.com, pode mandar o link?",
	"Prefiro pagar com Pix, é mais rápido. Vocês aceitam cartão também?",
}

// cycle says its lines over and over: a driver for benchmarking Watch.
type cycle struct {
	lines []string
	next  int
}

func (c *cycle) Next(_ context.Context, _ []transcript.Message) (Step, error) {
	c.next++
	return Step{Text: c.lines[(c.next-1)%len(c.lines)]}, nil
}

// BenchmarkDriftLong: the character checks of a model-driven customer's
// longer messages (see benchLongMessages) against the same reply.
func BenchmarkDriftLong(b *testing.B) {
	k := knownData(map[string]map[string]string{"customer": {"cpf": "529.982.247-25", "phone": "+55 11 98765-4321", "email": "maria@example.com"}})
	b.ReportAllocs()
	for b.Loop() {
		for _, msg := range benchLongMessages {
			_ = Drift(msg, benchReply)
			_ = k.mismatch(msg)
		}
	}
}

// BenchmarkWatchNext: a watched driver's Next, what the conversation loop
// calls once a turn — the script's twelve messages and the long ones, per
// op eighteen turns.
func BenchmarkWatchNext(b *testing.B) {
	lines := append([]string{"Olá", "Maria Souza", "Sim, pode enviar 😊", "Quero comprar ingressos", "Para o dia 11/10/2026", "2 adultos e 2 crianças",
		"Sim, quero a cabana!", "+55 11 98765-4321", "maria@example.com", "529.982.247-25", "Sim, pode confirmar. Pix!", "Meu CPF é 529.982.247-25"},
		benchLongMessages...)
	w := Watch(&cycle{lines: lines}, map[string]map[string]string{"customer": {"cpf": "529.982.247-25", "phone": "+55 11 98765-4321", "email": "maria@example.com"}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for range lines {
			if _, err := w.Next(ctx, benchReply); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// driftReference is Drift and mismatch as they were before the literal
// prefilters: every regexp run on every message.
func driftReference(k known, msg string, reply []transcript.Message) (kinds []string, mism []string) {
	n := fold.Chain(strings.ToLower(msg))
	if askPossessive.MatchString(n) || askImperative.MatchString(n) ||
		strings.Contains(n, "?") && askQuestion.MatchString(n) && !ownData.MatchString(n) {
		kinds = append(kinds, DriftAsksForData)
	}
	if len(refPrice.FindAllString(msg, 3)) >= 2 {
		kinds = append(kinds, DriftListsPrices)
	}
	lines := 0
	for _, l := range strings.Split(msg, "\n") {
		if optionLine.MatchString(l) {
			lines++
		}
	}
	if lines >= 2 {
		kinds = append(kinds, DriftListsOptions)
	}
	if refRepeats(n, reply) {
		kinds = append(kinds, DriftRepeatsAssistant)
	}
	if reasoning.MatchString(msg) {
		kinds = append(kinds, DriftLeaksReasoning)
	}
	for _, m := range refNumberLike.FindAllString(msg, -1) {
		if kind := k.refNumberKind(m); kind != "" && !slices.Contains(mism, kind) {
			mism = append(mism, kind)
		}
	}
	for _, m := range refEmailLike.FindAllString(msg, -1) {
		if !k.hasEmail([]byte(strings.ToLower(strings.TrimRight(m, ".")))) && !slices.Contains(mism, "email") {
			mism = append(mism, "email")
		}
	}
	return kinds, mism
}

// The prefilters skip a regexp only when it cannot match: over random
// messages built from the patterns' own words (in any case, with ſ and the
// Kelvin sign, accents, menus, prices, numbers, e-mails), Drift and
// mismatch say what running every regexp says.
func TestDriftPrefiltersChangeNothing(t *testing.T) {
	parts := []string{"qual o seu ", "Qual o SEU ", "CPF", "cpf", "Celular", "e-mail", "EMAIL", "nome completo", "whatsapp", "telefone", "?", " ", "\n",
		"informe ", "Me passa ", "meu ", "minha ", "R$ 10", "R$10,00", "R$ x", "1. ", "2) ", "• ", "* ", "- ", " 3️⃣ ", "1\ufe0f\u20e3 ",
		"Pensamento:", "**Raciocínio**:", "RACIOCINIO :", "reaſoning:", "thin\u212Aing:", "THOUGHTS:", "como uma IA", "Como inteligência artificial",
		"como modelo de linguagem", "the user", "The Assistant", "minha persona", "MINHA PERſONA", "529.982.247-25", "52998224725", "+55 11 98765-4321",
		"(11) 91234-5678", "maria@example.com", "outro@x.com.br.", "@", "olá", "ção", "😊", "sim", "Quero comprar ingressos para o dia 11/10"}
	reply := []transcript.Message{{Text: "Olá! Para qual data você gostaria dos ingressos? Temos o passaporte anual com desconto especial."}}
	k := knownData(map[string]map[string]string{"c": {"cpf": "529.982.247-25", "phone": "+55 11 98765-4321", "email": "maria@example.com"}})
	r := rand.New(rand.NewPCG(5, 16))
	for range 30000 {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		msg := b.String()
		wantKinds, wantMism := driftReference(k, msg, reply)
		if got := Drift(msg, reply); !slices.Equal(got, wantKinds) {
			t.Fatalf("Drift(%q) = %q, every regexp says %q", msg, got, wantKinds)
		}
		if got := k.mismatch(msg); !slices.Equal(got, wantMism) {
			t.Fatalf("mismatch(%q) = %q, every regexp says %q", msg, got, wantMism)
		}
	}
}
