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
	key    []byte
	found  []match
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
	s.folded, s.words, s.digits, s.groups, s.nums, s.found = s.folded[:0], s.words[:0], s.digits[:0], s.groups[:0], s.nums[:0], s.found[:0]
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

// textKey is the key of the n words from word i: joined by one space.
func (s *scratch) textKey(i, n int) []byte {
	s.key = s.key[:0]
	for j, w := range s.words[i : i+n] {
		if j > 0 {
			s.key = append(s.key, ' ')
		}
		s.key = append(s.key, s.folded[w[0]:w[1]]...)
	}
	return s.key
}

func isSeparator(c byte) bool {
	switch c {
	case ' ', '.', '-', '/', '(', ')', '+':
		return true
	}
	return false
}

// lookup finds every indexed value among the reply's word sequences (up
// to words long) and its numbers' runs of whole digit groups. A word
// sequence is grown, and looked up in values, only as far as texts says
// it starts or is an indexed key.
func (s *scratch) lookup(x *Index, words int) {
	values, texts, seen := x.values, x.texts, x.seen
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
					s.found = append(s.found, match{i, i + 1, []owner{{int(u), LinkField}}})
				}
			}
			flags := texts[h]
			if flags&wholeKey != 0 {
				if os, ok := values[string(s.textKey(i, n+1))]; ok {
					s.found = append(s.found, match{i, i + n + 1, os})
				}
			}
			if flags&startsKey == 0 {
				break
			}
		}
	}
	s.lookupNumbers(values)
}

// lookupNumbers finds every indexed number among the runs of whole digit
// groups of the reply's numbers.
func (s *scratch) lookupNumbers(values map[string][]owner) {
	base := len(s.words) + 1
	for _, num := range s.nums {
		for g := num[0]; g < num[1]; g++ {
			s.key = append(s.key[:0], '#')
			for h := g; h < num[1]; h++ {
				s.key = append(s.key, s.digits[s.groups[h][0]:s.groups[h][1]]...)
				if len(s.key)-1 < minDigits {
					continue
				}
				if os, ok := values[string(s.key)]; ok {
					s.found = append(s.found, match{base + g, base + h + 1, os})
				}
			}
		}
	}
}
