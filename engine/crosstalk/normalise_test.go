package crosstalk

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/internal/fold"
)

// appendFoldTwoPass is appendFold as first written: folded into a buffer
// of its own, then copied, each rune lowered and white space collapsed.
func appendFoldTwoPass(dst []byte, s string) []byte {
	f := fold.Append(nil, s)
	space := true
	for i := 0; i < len(f); {
		r, n := utf8.DecodeRune(f[i:])
		i += n
		if unicode.IsSpace(r) {
			if !space {
				dst = append(dst, ' ')
			}
			space = true
			continue
		}
		space = false
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	if n := len(dst); n > 0 && dst[n-1] == ' ' {
		dst = dst[:n-1]
	}
	return dst
}

// appendFold compacts in place what fold.Append wrote: the same bytes as
// folding into a buffer of its own and lowering each rune, on texts of
// accents, upper case beyond Latin, Unicode spaces, emoji and bullets,
// after a prefix it must leave alone.
func TestAppendFoldMatchesTwoPasses(t *testing.T) {
	pieces := []string{"Olá", "JOÃO", "ção", " ", "  ", "\t", "\n", "\u00a0", "\u2028", "\u3000", "•", "R$ 640,00", "ΣΊΣΥΦΟΣ", "ǅ", "ﬁ", "😀", "\ufe0f", "İ",
		"e-mail:", "(85) 99123-4567", "x", "Ǆ", "ß", "Å", "\u200b", "k", "\u0301", "Ω", "ⅷ"}
	r := rand.New(rand.NewPCG(3, 2026))
	for i := range 20000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		prefix := []byte("kept")[:r.IntN(5)] // as in fill: what an earlier appendFold left, never ending in a space
		got := appendFold(append([]byte(nil), prefix...), s)
		want := appendFoldTwoPass(append([]byte(nil), prefix...), s)
		if string(got) != string(want) {
			t.Fatalf("case %d: appendFold(%q, %q) = %q, want %q", i, prefix, s, got, want)
		}
	}
}
