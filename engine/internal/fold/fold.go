// Package fold is the one folding of text for comparison: lower case,
// accents removed (NFD, the nonspacing marks taken out, NFC), through a
// table for the runes chat messages are made of. The persona's character
// checks and replay, and the cross-talk index, all compare through it.
package fold

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// String lowercases s and removes its accents: NFD, the nonspacing marks
// taken out, NFC. Messages are nearly always ASCII, or Latin letters,
// punctuation and emoji; for those it looks each rune up in a table of what
// the chain makes of it (fast); anything else goes through the chain.
func String(s string) string {
	if IsASCII(s) {
		return strings.ToLower(s) // s itself when it has no upper case
	}
	b := scratch.Get().(*[]byte)
	*b = Append((*b)[:0], s)
	out := string(*b)
	if cap(*b) <= maxScratch {
		scratch.Put(b)
	}
	return out
}

// scratch pools String's buffers: a non-ASCII string costs one allocation,
// its result. maxScratch bounds what the pool keeps.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

const maxScratch = 64 << 10

// Append appends String(s) to dst, allocating nothing when dst has room
// and s folds through the table: it lowercases and folds rune by rune, as
// strings.ToLower and the table do, and hands the whole of s to the chain
// at the first rune the table does not know — an invalid byte among them
// (U+FFFD, as strings.ToLower makes it).
func Append(dst []byte, s string) []byte {
	start := len(dst)
	var table [][]folded
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf { // a run of ASCII: copied, then lowercased
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf {
				j++
			}
			from := len(dst)
			dst = append(dst, s[i:j]...)
			for k := from; k < len(dst); k++ {
				if c := dst[k]; 'A' <= c && c <= 'Z' {
					dst[k] = c + ('a' - 'A')
				}
			}
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if table == nil {
			table = foldTableFor()
		}
		f, ok := lookup(table, r)
		if !ok { // outside the table: lowered, it may be in it (its entry is then its own: lowering is idempotent)
			if r = unicode.ToLower(r); r < utf8.RuneSelf {
				dst = append(dst, byte(r))
				continue
			}
			f, ok = lookup(table, r)
		}
		if !ok || !f.known {
			return append(dst[:start], Chain(strings.ToLower(s))...)
		}
		dst = append(dst, f.s...)
	}
	return dst
}

// Chain is the reference String is held to: the normalisation chain
// itself, without the lowercasing.
func Chain(s string) string {
	t := folders.Get().(transform.Transformer)
	defer folders.Put(t)
	out, _, err := transform.String(t, s) // transform.String resets t first
	if err != nil {
		return s
	}
	return out
}

// folders pools the accent-removing transformer chain: building one per
// call dominated the character checks' CPU under load (BENCH.md).
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// foldRanges are the runes Append knows: Latin-1 and Latin Extended-A/B
// letters, general punctuation, currency, arrows, symbols and dingbats,
// the variation selector of emoji, and the emoji planes. None composes
// with a neighbour under NFC once the nonspacing marks are gone, so a
// string of them folds rune by rune (TestStringMatchesTheChain).
var foldRanges = [][2]rune{{0x80, 0x24F}, {0x2000, 0x27BF}, {0xFE0F, 0xFE0F}, {0x1F000, 0x1FAFF}}

// folded is what Append makes of a rune of foldRanges: the chain's result
// for the rune lowercased (s), known when the lowered rune is ASCII or in
// foldRanges too.
type folded struct {
	s     string
	known bool
}

// foldTable holds, per range, what Append makes of each rune.
var (
	foldTableOnce sync.Once
	foldTable     [][]folded
)

func foldTableFor() [][]folded {
	foldTableOnce.Do(func() {
		foldTable = make([][]folded, len(foldRanges))
		for i, rg := range foldRanges {
			foldTable[i] = make([]folded, rg[1]-rg[0]+1)
			for r := rg[0]; r <= rg[1]; r++ {
				f := &foldTable[i][r-rg[0]]
				switch lower := unicode.ToLower(r); {
				case lower < utf8.RuneSelf:
					f.s, f.known = string(lower), true
				case inRanges(lower):
					f.s, f.known = Chain(string(lower)), true
				}
			}
		}
	})
	return foldTable
}

func lookup(table [][]folded, r rune) (folded, bool) {
	for i, rg := range foldRanges {
		if r >= rg[0] && r <= rg[1] {
			return table[i][r-rg[0]], true
		}
	}
	return folded{}, false
}

func inRanges(r rune) bool {
	for _, rg := range foldRanges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// IsWordRune reports a letter or a digit: what the checks that compare
// text by its words (the persona's, the cross-talk index's) keep of it.
func IsWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return WordByte[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// WordByte is IsWordRune for the ASCII bytes: [A-Za-z0-9].
var WordByte = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// IsASCII reports s has no byte above 0x7F: nothing to fold but case.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Ranges are the runes the table knows, for tests that draw text from
// them.
func Ranges() [][2]rune { return slices.Clone(foldRanges) }
