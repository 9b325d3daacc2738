package crosstalk

import (
	"slices"
	"sync"

	"github.com/voyplan/voyplan/engine/transcript"
)

// MaxShared is the most users a value may belong to and still identify
// someone: a value more users have is common (a constant, a pick from a
// short list) and never counts as cross-talk.
const MaxShared = 3

// LinkField is the Field of a leaked payment link.
const LinkField = "link"

// maxWords caps the words of a text value looked up: a reply's word
// sequences of up to this many words are its candidate values.
const maxWords = 8

// Index is the run's data values and sent links, by the users they belong
// to. Safe for concurrent use; Check only read-locks.
type Index struct {
	// mu guards everything below. Writers (AddUser, AddLinks) append to
	// values; Check reads under RLock.
	mu sync.RWMutex
	// values maps a normalised value (see key) to its owners.
	values map[string][]owner
	// texts marks, by hash (see wordHash), every text value's key and the
	// keys of its first words: a reply's word sequence is looked up in
	// values only when texts says it is a whole key, and grown by a word
	// only while it is the start of one — most words start none, so a
	// reply costs about one probe of this small map per word.
	texts map[uint64]uint8
	// links maps the hash of a link sent (its key, one word) to the user it
	// was sent to, in two generations: links[0] takes new links, and once
	// it holds LinkGeneration of them it becomes links[1], the generation
	// before is dropped, and a new links[0] starts. So the index remembers
	// the last LinkGeneration to 2×LinkGeneration links sent — every link
	// of a run of fewer conversations — and a long run's memory stays flat
	// (make soak: a run sends a link per conversation, 4,800 a minute at
	// 1,000 users; kept whole, they grew the soak's heap ~0.3 MB a
	// minute). Links are kept as hashes, 16 bytes each rather than ~200 as
	// values; two links sharing a 64-bit hash — a false cross-talk — has
	// odds of about one in 10^10 among 2×LinkGeneration links.
	links [2]map[uint64]int32
	// seen has a bit set for every hash in texts (its low bits): most of a
	// reply's words start no value, and one read of this bitmap (512 KiB,
	// held in the CPU's cache) says so without probing texts.
	seen  *[seenWords]uint64
	users map[int]bool // users indexed
	// words is the most words of an indexed text value: the longest word
	// sequence of a reply worth looking up.
	words int
}

type owner struct {
	user  int
	field string
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{values: map[string][]owner{}, texts: map[uint64]uint8{}, links: [2]map[uint64]int32{{}, {}},
		seen: new([seenWords]uint64), users: map[int]bool{}}
}

// AddUser indexes user's data (block → attribute → value), once per user;
// a value that identifies no one is left out (see the package doc).
func (x *Index) AddUser(user int, data map[string]map[string]string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.users[user] {
		return
	}
	x.users[user] = true
	for block, attrs := range data {
		for attr, v := range attrs {
			if k, words, ok := classify(v); ok {
				x.add(k, words, owner{user, block + "." + attr})
			}
		}
	}
}

// add records one value of words words; x.mu is held. A value already
// common (more than MaxShared users) takes no more owners: it stays
// common, and adding stays cheap for a value every user has.
func (x *Index) add(k string, words int, o owner) {
	if os := x.values[k]; !slices.Contains(os, o) && users(os) <= MaxShared {
		x.values[k] = append(os, o)
	}
	x.words = min(max(x.words, words), maxWords)
	if isNumberKey(k) {
		return
	}
	h := uint64(hashSeed)
	for i := 0; i < len(k); i++ {
		if k[i] == ' ' {
			x.mark(h, startsKey)
		}
		h = hashByte(h, k[i])
	}
	x.mark(h, wholeKey)
}

// seenWords is the size of Index.seen in 64-bit words: 2^22 bits, read
// from a hash's top 22 bits (FNV's best mixed).
const (
	seenWords = 1 << 16
	seenShift = 64 - 22
)

// mark sets flag on hash h in texts, and h's bit in seen; x.mu is held.
func (x *Index) mark(h uint64, flag uint8) {
	x.texts[h] |= flag
	x.see(h)
}

// see sets h's bit in seen; x.mu is held. A bit is never cleared (a link
// forgotten keeps its bit): seen only spares probes, a stale bit costs one.
func (x *Index) see(h uint64) {
	b := h >> seenShift
	x.seen[b/64] |= 1 << (b % 64)
}

// maybe reports whether h may be in texts: false when it is not.
func maybe(seen *[seenWords]uint64, h uint64) bool {
	b := h >> seenShift
	return seen[b/64]&(1<<(b%64)) != 0
}

// The flags of Index.texts.
const (
	startsKey uint8 = 1 << iota // the first words of a longer key
	wholeKey                    // a key
)

// isNumberKey reports a number's key ("#" and its digits).
func isNumberKey(k string) bool { return k != "" && k[0] == '#' }

// The key hash: FNV-1a, 64 bits, fed a byte at a time so a word sequence's
// hash grows with it. A collision costs one more probe of values, never a
// wrong match.
const (
	hashSeed  = 14695981039346656037
	hashPrime = 1099511628211
)

func hashByte(h uint64, c byte) uint64 { return (h ^ uint64(c)) * hashPrime }

func hashBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h = hashByte(h, c)
	}
	return h
}

// Check returns the other users' values msgs carry, by user and field,
// sorted; nil for a clean reply. user is the replying conversation's.
func (x *Index) Check(user int, msgs []transcript.Message) []transcript.Leak {
	s := scratches.Get().(*scratch)
	defer scratches.Put(s)
	s.fill(msgs)
	x.mu.RLock()
	s.lookup(x, max(x.words, 1)) // a link is one word, even in an index of no text values
	x.mu.RUnlock()
	if len(s.found) == 0 {
		return nil
	}
	return judge(user, s.found)
}
