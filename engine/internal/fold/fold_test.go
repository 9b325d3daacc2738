package fold

import (
	"math/rand/v2"
	"strings"
	"testing"
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

// Append appends exactly what String gives, on text the table knows and
// on text it must hand to the chain, after what dst already holds.
func TestAppendMatchesString(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 17))
	for i := range 20000 {
		s := randomText(r, 1+r.IntN(40), i%2 == 0)
		if i%7 == 0 {
			s = strings.ToUpper(s) + "\u212a\u0130ſ"
		}
		got := string(Append([]byte("prefix|"), s))
		if want := "prefix|" + String(s); got != want {
			t.Fatalf("Append(%q) = %q, String %q", s, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Append(make([]byte, 0, 64)[:0], "Ação CONFIRMADA às 10h ✅") }); n > 1 {
		t.Errorf("Append allocates %.0f times on table text; want only its buffer", n)
	}
}
