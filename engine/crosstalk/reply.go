package crosstalk

import (
	"sync"

	"github.com/voyplan/voyplan/engine/transcript"
)

// numberGap is the most separator bytes between two digit groups of one
// number: "+55 (85) 99123-4567" is one number, "2 adultos e 2" is not.
const numberGap = 3

// scratch is one reply made searchable, pooled so that checking a clean
// reply allocates nothing: its words (folded, edge punctuation trimmed;
// an empty word is a break no value spans), and its numbers as digit
// groups.
type scratch struct {
	folded []byte
	words  [][2]int // spans of folded
	digits []byte   // every number's digits, one after the other
	groups [][2]int // spans of digits: one digit group each
	nums   [][2]int // ranges of groups: one number each
	found  []match
	owners []owner // the owners of found: a match's are a slice of these
}

// match is one indexed value found in a reply: where (in word or group
// positions, numbers after words) and whose.
type match struct {
	from, to int
	owners   []owner
}

var scratches = sync.Pool{New: func() any { return &scratch{} }}

// fill reads msgs: their texts and links.
func (s *scratch) fill(msgs []transcript.Message) {
	s.folded, s.words, s.digits, s.groups, s.nums = s.folded[:0], s.words[:0], s.digits[:0], s.groups[:0], s.nums[:0]
	s.found, s.owners = s.found[:0], s.owners[:0]
	for _, m := range msgs {
		for _, t := range [2]string{m.Text, m.Link} {
			if t == "" {
				continue
			}
			from := len(s.folded)
			s.folded = appendFold(s.folded, t)
			s.words = appendWords(s.words, s.folded, from)
			s.words = append(s.words, [2]int{}) // a break between items
			s.addNumbers(t)
		}
	}
}

// addNumbers reads the numbers of t: digit groups joined by at most
// numberGap separators are one number.
func (s *scratch) addNumbers(t string) {
	first := len(s.groups)
	for i := 0; i < len(t); {
		if !isDigit(t[i]) {
			i++
			continue
		}
		j := i
		for j < len(t) && isDigit(t[j]) {
			j++
		}
		s.groups = append(s.groups, [2]int{len(s.digits), len(s.digits) + j - i})
		s.digits = append(s.digits, t[i:j]...)
		k := j
		for k < len(t) && k-j < numberGap && isSeparator(t[k]) {
			k++
		}
		if k == j || k == len(t) || !isDigit(t[k]) { // the number ends here
			s.nums = append(s.nums, [2]int{first, len(s.groups)})
			first = len(s.groups)
			i = j
			continue
		}
		i = k
	}
}

func isSeparator(c byte) bool {
	switch c {
	case ' ', '.', '-', '/', '(', ')', '+':
		return true
	}
	return false
}

// lookup finds every indexed value among the reply's word sequences (up
// to words long) and its numbers' runs of whole digit groups; x.mu is
// read-locked. A word sequence is grown, and taken for a value, only as
// far as keys says it starts or is an indexed key: one probe a word, by
// the sequence's hash.
func (s *scratch) lookup(x *Index, words int) {
	keys, seen := x.values.keys, x.values.seen
	anyLinks := len(x.links[0])+len(x.links[1]) > 0
	for i := range s.words {
		h := uint64(hashSeed)
		for n := 0; n < words && i+n < len(s.words); n++ {
			w := s.words[i+n]
			if w[0] == w[1] {
				break
			}
			if n > 0 {
				h = hashByte(h, ' ')
			}
			h = hashBytes(h, s.folded[w[0]:w[1]])
			if !maybe(seen, h) {
				break
			}
			if n == 0 && anyLinks {
				if u, ok := x.link(h); ok {
					s.add(i, i+1, table{}, 0, entry{u, linkFieldNum<<entryFlags | wholeKey}) // a link's one owner
				}
			}
			e := keys[h]
			if e.bits&wholeKey != 0 {
				s.add(i, i+n+1, x.values, h, e)
			}
			if e.bits&startsKey == 0 {
				break
			}
		}
	}
	s.lookupNumbers(x.values)
}

// add records a match, from and to, of key h, whose entry in t is e: its
// owners are copied to s.owners, as the index may grow once it is
// unlocked and a match's owners may not.
func (s *scratch) add(from, to int, t table, h uint64, e entry) {
	s.found = append(s.found, match{from, to, s.ownersOf(t, h, e)})
}

// ownersOf is the owners of key h, whose entry in t is e, in s.owners.
func (s *scratch) ownersOf(t table, h uint64, e entry) []owner {
	first := len(s.owners)
	s.owners = t.appendOwners(s.owners, h, e)
	return s.owners[first:len(s.owners):len(s.owners)]
}

// lookupNumbers finds every indexed number among the runs of whole digit
// groups of the reply's numbers: a run's key is "#" and its digits.
func (s *scratch) lookupNumbers(values table) {
	base := len(s.words) + 1
	for _, num := range s.nums {
		for g := num[0]; g < num[1]; g++ {
			h, digits := hashByte(hashSeed, '#'), 0
			for k := g; k < num[1]; k++ {
				d := s.digits[s.groups[k][0]:s.groups[k][1]]
				h, digits = hashBytes(h, d), digits+len(d)
				if digits < minDigits || !maybe(values.seen, h) {
					continue
				}
				if e := values.keys[h]; e.bits&wholeKey != 0 {
					s.add(base+g, base+k+1, values, h, e)
				}
			}
		}
	}
}
