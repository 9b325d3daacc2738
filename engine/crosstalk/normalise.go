package crosstalk

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/internal/fold"
)

const (
	minText   = 8 // shortest folded text value indexed
	minDigits = 8 // fewest digits a number value needs to be indexed
)

// classify says how a data value is looked up: its key — "#" and its
// digits for a number (no letters, minDigits or more digits), else its
// folded words joined by one space — and how many words it has; ok is
// false for a value that identifies no one.
func classify(v string) (key string, words int, ok bool) {
	letters, digits := 0, 0
	for _, r := range v {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r >= '0' && r <= '9':
			digits++
		}
	}
	if letters == 0 {
		if digits < minDigits {
			return "", 0, false
		}
		return "#" + digitsOf(v), 1, true
	}
	f := appendFold(nil, v)
	var parts []string
	for _, w := range appendWords(nil, f, 0) {
		if w[0] < w[1] {
			parts = append(parts, string(f[w[0]:w[1]]))
		}
	}
	key = strings.Join(parts, " ")
	if len(key) < minText || len(parts) > maxWords || (len(parts) == 1 && singleWord(key)) {
		return "", 0, false
	}
	return key, len(parts), true
}

// singleWord reports a word of letters only: a first name, a city —
// shared by too many people to say whose data it is.
func singleWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// appendWords appends the spans of the words of folded[from:]: pieces
// between spaces with the runes that are neither letters nor digits
// trimmed off their ends ("ana," is "ana", "(85)" is "85"); a piece of
// punctuation only is an empty span.
func appendWords(dst [][2]int, folded []byte, from int) [][2]int {
	for i := from; i < len(folded); {
		j := i
		for j < len(folded) && folded[j] != ' ' {
			j++
		}
		a, b := i, j
		for a < b {
			if c := folded[a]; c < utf8.RuneSelf {
				if asciiWord[c] {
					break
				}
				a++
				continue
			}
			r, n := utf8.DecodeRune(folded[a:b])
			if !wordEdge(r) {
				break
			}
			a += n
		}
		for b > a {
			if c := folded[b-1]; c < utf8.RuneSelf {
				if asciiWord[c] {
					break
				}
				b--
				continue
			}
			r, n := utf8.DecodeLastRune(folded[a:b])
			if !wordEdge(r) {
				break
			}
			b -= n
		}
		dst = append(dst, [2]int{a, b})
		i = j + 1
	}
	return dst
}

func digitsOf(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if isDigit(v[i]) {
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// appendFold appends s folded to dst: accents removed and lower case
// (engine/internal/fold, as the persona's checks fold), runs of white
// space made one space, trimmed. fold.Append writes to dst, which is then
// compacted in place: its output is lower case already, and a space
// never takes more bytes than what it replaces.
func appendFold(dst []byte, s string) []byte {
	from := len(dst)
	dst = fold.Append(dst, s)
	w := from
	space := true // at the start: leading space is dropped
	for i := from; i < len(dst); {
		c := dst[i]
		if c < utf8.RuneSelf {
			i++
			if asciiSpace[c] {
				if !space {
					dst[w] = ' '
					w++
				}
				space = true
				continue
			}
			space = false
			dst[w] = c
			w++
			continue
		}
		r, n := utf8.DecodeRune(dst[i:])
		if unicode.IsSpace(r) {
			i += n
			if !space {
				dst[w] = ' '
				w++
			}
			space = true
			continue
		}
		space = false
		w += copy(dst[w:], dst[i:i+n])
		i += n
	}
	if w > from && dst[w-1] == ' ' {
		w--
	}
	return dst[:w]
}

// asciiWord is !wordEdge for the ASCII bytes: letters and digits.
var asciiWord = &fold.WordByte

// asciiSpace is unicode.IsSpace for the ASCII bytes.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// wordEdge reports whether r is trimmed off a word's ends: anything but
// a letter or a digit.
func wordEdge(r rune) bool { return !fold.IsWordRune(r) }
