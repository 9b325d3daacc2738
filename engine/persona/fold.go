package persona

import (
	"strings"
	"unicode"
	"unicode/utf8"
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

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

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
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(s[i:])
		}
		if isWordRune(r) { // not utf8.RuneError: s[i:i+size] is r, encoded
			if !inWord && len(dst) > 0 {
				dst = append(dst, ' ')
			}
			if first < 0 {
				first = len(dst)
			}
			dst = append(dst, s[i:i+size]...)
			inWord = true
		} else {
			inWord = false
			if sentences != nil && first >= 0 && isSentenceMark(s[i]) {
				*sentences = append(*sentences, [2]int{first, len(dst)})
				first = -1
			}
		}
		i += size
	}
	if sentences != nil && first >= 0 {
		*sentences = append(*sentences, [2]int{first, len(dst)})
	}
	return dst
}

func isSentenceMark(c byte) bool { return c == '\n' || c == '.' || c == '?' || c == '!' }
