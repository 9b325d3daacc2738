package widget

import (
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/transcript"
)

// ParsePayload's fast path. A reply callback is parsed on every turn of a
// run (issue 16: encoding/json was ~7 µs of it, most of the receiver's
// work), and nearly every one is written plainly: one object, known keys
// once each, string values. parseFast reads exactly those with a scanner
// of the payload's own shape and declines everything else, deciding
// nothing: encoding/json then reads the body as before. It declines
//
//   - any body that is not valid JSON, or has anything but whitespace after
//     the object;
//   - a key that is escaped, is not ASCII, repeats a known key, or matches a
//     known key only case-insensitively (encoding/json takes "Text" for
//     "text", and a repeated key merges into or replaces the first);
//   - a known key whose value is not of the type read (null, a number where
//     a string goes, a list or number where media goes, an item that is not
//     an object);
//   - a string with invalid UTF-8 or a lone surrogate escape (encoding/json
//     turns both into U+FFFD), or an unknown key's value nested deeper than
//     maxSkipDepth;
//   - every body that ParsePayload rejects, so every error comes from
//     encoding/json, as before.
//
// Keys it does not know are skipped, as encoding/json skips them. What it
// accepts it normalises with the same code (fields.appendTo), so the two
// paths differ only in reading; FuzzParseFast holds them equal.

// maxSkipDepth is how deep an unknown key's value may nest before the fast
// path declines the body.
const maxSkipDepth = 32

// Bits of rawItem.seen: which keys an item had.
const (
	seenRole = 1 << iota
	seenType
	seenText
	seenMedia
	seenLink
	seenURL
)

// Bits of scanner.seen: which keys the top-level object had.
const (
	seenMessages = 1 << iota
	seenTopText
	seenContent
	seenMessage
)

// str is a string read from the body: a constant, or the bytes off:end of
// the scanner's buffer, which becomes one string once the whole body is
// read, so that a callback's strings cost one allocation together.
type str struct {
	lit      string
	off, end int
}

// in is the string, given the buffer made a string.
func (v str) in(all string) string {
	if v.lit != "" {
		return v.lit
	}
	return all[v.off:v.end]
}

// rawItem is one item of "messages" as the scanner read it.
type rawItem struct {
	seen                       uint8
	role, typ, text, link, url str
	media, mediaURL            str  // media: a plain string, or the object's link; mediaURL: the object's url
	mediaObject                bool // media was an object
}

// fields hands the item over as encoding/json's reading of it would.
func (it *rawItem) fields(all string) fields {
	f := fields{
		role:     it.role.in(all),
		typ:      it.typ.in(all),
		text:     it.text.in(all),
		hasText:  it.seen&seenText != 0,
		hasMedia: it.seen&seenMedia != 0,
		link:     it.link.in(all),
		url:      it.url.in(all),
	}
	if f.hasMedia {
		f.media = it.media.in(all)
		if it.mediaObject && f.media == "" {
			f.media = it.mediaURL.in(all)
		}
	}
	return f
}

// scanner reads one body; scanners are pooled, with their buffers.
type scanner struct {
	b     []byte
	i     int
	buf   []byte // the unescaped bytes of every string kept
	items []rawItem
	seen  uint8
	top   [3]str // text, content, message
}

var scanners = sync.Pool{New: func() any { return new(scanner) }}

// A scanner whose buffers grew past these is not pooled again.
const (
	maxPooledBuf   = 64 << 10
	maxPooledItems = 256
)

// parseFast is ParsePayload for a body written plainly; ok false when it
// declines the body (see above).
func parseFast(body []byte) ([]transcript.Message, bool) {
	s := scanners.Get().(*scanner)
	s.b, s.i, s.buf, s.items, s.seen, s.top = body, 0, s.buf[:0], s.items[:0], 0, [3]str{}
	msgs, ok := s.parse()
	s.b = nil
	if cap(s.buf) <= maxPooledBuf && cap(s.items) <= maxPooledItems {
		scanners.Put(s)
	}
	return msgs, ok
}

func (s *scanner) parse() ([]transcript.Message, bool) {
	if !s.payload() {
		return nil, false
	}
	if s.ws(); s.i != len(s.b) {
		return nil, false
	}
	all := string(s.buf)
	if s.seen&seenMessages == 0 {
		for i, bit := range [3]uint8{seenTopText, seenContent, seenMessage} {
			if s.seen&bit != 0 {
				return []transcript.Message{{Role: transcript.RoleAssistant, Type: transcript.TypeText, Text: s.top[i].in(all)}}, true
			}
		}
		return nil, false // an error: encoding/json words it
	}
	out := make([]transcript.Message, 0, s.count())
	for i := range s.items {
		var err error
		if out, err = s.items[i].fields(all).appendTo(out); err != nil {
			return nil, false
		}
	}
	return out, true
}

// count bounds the number of messages the items make: a captioned media
// item makes two.
func (s *scanner) count() int {
	n := len(s.items)
	for i := range s.items {
		if seen := s.items[i].seen; seen&seenText != 0 && seen&(seenMedia|seenLink|seenURL|seenType) != 0 {
			n++
		}
	}
	return n
}

// payload reads the top-level object.
func (s *scanner) payload() bool {
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "messages":
			return s.first(seenMessages) && s.list()
		case "text":
			return s.first(seenTopText) && s.str(&s.top[0], nil)
		case "content":
			return s.first(seenContent) && s.str(&s.top[1], nil)
		case "message":
			return s.first(seenMessage) && s.str(&s.top[2], nil)
		}
		return !foldsTo(key, "messages", "text", "content", "message") && s.skip(0)
	})
}

// first marks a top-level key seen, false when it was already.
func (s *scanner) first(bit uint8) bool {
	if s.seen&bit != 0 {
		return false
	}
	s.seen |= bit
	return true
}

// list reads the "messages" list.
func (s *scanner) list() bool {
	if !s.eat('[') {
		return false
	}
	if s.eat(']') {
		return true
	}
	for {
		if !s.item() {
			return false
		}
		if !s.eat(',') {
			return s.eat(']')
		}
	}
}

// item reads one item of "messages".
func (s *scanner) item() bool {
	s.items = append(s.items, rawItem{})
	it := &s.items[len(s.items)-1] // nothing is appended to items until it is read
	return s.object(func(key []byte) bool {
		var (
			bit    uint8
			dst    *str
			intern func([]byte) string
		)
		switch string(key) {
		case "role":
			bit, dst, intern = seenRole, &it.role, internRole
		case "type":
			bit, dst, intern = seenType, &it.typ, internType
		case "text":
			bit, dst = seenText, &it.text
		case "link":
			bit, dst = seenLink, &it.link
		case "url":
			bit, dst = seenURL, &it.url
		case "media":
			if it.seen&seenMedia != 0 {
				return false
			}
			it.seen |= seenMedia
			return s.media(it)
		default:
			return !foldsTo(key, "role", "type", "text", "media", "link", "url") && s.skip(0)
		}
		if it.seen&bit != 0 {
			return false
		}
		it.seen |= bit
		return s.str(dst, intern)
	})
}

// media reads an item's media field: a plain string, or an object with a
// link or url.
func (s *scanner) media(it *rawItem) bool {
	if s.ws(); s.i < len(s.b) && s.b[s.i] == '"' {
		return s.str(&it.media, nil)
	}
	it.mediaObject = true
	var seen uint8 // 1: link, 2: url
	return s.object(func(key []byte) bool {
		var (
			bit uint8
			dst *str
		)
		switch string(key) {
		case "link":
			bit, dst = 1, &it.media
		case "url":
			bit, dst = 2, &it.mediaURL
		default:
			return !foldsTo(key, "link", "url") && s.skip(0)
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return s.str(dst, nil)
	})
}

// internRole and internType spare the buffer the common values.
func internRole(b []byte) string {
	if string(b) == transcript.RoleAssistant {
		return transcript.RoleAssistant
	}
	return ""
}

func internType(b []byte) string {
	switch string(b) {
	case transcript.TypeText:
		return transcript.TypeText
	case transcript.TypeMedia:
		return transcript.TypeMedia
	}
	return ""
}

// foldsTo reports whether key, plain ASCII, is one of names but for case:
// encoding/json would take it for that name.
func foldsTo(key []byte, names ...string) bool {
	for _, n := range names {
		if len(key) == len(n) && equalFoldASCII(key, n) {
			return true
		}
	}
	return false
}

func equalFoldASCII(b []byte, s string) bool {
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// ws skips JSON whitespace.
func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// eat skips whitespace and consumes c, if it comes next.
func (s *scanner) eat(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// object reads an object, calling member with each key, the scanner just
// past its colon; member reads the value. Keys must be plain: ASCII with
// no escapes.
func (s *scanner) object(member func(key []byte) bool) bool {
	if !s.eat('{') {
		return false
	}
	if s.eat('}') {
		return true
	}
	for {
		key, ok := s.key()
		if !ok || !member(key) {
			return false
		}
		if !s.eat(',') {
			return s.eat('}')
		}
	}
}

// key reads a plain key and its colon.
func (s *scanner) key() ([]byte, bool) {
	if !s.eat('"') {
		return nil, false
	}
	start := s.i
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			key := s.b[start:s.i]
			s.i++
			return key, s.eat(':')
		case c < 0x20 || c == '\\' || c >= utf8.RuneSelf:
			return nil, false
		}
	}
	return nil, false
}

// str reads a string value into dst: unescaped into the buffer, or as the
// constant intern (when not nil) names for it.
func (s *scanner) str(dst *str, intern func([]byte) string) bool {
	if !s.eat('"') {
		return false
	}
	off, seg := len(s.buf), s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.buf = append(s.buf, s.b[seg:s.i]...)
			s.i++
			*dst = str{off: off, end: len(s.buf)}
			if intern != nil {
				if lit := intern(s.buf[off:]); lit != "" {
					s.buf = s.buf[:off]
					*dst = str{lit: lit}
				}
			}
			return true
		case c < 0x20:
			return false
		case c == '\\':
			s.buf = append(s.buf, s.b[seg:s.i]...)
			if !s.escape() {
				return false
			}
			seg = s.i
		case c < utf8.RuneSelf:
			s.i++
		default:
			r, n := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && n == 1 {
				return false
			}
			s.i += n
		}
	}
	return false
}

// escape reads one escape sequence into the buffer; a lone surrogate
// declines.
func (s *scanner) escape() bool {
	if s.i+1 >= len(s.b) {
		return false
	}
	c := s.b[s.i+1]
	s.i += 2
	switch c {
	case '"', '\\', '/':
		s.buf = append(s.buf, c)
	case 'b':
		s.buf = append(s.buf, '\b')
	case 'f':
		s.buf = append(s.buf, '\f')
	case 'n':
		s.buf = append(s.buf, '\n')
	case 'r':
		s.buf = append(s.buf, '\r')
	case 't':
		s.buf = append(s.buf, '\t')
	case 'u':
		r, ok := s.hex4()
		if !ok {
			return false
		}
		if utf16.IsSurrogate(r) {
			if r >= 0xDC00 || s.i+1 >= len(s.b) || s.b[s.i] != '\\' || s.b[s.i+1] != 'u' {
				return false
			}
			s.i += 2
			lo, ok := s.hex4()
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			r = utf16.DecodeRune(r, lo)
		}
		s.buf = utf8.AppendRune(s.buf, r)
	default:
		return false
	}
	return true
}

// hex4 reads the four hex digits of a \u escape.
func (s *scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.i += 4
	return r, true
}

// skip reads past the value of a key nobody reads, checking it as
// encoding/json would (more strictly: plain keys, no lone surrogates, valid
// UTF-8), at nesting depth.
func (s *scanner) skip(depth int) bool {
	if s.ws(); s.i >= len(s.b) || depth >= maxSkipDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		off := len(s.buf)
		var v str
		ok := s.str(&v, nil)
		s.buf = s.buf[:off]
		return ok
	case c == '{':
		return s.object(func([]byte) bool { return s.skip(depth + 1) })
	case c == '[':
		s.i++
		if s.eat(']') {
			return true
		}
		for {
			if !s.skip(depth + 1) {
				return false
			}
			if !s.eat(',') {
				return s.eat(']')
			}
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return false
}

func (s *scanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
// What follows it is checked by the caller, which expects , ] } or space.
func (s *scanner) number() bool {
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case !s.digits():
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more decimal digits.
func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}
