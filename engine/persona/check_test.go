package persona

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

// checkReplies are replies the differential tests answer: none, empty,
// menus, prices, several items, media, marks that combine across items,
// odd case and runes outside fold's table.
var checkReplies = [][]transcript.Message{
	nil,
	{},
	{{Type: "media", Link: "https://x/y.jpg"}},
	benchReply,
	text("Olá! Para qual data você gostaria dos ingressos? Temos o passaporte anual com desconto especial."),
	text("Como posso te ajudar?\n1️⃣ Comprar ingressos\n2️⃣ Dúvidas sobre ingressos e parques"),
	{{Text: "PARA QUAL DATA VOCÊ DESEJA OS INGRESSOS"}, {Type: "media", Link: "x"}, {Text: "\u0301Me informe no formato dd/mm, por favor!"}},
	{{Text: "Pensamento: o cliente quer\u0301"}, {Text: "\u0301\u0327 ingressos para sábado e domingo.\n\n\nObrigado pela preferência 😊"}},
	{{Text: "Ο ΚΑΛΟΣ ΠΕΛΑΤΗΣ ΘΕΛΕΙ ΕΙΣΙΤΗΡΙΑ ΓΙΑ ΤΟ ΠΑΡΚΟ"}, {Text: "한국어로 된 긴 문장입니다 정말 긴 문장입니다"}, {Text: "\xff\xfe invalid bytes then a long enough sentence here."}},
	text("Seu CPF é 111.444.777-35? Confirme o e-mail joao@example.com e o celular (11) 91234-5678."),
}

// checkParts are what the random messages are made of: the patterns'
// words in any case (with ſ, the Kelvin sign, İ), accents, emoji, menus,
// prices, numbers, addresses, invalid UTF-8, and whole sentences of the
// replies, so that messages repeat them.
var checkParts = []string{
	"qual o seu ", "Qual o SEU ", "CPF", "cpf", "Celular", "e-mail", "EMAIL", "nome completo", "whatsapp", "telefone", "?", " ", "\n", "\t", ".", "!",
	"informe ", "Me passa ", "ENVIE ", "digite o ", "Passe ", "confirme ", "me diga ", "Me fala ", "me  manda ", "tua ", "TEU ", "sua ", "meu ", "minha ", "R$ 10", "R$10,00", "R$ x", "R$\n\t 5", "R$R$1", "1. ", "2) ", "• ", "* ", "- ", " 3️⃣ ", "1\ufe0f\u20e3 ",
	"Pensamento:", "**Raciocínio**:", "RACIOCINIO :", "reaſoning:", "thin\u212Aing:", "THOUGHTS:", "como uma IA", "Como inteligência artificial",
	"the user", "The Assistant", "minha persona", "MINHA PERſONA", "İNGRESSOS", "529.982.247-25", "52998224725", "+55 11 98765-4321", "5585991234567",
	"(11) 91234-5678", "+(11)9123.4567-8", "111.444.777-35", "11144477735", "1 2 3 4 5 6 7 8 9 0", "+++((1", "maria@example.com", "MARIA@Example.COM",
	"outro@x.com.br.", "a.b+c@d-e.f_g.", "@", "@.x", "x@y", "x@y.", "@@a@b.c@d.e", "olá", "ção", "😊", "👩\u200d👩\u200d👧", "sim", "\xff", "\xe2\x82",
	"\n1. Comprar\n", "\n2) Aqua Park", "\n  • Adulto", "\n* ", "\n-x", "e\u0301", "\u0301", "한", "語", "\ufffd",
	"Para qual data você gostaria dos ingressos", "para qual data voce deseja os ingressos", "PARA QUAL DATA VOCÊ DESEJA OS INGRESSOS",
	"Temos o passaporte anual com desconto especial", "Poderia me informar o seu CPF, por favor", "Me informe no formato dd/mm, por favor",
	"Obrigado pela preferência", "ingressos para sábado e domingo", "Ο καλός πελάτης θέλει εισιτήρια για το πάρκο", "invalid bytes then a long enough sentence here",
}

// checkMessage draws a message: checkParts, random runes (fold's table and
// beyond), a piece of a reply (cut anywhere, even inside a rune; upper
// case now and then), or, now and then, a long one.
func checkMessage(r *rand.Rand) string {
	if r.IntN(8) == 0 {
		reply := checkReplies[r.IntN(len(checkReplies))]
		if len(reply) > 0 {
			t := reply[r.IntN(len(reply))].Text
			i := r.IntN(len(t) + 1)
			piece := t[i : i+r.IntN(len(t)-i+1)]
			if r.IntN(3) == 0 {
				piece = strings.ToUpper(piece)
			}
			return piece
		}
	}
	var b strings.Builder
	for range r.IntN(10) {
		if r.IntN(4) == 0 {
			b.WriteString(randomText(r, 1+r.IntN(12), true))
		} else {
			b.WriteString(checkParts[r.IntN(len(checkParts))])
		}
	}
	if r.IntN(500) == 0 {
		return strings.Repeat(b.String()+". ", 50+r.IntN(500))
	}
	return b.String()
}

var checkData = []map[string]map[string]string{
	userData,
	{"c": {"cpf": "529.982.247-25", "phone": "+55 11 98765-4321", "email": "maria@example.com"}},
	nil,
}

// Drift and mismatch say what the implementation before issue 16 said
// (reference_test.go: every regexp, the folding chain, fresh strings) on
// random and adversarial messages against every reply in checkReplies, and
// so does a watched driver; several goroutines at once, sharing the
// scratch pool.
func TestChecksMatchTheReference(t *testing.T) {
	t.Parallel()
	fixed := []string{"", " ", ".", "\n\n", "ſ", "\u212A", "\xff", strings.Repeat("a", 1<<16), strings.Repeat("Para qual data você gostaria dos ingressos? ", 1000),
		strings.Repeat("1", 100), strings.Repeat("1 ", 5000), strings.Repeat("a@", 3000) + "b.c", strings.Repeat("R$ 1", 1000), strings.Repeat("é ", 1<<15)}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(16, uint64(g)))
			var msgs []string
			if g == 0 {
				msgs = fixed
			}
			for range 3000 {
				msgs = append(msgs, checkMessage(r))
			}
			seen := map[string]int{}
			for i, msg := range msgs {
				reply := checkReplies[i%len(checkReplies)]
				k := knownData(checkData[i%len(checkData)])
				got, want := Drift(msg, reply), refDrift(msg, reply)
				if !sameKinds(got, want) {
					t.Errorf("Drift(%q, %q) = %q, the reference %q", msg, reply, got, want)
					return
				}
				gotM, wantM := k.mismatch(msg), k.refMismatch(msg)
				if !sameKinds(gotM, wantM) {
					t.Errorf("mismatch(%q) = %q, the reference %q", msg, gotM, wantM)
					return
				}
				for _, kind := range append(want, wantM...) {
					seen[kind]++
				}
				if want == nil && wantM == nil {
					seen["none"]++
				}
			}
			for _, kind := range []string{DriftAsksForData, DriftListsPrices, DriftListsOptions, DriftRepeatsAssistant, DriftLeaksReasoning, "cpf", "phone", "email", "none"} {
				if seen[kind] < 20 {
					t.Errorf("only %d messages of %d are %s: the messages do not exercise the checks", seen[kind], len(msgs), kind)
				}
			}
			w := Watch(&cycle{lines: msgs}, checkData[g%len(checkData)])
			k := knownData(checkData[g%len(checkData)])
			for i, msg := range msgs {
				reply := checkReplies[(i+g)%len(checkReplies)]
				step, err := w.Next(context.Background(), reply)
				if err != nil {
					t.Error(err)
					return
				}
				wantDrift, wantMismatch := refDrift(msg, reply), k.refMismatch(msg)
				if msg == "" {
					wantDrift, wantMismatch = nil, nil // an empty message is not checked
				}
				if !sameKinds(step.Drift, wantDrift) || !sameKinds(step.DataMismatch, wantMismatch) {
					t.Errorf("Watch: %q after %q: drift %q, mismatch %q; the reference %q, %q", msg, reply, step.Drift, step.DataMismatch, wantDrift, wantMismatch)
					return
				}
			}
		})
	}
	wg.Wait()
}

// sameKinds: the same kinds in the same order, and nil when the reference
// is nil.
func sameKinds(got, want []string) bool {
	return slices.Equal(got, want) && (got == nil) == (want == nil)
}

// The hand-made matchers find what the regexps they replaced find, on
// random strings of the characters that matter to them.
func TestMatchersMatchTheirRegexps(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(17, 16))
	alphabet := []string{"0", "1", "5", "9", " ", "\t", "\n", "\f", "\r", "\v", "(", ")", ".", "-", "+", "@", "_", "a", "Z", "R", "$", "R$", "é", "\xff", ",", "/"}
	for range 50000 {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		if got, want := matches(s, nextNumber), refNumberLike.FindAllStringIndex(s, -1); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("nextNumber over %q: %v, the regexp %v", s, got, want)
		}
		if got, want := matches(s, nextEmail), refEmailLike.FindAllStringIndex(s, -1); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("nextEmail over %q: %v, the regexp %v", s, got, want)
		}
		if got, want := listsPrices(s), len(refPrice.FindAllString(s, 3)) >= 2; got != want {
			t.Fatalf("listsPrices(%q) = %v, the regexp %v", s, got, want)
		}
	}
}

func matches(s string, next func(string, int) (int, int, bool)) [][]int {
	var out [][]int
	for i := 0; ; {
		start, end, ok := next(s, i)
		if !ok {
			return out
		}
		out = append(out, []int{start, end})
		i = end
	}
}

// The checks allocate nothing for a message in character (but for the
// pool's first scratch), long or short, with its own data.
func TestChecksAllocateNothingInCharacter(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	k := knownData(map[string]map[string]string{"customer": {"cpf": "529.982.247-25", "phone": "+55 11 98765-4321", "email": "maria@example.com"}})
	for _, msg := range append([]string{"Olá", "Sim, pode enviar 😊", "Meu CPF é 529.982.247-25", "MARIA@example.com"}, benchLongMessages[:3]...) {
		if n := testing.AllocsPerRun(100, func() {
			if d := Drift(msg, benchReply); d != nil {
				t.Fatalf("Drift(%q) = %q", msg, d)
			}
			if m := k.mismatch(msg); m != nil {
				t.Fatalf("mismatch(%q) = %q", msg, m)
			}
		}); n != 0 {
			t.Errorf("%q: %v allocations, want 0", msg, n)
		}
	}
}
