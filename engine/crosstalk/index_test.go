package crosstalk

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

func customer(name, phone, email, cpf string) map[string]map[string]string {
	return map[string]map[string]string{"customer": {"name": name, "phone": phone, "email": email, "cpf": cpf}}
}

func text(s ...string) []transcript.Message {
	out := make([]transcript.Message, len(s))
	for i, t := range s {
		out[i] = transcript.Message{Role: "assistant", Type: "text", Text: t}
	}
	return out
}

// twoCustomers indexes users 1 and 2 of the examples below.
func twoCustomers(t *testing.T) *Index {
	t.Helper()
	x := NewIndex()
	for n, d := range map[int]map[string]map[string]string{
		1: customer("João Silva Souza", "5585991234567", "joao.silva1234@example.com", "529.982.247-25"),
		2: customer("Ana Lima Costa", "5511987654321", "Ana.Lima0042@Example.com", "11144477735"),
	} {
		x.AddUser(n, d)
	}
	return x
}

func TestCheckFindsAnotherCustomersData(t *testing.T) {
	t.Parallel()
	x := twoCustomers(t)
	leak := func(user int, field string) []transcript.Leak { return []transcript.Leak{{User: user, Field: field}} }
	for _, tc := range []struct {
		name  string
		user  int
		reply []transcript.Message
		want  []transcript.Leak
	}{
		{"full name, other case and no accents", 2, text("Obrigada, JOAO SILVA SOUZA!"), leak(1, "customer.name")},
		{"cpf without punctuation", 2, text("CPF: 52998224725"), leak(1, "customer.cpf")},
		{"cpf with punctuation, stored without", 1, text("CPF 111.444.777-35 confirmado"), leak(2, "customer.cpf")},
		{"phone formatted", 2, text("Celular: +55 (85) 99123-4567"), leak(1, "customer.phone")},
		{"e-mail, other case", 1, text("E-mail: ana.lima0042@example.COM."), leak(2, "customer.email")},
		{"two values in two items", 1, text("Nome: Ana Lima Costa", "CPF 11144477735"),
			[]transcript.Leak{{User: 2, Field: "customer.cpf"}, {User: 2, Field: "customer.name"}}},
		{"own data is not cross-talk", 1, text("Resumo: João Silva Souza, 5585991234567, joao.silva1234@example.com, 529.982.247-25"), nil},
		{"a shared first name is no one's", 1, text("Prazer, Ana! E você, João?"), nil},
		{"part of a word is no match", 2, text("xjoão silva souzax"), nil},
		{"a cpf inside a longer number", 2, text("pedido 9529982247251"), nil},
		{"a cpf in a phone-like run", 2, text("ref 12 52998224725 ok"), leak(1, "customer.cpf")},
		{"no data at all", 1, text("Como posso te ajudar?"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := x.Check(tc.user, tc.reply); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Check(%d, %q) = %v, want %v", tc.user, tc.reply[0].Text, got, tc.want)
			}
		})
	}
}

func TestSharedValuesAreNotCrossTalk(t *testing.T) {
	t.Parallel()
	x := NewIndex()
	add := func(n int, name string) {
		x.AddUser(n, map[string]map[string]string{"c": {"name": name, "city": "Rio de Janeiro"}})
	}
	add(1, "Ana Souza")
	add(2, "Ana Souza")      // shares user 1's full name
	add(3, "Ana Souza Lima") // whose own name holds users 1's and 2's
	add(4, "Bruno Dias Rocha")
	add(5, "Caio Dias Rocha")
	// "Rio de Janeiro" belongs to all five: common, no one's.
	if got := x.Check(1, text("Ana Souza, no Rio de Janeiro")); got != nil {
		t.Errorf("a value the user shares with another = %v, want none", got)
	}
	if got := x.Check(3, text("Obrigada, Ana Souza Lima!")); got != nil {
		t.Errorf("another's name inside the user's own = %v, want none", got)
	}
	want := []transcript.Leak{{User: 1, Field: "c.name"}, {User: 2, Field: "c.name"}}
	if got := x.Check(4, text("Obrigada, Ana Souza!")); !reflect.DeepEqual(got, want) {
		t.Errorf("a name two others share = %v, want %v", got, want)
	}
}

func TestLinksSentToAnotherConversation(t *testing.T) {
	t.Parallel()
	x := twoCustomers(t)
	pay := "https://pay.smarttalks.ai/3f9a0c1d2e4b5a6978c1d0e2"
	sent := text("Aqui está o seu link de pagamento via Pix: " + pay + "\nObrigada!")
	info := text("Saiba mais em https://www.thermasaquapark.com.br/ingressos")
	for _, m := range [][]transcript.Message{sent, info, {{Type: "media", Link: "https://cdn.example.com/parque/foto.jpg"}}} {
		x.AddLinks(1, m)
	}
	if got := x.Check(1, sent); got != nil {
		t.Errorf("the owner's own link = %v, want none", got)
	}
	want := []transcript.Leak{{User: 1, Field: LinkField}}
	if got := x.Check(2, text("Pague em "+pay+".")); !reflect.DeepEqual(got, want) {
		t.Errorf("another's link = %v, want %v", got, want)
	}
	if got := x.Check(2, []transcript.Message{{Type: "media", Link: pay}}); !reflect.DeepEqual(got, want) {
		t.Errorf("another's link as a media item = %v, want %v", got, want)
	}
	if got := x.Check(2, append(info, transcript.Message{Type: "media", Link: "https://cdn.example.com/parque/foto.jpg"})); got != nil {
		t.Errorf("links without an id = %v, want none", got)
	}
	if got := x.Check(2, text(pay+"ff")); got != nil {
		t.Errorf("a longer link = %v, want none", got)
	}
	// A link leaked to user 2 and registered after the check stays user 1's.
	x.AddLinks(2, text(pay))
	if got := x.Check(1, sent); got != nil {
		t.Errorf("after the leak, the owner's own link = %v, want none", got)
	}
}

func TestIdentifiesNoOne(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"Ana", "Margarida", "1234567", "ab 12", ""} {
		if n, _, ok := classify(v); ok {
			t.Errorf("classify(%q) indexed %q, want it left out", v, n)
		}
	}
	for v, want := range map[string]string{"São Paulo Capital": "sao paulo capital", "529.982.247-25": "#52998224725",
		"Ana.Lima@X.com": "ana.lima@x.com", "  João   Silva ": "joao silva", "https://pay.x/ab12/": "https://pay.x/ab12"} {
		if n, _, ok := classify(v); !ok || n != want {
			t.Errorf("classify(%q) = %q, %v; want %q", v, n, ok, want)
		}
	}
}

// TestConcurrentGrowth adds users while others check replies, as a run
// does, and then finds every user's name in another's reply: the race
// detector sees no unguarded access.
func TestConcurrentGrowth(t *testing.T) {
	t.Parallel()
	x := NewIndex()
	const users = 300
	name := func(n int) string {
		return fmt.Sprintf("Cliente Numero%c Sobrenome%c%c", 'a'+n%26, 'a'+n/26%26, 'a'+n/676)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for n := w; n < users; n += 4 {
				x.AddUser(n, map[string]map[string]string{"c": {"name": name(n)}})
				x.Check(n, text("Olá "+name(n)))
			}
		})
	}
	wg.Wait()
	for n := range users {
		want := []transcript.Leak{{User: (n + 1) % users, Field: "c.name"}}
		if got := x.Check(n, text("Olá "+name((n+1)%users))); !reflect.DeepEqual(got, want) {
			t.Fatalf("user %d seeing user %d's name = %v, want %v", n, (n+1)%users, got, want)
		}
	}
}

// lookupEvery is lookup without the filter of keys' first words: every
// word sequence up to words long probed in values, by its whole key's
// hash, as the index first did by the key. The filter must find the same.
func (s *scratch) lookupEvery(values table, words int) {
	for i := range s.words {
		for n := 0; n < words && i+n < len(s.words); n++ {
			if w := s.words[i+n]; w[0] == w[1] {
				break
			}
			h := hashBytes(hashSeed, s.textKey(i, n+1))
			if e := values.keys[h]; e.bits&wholeKey != 0 {
				s.add(i, i+n+1, values, h, e)
			}
		}
	}
	s.lookupNumbers(values)
}

// textKey is the key of the n words from word i: joined by one space.
func (s *scratch) textKey(i, n int) []byte {
	var k []byte
	for j, w := range s.words[i : i+n] {
		if j > 0 {
			k = append(k, ' ')
		}
		k = append(k, s.folded[w[0]:w[1]]...)
	}
	return k
}

// The filter (grow a word sequence only while it starts an indexed
// key) finds exactly what probing every sequence finds, on replies made
// of indexed values (whole, cut, run together, re-cased), their words
// shuffled, and noise.
func TestLookupFilterFindsWhatEveryProbeFinds(t *testing.T) {
	t.Parallel()
	x := NewIndex()
	var vals []string
	for u := range 300 {
		d := benchUser(u)
		if u%3 == 0 { // longer values: up to maxWords and past it
			d["address"] = map[string]string{"street": fmt.Sprintf("Rua Doutor José de Alencar Lima %d Bloco B", u),
				"long": "um dois tres quatro cinco seis sete oito nove dez"}
		}
		x.AddUser(u, d)
		for _, attrs := range d {
			for _, v := range attrs {
				vals = append(vals, v)
			}
		}
	}
	r := rand.New(rand.NewPCG(9, 9))
	noise := []string{"Olá,", "tudo", "bem?", "Rua", "Doutor", "R$", "640,00", "(85)", "—", "✅", "Ana", "Souza", "\n", "ÀÉÎ", "12/10/2026"}
	for i := range 3000 {
		var parts []string
		for range 1 + r.IntN(12) {
			switch k := r.IntN(4); {
			case k == 0:
				parts = append(parts, noise[r.IntN(len(noise))])
			case k == 1: // a value cut at a word
				ws := strings.Fields(vals[r.IntN(len(vals))])
				parts = append(parts, ws[r.IntN(len(ws)):]...)
			case k == 2:
				parts = append(parts, strings.ToUpper(vals[r.IntN(len(vals))]))
			default:
				parts = append(parts, vals[r.IntN(len(vals))])
			}
		}
		reply := text(strings.Join(parts, " "), parts[r.IntN(len(parts))])
		a, b := &scratch{}, &scratch{}
		a.fill(reply)
		b.fill(reply)
		a.lookup(x, x.words)
		b.lookupEvery(x.values, x.words)
		if !reflect.DeepEqual(a.found, b.found) {
			t.Fatalf("reply %d %q: the filter found %v, every probe %v", i, reply[0].Text, a.found, b.found)
		}
		if i < 5 && len(a.found) == 0 {
			t.Fatalf("reply %d %q: nothing found; the test draws values into every reply", i, reply[0].Text)
		}
	}
}

// urlPattern is what links finds, as a regexp.
var urlPattern = regexp.MustCompile(`https?://[^\s<>"'` + "`" + `]+`)

// links finds what urlPattern finds, on replies with links and on random
// strings made of the bytes that matter.
func TestLinksMatchTheirPattern(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(4, 4))
	pieces := []string{"http", "https", "://", ":/", "s", "h", "p", " ", "\t", "\n", "\v", "\f", "\r", "<", ">", `"`, "'", "`",
		"pay.smarttalks.ai/", "abc123", "ção", ".", ")", "httphttps://x", "\xff"}
	for i := range 20000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		if i%10 == 0 {
			s = "Seu link: https://pay.smarttalks.ai/c/" + strconv.Itoa(i) + "abcdefghijklmnop. Obrigado!"
		}
		var got []string
		for u := range links(s) {
			got = append(got, u)
		}
		if want := urlPattern.FindAllString(s, -1); !slices.Equal(got, want) {
			t.Fatalf("links(%q) = %q, the pattern finds %q", s, got, want)
		}
	}
}

// The index remembers the last LinkGeneration links sent, at least, and
// at most twice as many: a link sent that long ago to another user is
// forgotten, and the memory of a long run stays flat.
func TestLinksAreRememberedForTwoGenerations(t *testing.T) {
	t.Parallel()
	x := NewIndex()
	link := func(i int) string { return fmt.Sprintf("https://pay.smarttalks.ai/%024d", i) }
	const total = 5*LinkGeneration + 123
	for i := range total {
		x.AddLinks(i%1000, text("Seu link: "+link(i)))
	}
	if n := len(x.links[0]) + len(x.links[1]); n < LinkGeneration || n > 2*LinkGeneration {
		t.Fatalf("the index holds %d links after %d; want %d to %d", n, total, LinkGeneration, 2*LinkGeneration)
	}
	for _, i := range []int{total - 1, total - LinkGeneration/2, total - LinkGeneration} {
		want := []transcript.Leak{{User: i % 1000, Field: LinkField}}
		if got := x.Check(1000+i%7, text("Pague em "+link(i))); !reflect.DeepEqual(got, want) {
			t.Errorf("link %d of %d, sent to user %d: %v; want %v", i, total, i%1000, got, want)
		}
	}
	for _, i := range []int{0, total - 2*LinkGeneration - 1} {
		if got := x.Check(1000, text("Pague em "+link(i))); got != nil {
			t.Errorf("link %d of %d: %v; want it forgotten", i, total, got)
		}
	}
}
