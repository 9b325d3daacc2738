package decode

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agext/levenshtein"
)

// Suggest returns the option closest to given when it is close enough to be
// a likely misspelling (edit distance below 3, as HCL does), or "".
func Suggest(given string, options []string) string {
	best, bestDist := "", 3
	for _, o := range options {
		if d := levenshtein.Distance(given, o, nil); d < bestDist { // in runes
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
