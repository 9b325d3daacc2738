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
//
// It keeps no value, only hashes (see table), and each field name and
// user once: at 10,000 users of four values each it holds about 190 bytes
// a user (BenchmarkIndexMemory; 52 of them are seen's fixed 512 KiB),
// where keeping each value as a string key with a slice of owners, each
// naming its field, held 706.
type Index struct {
	// mu guards everything below. Writers (AddUser, AddLinks) add to
	// values, fields and links; Check reads under RLock.
	mu sync.RWMutex
	// values is every value's key, by hash, with its owners, and the
	// hashes of the first words of every text key.
	values table
	// fields is the owners' fields by number: LinkField, then each data
	// field ("block.attr") as first indexed, once. Entries are only
	// appended, so Check may read the ones it saw after unlocking.
	fields []string
	// fieldNums is the number of each data field in fields, by block and
	// attribute: looked up before the name is joined, so a user start
	// allocates no field name.
	fieldNums map[string]map[string]uint32
	// links maps the hash of a link sent (its key, one word) to the user it
	// was sent to, in two generations: links[0] takes new links, and once
	// it holds LinkGeneration of them it becomes links[1], the generation
	// before is dropped, and a new links[0] starts. So the index remembers
	// the last LinkGeneration to 2×LinkGeneration links sent — every link
	// of a run of fewer conversations — and a long run's memory stays flat
	// (make soak: a run sends a link per conversation, 4,800 a minute at
	// 1,000 users; kept whole, they grew the soak's heap ~0.3 MB a
	// minute). Links are kept as hashes, 16 bytes each rather than ~200 as
	// strings; two links sharing a 64-bit hash — a false cross-talk — has
	// odds of about one in 10^10 among 2×LinkGeneration links.
	links [2]map[uint64]int32
	users userSet // users indexed
	// words is the most words of an indexed text value: the longest word
	// sequence of a reply worth looking up.
	words int
}

// table is the values of an Index, by the 64-bit hash of their keys (see
// classify, and the key hash): a value's string is not kept, only its
// hash, 16 bytes an entry with the value's owner. Two keys sharing a hash
// are one value to the index, and a reply's word sequence or digit run
// sharing a key's hash is taken for that value: a false cross-talk, with
// odds, at 10,000 users (40,000 keys), of about one in 10^10 that two
// keys share a hash and one in 10^12 a reply (its few hundred hashes
// against the keys, of 2^64).
type table struct {
	// keys maps the hash of every value's key, and of the first words of
	// every text key, to what it is (the flags of entry) and, for a key,
	// whose: a reply's word sequence is grown by a word only while its
	// hash starts a key — most words start none, so a reply costs about
	// one probe of keys per word.
	keys map[uint64]entry
	// shared holds the owners of the keys of more than one owner
	// (sharedKey), up to the first past MaxShared users: rare, a value
	// two customers share or a common one.
	shared map[uint64][]owner
	// seen has a bit set for every hash in keys, and every link's (by its
	// top bits, see seenWords): most of a reply's words and digit runs
	// start no value, and one read of this bitmap (512 KiB, held in the
	// CPU's cache) says so without probing keys.
	seen *[seenWords]uint64
}

// owner is one user's field holding a value: the user number (a run's
// users, and links' owners, are kept as int32) and the field's number in
// Index.fields.
type owner struct {
	user  int32
	field uint32
}

// entry is what table.keys knows of a hash: its flags (the low
// entryFlags bits of bits) and, for a key of one owner, that owner (the
// field number in the other bits, so up to 2^29 fields).
type entry struct {
	user int32
	bits uint32
}

// The flags of entry.
const (
	startsKey uint32 = 1 << iota // the first words of a longer key
	wholeKey                     // a key
	sharedKey                    // a key of more than one owner, in table.shared

	entryFlags = iota // bits the flags take
)

func (e entry) owner() owner { return owner{e.user, e.bits >> entryFlags} }

// appendOwners appends the owners of key h, whose entry is e, to dst.
func (t table) appendOwners(dst []owner, h uint64, e entry) []owner {
	if e.bits&sharedKey != 0 {
		return append(dst, t.shared[h]...)
	}
	return append(dst, e.owner())
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		values:    table{keys: map[uint64]entry{}, shared: map[uint64][]owner{}, seen: new([seenWords]uint64)},
		fields:    []string{LinkField},
		fieldNums: map[string]map[string]uint32{},
		links:     [2]map[uint64]int32{{}, {}},
	}
}

// linkFieldNum is LinkField's number in Index.fields.
const linkFieldNum = 0

// AddUser indexes user's data (block → attribute → value), once per user;
// a value that identifies no one is left out (see the package doc).
func (x *Index) AddUser(user int, data map[string]map[string]string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.users.add(user) {
		return
	}
	for block, attrs := range data {
		for attr, v := range attrs {
			if k, words, ok := classify(v); ok {
				x.add(k, words, owner{int32(user), x.field(block, attr)})
			}
		}
	}
}

// field is the number of field block.attr in x.fields, added if new; x.mu
// is held.
func (x *Index) field(block, attr string) uint32 {
	attrs := x.fieldNums[block]
	if n, ok := attrs[attr]; ok {
		return n
	}
	if attrs == nil {
		attrs = map[string]uint32{}
		x.fieldNums[block] = attrs
	}
	n := uint32(len(x.fields))
	x.fields = append(x.fields, block+"."+attr)
	attrs[attr] = n
	return n
}

// add records one value, of key k and words words; x.mu is held. A value
// already common (more than MaxShared users) takes no more owners: it
// stays common, and adding stays cheap for a value every user has.
func (x *Index) add(k string, words int, o owner) {
	x.words = min(max(x.words, words), maxWords)
	h := uint64(hashSeed)
	for i := 0; i < len(k); i++ {
		if k[i] == ' ' { // a text key's first words (a number's key has no space)
			x.mark(h, startsKey)
		}
		h = hashByte(h, k[i])
	}
	t := &x.values
	e := t.keys[h]
	switch {
	case e.bits&wholeKey == 0: // a new key
		e = entry{o.user, o.field<<entryFlags | e.bits | wholeKey}
	case e.bits&sharedKey != 0:
		if os := t.shared[h]; !slices.Contains(os, o) && users(os) <= MaxShared {
			t.shared[h] = append(os, o)
		}
	case e.owner() != o: // a second owner
		t.shared[h] = []owner{e.owner(), o}
		e.bits |= sharedKey
	}
	t.keys[h] = e
	x.see(h)
}

// seenWords is the size of table.seen in 64-bit words: 2^22 bits, read
// from a hash's top 22 bits (FNV's best mixed).
const (
	seenWords = 1 << 16
	seenShift = 64 - 22
)

// mark sets flag on hash h in keys, and h's bit in seen; x.mu is held.
func (x *Index) mark(h uint64, flag uint32) {
	e := x.values.keys[h]
	e.bits |= flag
	x.values.keys[h] = e
	x.see(h)
}

// see sets h's bit in seen; x.mu is held. A bit is never cleared (a link
// forgotten keeps its bit): seen only spares probes, a stale bit costs one.
func (x *Index) see(h uint64) {
	b := h >> seenShift
	x.values.seen[b/64] |= 1 << (b % 64)
}

// maybe reports whether h may be in keys: false when it is not.
func maybe(seen *[seenWords]uint64, h uint64) bool {
	b := h >> seenShift
	return seen[b/64]&(1<<(b%64)) != 0
}

// The key hash: FNV-1a, 64 bits, fed a byte at a time so a word sequence's
// hash grows with it. The index keeps keys by this hash alone (see table).
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

// userSet is a set of user numbers: a bit each for a run's users,
// numbered from 0, and a map for a number far past them (a replayed
// recording's user).
type userSet struct {
	bits   []uint64 // user u is bit u%64 of bits[u/64]
	sparse map[int]struct{}
}

// add adds u, and reports whether it is new.
func (s *userSet) add(u int) bool {
	w := u / 64
	if u >= 0 && w < len(s.bits) && s.bits[w]&(1<<(u%64)) != 0 {
		return false
	}
	if _, ok := s.sparse[u]; ok { // a number once far past bits may be within them since
		return false
	}
	if u >= 0 && w < len(s.bits)+1024 { // grow bits by 8 KiB at most
		for len(s.bits) <= w {
			s.bits = append(s.bits, 0)
		}
		s.bits[w] |= 1 << (u % 64)
		return true
	}
	if s.sparse == nil {
		s.sparse = map[int]struct{}{}
	}
	s.sparse[u] = struct{}{}
	return true
}

// Check returns the other users' values msgs carry, by user and field,
// sorted; nil for a clean reply. user is the replying conversation's.
func (x *Index) Check(user int, msgs []transcript.Message) []transcript.Leak {
	s := scratches.Get().(*scratch)
	defer scratches.Put(s)
	s.fill(msgs)
	x.mu.RLock()
	s.lookup(x, max(x.words, 1)) // a link is one word, even in an index of no text values
	fields := x.fields
	x.mu.RUnlock()
	if len(s.found) == 0 {
		return nil
	}
	return judge(user, s.found, fields)
}
