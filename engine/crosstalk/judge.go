package crosstalk

import (
	"cmp"
	"slices"

	"github.com/voyplan/voyplan/engine/transcript"
)

// judge turns the values found in a reply into leaks: those of other users
// that are neither user's own, nor common, nor inside one of user's own
// values in the reply ("Ana Souza" in "Ana Souza Lima"). fields names the
// owners' fields by number (Index.fields).
func judge(user int, found []match, fields []string) []transcript.Leak {
	var own [][2]int // spans of user's own values
	for _, m := range found {
		if owns(m.owners, user) {
			own = append(own, [2]int{m.from, m.to})
		}
	}
	var leaks []transcript.Leak
	for _, m := range found {
		if owns(m.owners, user) || users(m.owners) > MaxShared || inside(own, m.from, m.to) {
			continue
		}
		for _, o := range m.owners {
			leaks = append(leaks, transcript.Leak{User: int(o.user), Field: fields[o.field]})
		}
	}
	slices.SortFunc(leaks, func(a, b transcript.Leak) int {
		return cmp.Or(cmp.Compare(a.User, b.User), cmp.Compare(a.Field, b.Field))
	})
	return slices.Compact(leaks)
}

func owns(os []owner, user int) bool {
	return slices.ContainsFunc(os, func(o owner) bool { return o.user == int32(user) })
}

// users counts the distinct users among os (a user may hold one value in
// several fields).
func users(os []owner) int {
	n := 0
	for i, o := range os {
		if !slices.ContainsFunc(os[:i], func(p owner) bool { return p.user == o.user }) {
			n++
		}
	}
	return n
}

// inside reports whether [from, to) lies within one of spans.
func inside(spans [][2]int, from, to int) bool {
	return slices.ContainsFunc(spans, func(s [2]int) bool { return s[0] <= from && to <= s[1] })
}
