package decode

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Suggest returns the option closest to given when it is close enough to be
// a likely misspelling (edit distance below 3, as HCL does), or "".
func Suggest(given string, options []string) string {
	best, bestDist := "", 3
	for _, o := range options {
		if d := editDistance(given, o); d < bestDist {
			best, bestDist = o, d
		}
	}
	return best
}

// DidYouMean renders Suggest's answer as a sentence to append to a Detail,
// with a leading space, or "" when nothing is close.
func DidYouMean(given string, options []string) string {
	if s := Suggest(given, options); s != "" {
		return fmt.Sprintf(" Did you mean %q?", s)
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if utf8.RuneCountInString(a) == 0 {
		return len(rb)
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// SortedKeys returns m's keys in order, for deterministic suggestions and
// diagnostics.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// QuotedList renders names as "a", "b" and "c" for a Detail.
func QuotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	switch len(q) {
	case 0:
		return "nothing"
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
