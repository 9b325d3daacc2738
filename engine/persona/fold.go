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

// sentences calls fn with each run of s between the sentence marks \n . ?
// and !, empty runs skipped — the pieces regexp `[\n.?!]+` splits s into.
func sentences(s string, fn func(string) bool) bool {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isSentenceMark(s[i]) {
			continue
		}
		if i > start && fn(s[start:i]) {
			return true
		}
		start = i + 1
	}
	return false
}

func isSentenceMark(c byte) bool { return c == '\n' || c == '.' || c == '?' || c == '!' }
