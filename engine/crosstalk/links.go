package crosstalk

import (
	"strings"

	"github.com/voyplan/voyplan/engine/transcript"
)

// links yields the links of s, as urlPattern finds them
// (TestLinksMatchTheirPattern), by a byte loop: a reply is read for its
// links on every turn.
func links(s string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for i := 0; i < len(s); {
			j := strings.Index(s[i:], "http")
			if j < 0 {
				return
			}
			i += j
			rest := s[i+4:]
			n := 4
			if strings.HasPrefix(rest, "s") {
				rest, n = rest[1:], 5
			}
			if !strings.HasPrefix(rest, "://") {
				i++
				continue
			}
			end := i + n + 3
			for end < len(s) && !linkEnd(s[end]) {
				end++
			}
			if end == i+n+3 { // nothing after "://"
				i++
				continue
			}
			if !yield(s[i:end]) {
				return
			}
			i = end
		}
	}
}

// linkEnd reports a byte a link does not hold: white space (\s: \t \n \f
// \r and space) and <>"'`.
func linkEnd(c byte) bool {
	switch c {
	case '\t', '\n', '\f', '\r', ' ', '<', '>', '"', '\'', '`':
		return true
	}
	return false
}

// minID is the shortest path segment or query value that makes a link
// someone's own (a payment id, a token), not a page every customer gets.
const minID = 16

// LinkGeneration is how many links sent the Index remembers at least (and
// at most twice as many): see Index.links.
const LinkGeneration = 1 << 14

// link is the user the link of hash h was sent to, if the index still
// remembers it; x.mu is held.
func (x *Index) link(h uint64) (int32, bool) {
	if u, ok := x.links[0][h]; ok {
		return u, true
	}
	u, ok := x.links[1][h]
	return u, ok
}

// AddLinks indexes the links with an id (see the package doc) that msgs,
// a reply to user's conversation, carried and that no one was sent before,
// as user's. Call it after Check on the same reply, so a link leaked into a
// conversation is not taken for that conversation's own.
func (x *Index) AddLinks(user int, msgs []transcript.Message) {
	var found []string
	for _, m := range msgs {
		for _, s := range [2]string{m.Text, m.Link} {
			if strings.Contains(s, "://") {
				found = appendIDLinks(found, s)
			}
		}
	}
	if len(found) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, l := range found {
		k, words, ok := classify(l)
		if !ok || words != 1 {
			continue
		}
		h := hashBytes(hashSeed, []byte(k))
		if _, known := x.link(h); !known {
			if len(x.links[0]) >= LinkGeneration {
				x.links[1], x.links[0] = x.links[0], make(map[uint64]int32, LinkGeneration)
			}
			x.links[0][h] = int32(user)
			x.see(h)
		}
	}
}

// appendIDLinks appends the links of s that carry an id.
func appendIDLinks(dst []string, s string) []string {
	for u := range links(s) {
		u = strings.TrimRight(u, ".,;:!?)]}")
		if hasID(u) {
			dst = append(dst, u)
		}
	}
	return dst
}

// hasID reports whether a path segment or query value of link u (after
// its host) is an id: minID or more letters, digits, - or _, one a digit.
func hasID(u string) bool {
	_, rest, _ := strings.Cut(u, "://")
	_, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return false
	}
	for _, part := range strings.FieldsFunc(rest, func(r rune) bool { return strings.ContainsRune("/?&=#;", r) }) {
		if len(part) >= minID && isID(part) {
			return true
		}
	}
	return false
}

func isID(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			digit = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
		default:
			return false
		}
	}
	return digit
}
