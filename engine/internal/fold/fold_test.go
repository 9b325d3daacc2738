package fold

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// randomText draws n runes from ASCII, every rune of foldRanges, and a few
// that are not in them (combining marks, Hangul, CJK, invalid UTF-8), so
// both paths of String run.
func randomText(r *rand.Rand, n int, outside bool) string {
	var b strings.Builder
	for range n {
		switch k := r.IntN(10); {
		case k < 4:
			b.WriteByte(byte(r.IntN(0x80)))
		case k < 9 || !outside:
			rg := foldRanges[r.IntN(len(foldRanges))]
			b.WriteRune(rg[0] + r.Int32N(rg[1]-rg[0]+1))
		default:
			others := []string{"\u0301", "\u0327", "\u20e3", "한", "\u1100\u1161", "語", "\xff", "\u0345", "ǖ\u0323"}
			b.WriteString(others[r.IntN(len(others))])
		}
	}
	return b.String()
}

// String's table gives what the normalisation chain gives, for every rune
// of foldRanges alone and for random strings of them (with and without
// runes it must hand to the chain).
func TestStringMatchesTheChain(t *testing.T) {
	for _, rg := range foldRanges {
		for c := rg[0]; c <= rg[1]; c++ {
			s := strings.ToLower("a" + string(c) + "B" + string(c) + string(c))
			if got, want := String(s), Chain(s); got != want {
				t.Fatalf("String(%q) = %q, the chain %q", s, got, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 16))
	for i := range 20000 {
		s := randomText(r, 1+r.IntN(40), i%2 == 0)
		if got, want := String(s), Chain(strings.ToLower(s)); got != want {
			t.Fatalf("String(%q) = %q, the chain %q", s, got, want)
		}
	}
}

// stringReference is String as it was before Append: strings.ToLower, then
// the chain rune by rune (the table, before it held lowered runes) when
// every rune is in foldRanges, else the chain.
func stringReference(s string) string {
	s = strings.ToLower(s)
	if IsASCII(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !inRanges(r) || (r == utf8.RuneError && size == 1) {
			return Chain(s)
		}
		f, ok := chainOfRune[r]
		if !ok {
			f = Chain(string(r))
			chainOfRune[r] = f
		}
		b.WriteString(f)
		i += size
	}
	return b.String()
}

var chainOfRune = map[rune]string{}

// adversarial are strings whose lowering or folding is out of the common
// way: upper case outside ASCII that lowers to ASCII (the Kelvin sign, İ),
// ſ, a real U+FFFD, invalid and truncated UTF-8, combining marks, emoji
// sequences, empty.
var adversarial = []string{"", "A", "\u212A", "İ", "ſ", "ẞ", "Ω", "\ufffd", "\xff", "\xe2\x82", "a\xc3", "É\u0301", "e\u0301", "Ǆ", "😊", "1\ufe0f\u20e3",
	"👩\u200d👩\u200d👧", "ÀÉÎÕÜ", "Σ", "ς", "한", "\u1100\u1161", "語", "\u0345", "ǖ\u0323", "Ⅻ", "Ⓐ", "ﬀ", " ", "\n", "Ç", "\u2126", "Ⱥ", "\u1e9e"}

// Append (and String, built on it) fold every string as the old String
// did, after whatever dst held: random strings of ASCII, the table's runes
// and others, in upper and lower case, with the adversarial ones mixed in.
func TestAppendMatchesTheOldString(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want := stringReference(s)
		if got := String(s); got != want {
			t.Fatalf("String(%q) = %q, the old String %q", s, got, want)
		}
		prefix := []byte("prefix ")
		if got := Append(prefix, s); string(got) != "prefix "+want {
			t.Fatalf("Append(%q, %q) = %q, want %q", "prefix ", s, got, "prefix "+want)
		}
	}
	for _, a := range adversarial {
		for _, b := range adversarial {
			check(a + b)
			check(strings.ToUpper(a) + "x" + b)
		}
	}
	r := rand.New(rand.NewPCG(7, 16))
	for i := range 30000 {
		var b strings.Builder
		for range 1 + r.IntN(6) {
			switch r.IntN(4) {
			case 0:
				b.WriteString(adversarial[r.IntN(len(adversarial))])
			case 1:
				b.WriteString(strings.ToUpper(randomText(r, 1+r.IntN(10), i%2 == 0)))
			default:
				b.WriteString(randomText(r, 1+r.IntN(10), i%2 == 0))
			}
		}
		check(b.String())
	}
}

// Append looks a rune outside the table up again once lowered, and takes
// the entry as its fold: the entry is of the rune lowered again, the same
// rune as long as lowering is idempotent.
func TestLoweringIsIdempotent(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if l := unicode.ToLower(r); unicode.ToLower(l) != l {
			t.Fatalf("ToLower(%U) = %U, whose lower case is %U", r, l, unicode.ToLower(l))
		}
	}
}

// Append allocates nothing for text the table knows, given room.
func TestAppendAllocatesNothing(t *testing.T) {
	buf := make([]byte, 0, 256)
	s := "Olá! 😊 Você gostaria dos INGRESSOS? Opção 1️⃣ — R$ 120,00 • ſ \u212A"
	if n := testing.AllocsPerRun(100, func() { buf = Append(buf[:0], s) }); n != 0 {
		t.Errorf("Append: %v allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = String(s) }); n != 1 && !raceEnabled {
		t.Errorf("String: %v allocations, want 1 (its result)", n)
	}
}

// BenchmarkString: folding a reply of the simulator (accents, emoji, a
// menu), the cross-talk index's and the persona's checks' hot path.
func BenchmarkString(b *testing.B) {
	s := "Olá! 😊 Sou a assistente do parque. Para qual data você gostaria dos ingressos? " +
		"Temos as opções:\n1. Ingresso adulto — R$ 120,00\n2. Ingresso criança — R$ 60,00\nPoderia me informar o seu CPF, por favor?"
	b.ReportAllocs()
	for b.Loop() {
		_ = String(s)
	}
}

// IsWordRune is a letter or a digit, by the unicode tables, for every rune
// up to U+2FFFF (so WordByte, which answers for ASCII, too).
func TestIsWordRuneIsLetterOrDigit(t *testing.T) {
	for r := rune(0); r <= 0x2FFFF; r++ {
		if got, want := IsWordRune(r), unicode.IsLetter(r) || unicode.IsDigit(r); got != want {
			t.Fatalf("IsWordRune(%U) = %v, want %v", r, got, want)
		}
	}
}
