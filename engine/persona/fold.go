package persona

import (
	"strings"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/internal/fold"
)

// squash keeps letters and digits, one space between words.
func squash(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inWord := false
	for _, r := range s {
		if isWordRune(r) {
			if !inWord && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			inWord = true
			continue
		}
		inWord = false
	}
	return b.String()
}

func isWordRune(r rune) bool { return fold.IsWordRune(r) }

// appendSquash appends squash(s) to dst: s's letters and digits, one
// space between words. With sentences, it also appends to them the span in
// dst of each sentence's squash: the runs of s between the sentence marks
// \n . ? and ! (the pieces regexp `[\n.?!]+` splits s into) that hold a
// word. A sentence mark is no word character, so no word straddles two
// sentences, and a sentence's squash is the run of the whole squash from
// its first word to its last.
func appendSquash(dst []byte, sentences *[][2]int, s []byte) []byte {
	inWord := false
	first := -1 // where the current sentence's first word starts in dst
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && !asciiWord[c] {
			inWord = false
			if sentences != nil && first >= 0 && isSentenceMark(c) {
				*sentences = append(*sentences, [2]int{first, len(dst)})
				first = -1
			}
			i++
			continue
		}
		size := 1
		if c >= utf8.RuneSelf {
			var r rune
			if r, size = utf8.DecodeRune(s[i:]); !isWordRune(r) { // utf8.RuneError is not
				inWord = false
				i += size
				continue
			}
		}
		// s[i:i+size] is a word rune: copy it with the ASCII word bytes
		// that follow it.
		j := i + size
		for j < len(s) && s[j] < utf8.RuneSelf && asciiWord[s[j]] {
			j++
		}
		if !inWord && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		if first < 0 {
			first = len(dst)
		}
		dst = append(dst, s[i:j]...)
		inWord = true
		i = j
	}
	if sentences != nil && first >= 0 {
		*sentences = append(*sentences, [2]int{first, len(dst)})
	}
	return dst
}

// asciiWord is isWordRune for ASCII.
var asciiWord = &fold.WordByte

func isSentenceMark(c byte) bool { return c == '\n' || c == '.' || c == '?' || c == '!' }
