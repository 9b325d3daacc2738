package results

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/transcript"
)

// The lines written for every turn — journal.jsonl's begin, turn and end
// events and conversations.jsonl's conversations — are appended to a byte
// slice field by field here rather than through encoding/json's reflection,
// which cost a run at saturation about 4 % of its CPU (issue 16). The bytes
// are the ones json.Encoder with SetEscapeHTML(false) writes, field for
// field (TestEncoderMatchesEncodingJSON). What this encoder cannot write as
// encoding/json would — a NaN or infinite float, a time outside years
// 0–9999 — it declines (ok false), and encodeLine falls back to
// encoding/json, which reports the error as before.

// lineEncoder is the state of one line: the bytes so far, and whether a
// value was declined.
type lineEncoder struct {
	b   []byte
	bad bool
}

// appendConversationLine appends c as one conversations.jsonl line.
func appendConversationLine(dst []byte, c *transcript.Conversation) ([]byte, bool) {
	e := lineEncoder{b: dst}
	e.conversation(c)
	e.b = append(e.b, '\n')
	return e.b, !e.bad
}

// appendJournalLine appends a begin, turn or end event as one journal.jsonl
// line; ok is false for the run event (encoding/json writes it, once).
func appendJournalLine(dst []byte, j *journalEntry) ([]byte, bool) {
	if j.Run != nil {
		return dst, false
	}
	e := lineEncoder{b: dst}
	e.b = append(e.b, `{"ev":`...)
	e.str(j.Ev)
	e.b = append(e.b, `,"at":`...)
	e.time(j.At)
	if j.ID != "" {
		e.b = append(e.b, `,"id":`...)
		e.str(j.ID)
	}
	if j.Conversation != nil {
		e.b = append(e.b, `,"conversation":`...)
		e.conversation(j.Conversation)
	}
	if j.Turn != nil {
		e.b = append(e.b, `,"turn":`...)
		e.turn(j.Turn)
	}
	e.omitStr(`,"outcome":`, string(j.Outcome))
	e.omitStr(`,"reason":`, j.Reason)
	e.omitStr(`,"error":`, j.Error)
	e.b = append(e.b, "}\n"...)
	return e.b, !e.bad
}

// conversation writes transcript.Conversation's fields in its struct order.
func (e *lineEncoder) conversation(c *transcript.Conversation) {
	e.b = append(e.b, `{"id":`...)
	e.str(c.ID)
	e.b = append(e.b, `,"user":`...)
	e.b = strconv.AppendInt(e.b, int64(c.User), 10)
	e.b = append(e.b, `,"persona":`...)
	e.str(c.Persona)
	e.b = append(e.b, `,"data":`...)
	e.data(c.Data)
	e.b = append(e.b, `,"client_identifier":`...)
	e.str(c.ClientIdentifier)
	e.omitStr(`,"trace_id":`, c.TraceID)
	e.b = append(e.b, `,"started_at":`...)
	e.time(c.StartedAt)
	e.b = append(e.b, `,"ended_at":`...)
	e.time(c.EndedAt)
	e.b = append(e.b, `,"outcome":`...)
	e.str(string(c.Outcome))
	e.b = append(e.b, `,"reason":`...)
	e.str(c.Reason)
	e.omitStr(`,"error":`, c.Error)
	e.b = append(e.b, `,"duration_ms":`...)
	e.float(c.DurationMS)
	e.b = append(e.b, `,"turns":`...)
	if c.Turns == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i := range c.Turns {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.turn(&c.Turns[i])
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, `,"tokens":{"input":`...)
	e.b = strconv.AppendInt(e.b, c.Tokens.Input, 10)
	e.b = append(e.b, `,"output":`...)
	e.b = strconv.AppendInt(e.b, c.Tokens.Output, 10)
	e.b = append(e.b, `,"thinking":`...)
	e.b = strconv.AppendInt(e.b, c.Tokens.Thinking, 10)
	e.b = append(e.b, `},"cost_usd":`...)
	e.float(c.CostUSD)
	if c.AssistantTokens != nil {
		e.b = append(e.b, `,"assistant_tokens":`...)
		e.usage(c.AssistantTokens)
	}
	if r := c.Replay; r != nil {
		e.b = append(e.b, `,"replay":{"recording":`...)
		e.str(r.Recording)
		e.b = append(e.b, `,"recorded_user":`...)
		e.b = strconv.AppendInt(e.b, int64(r.RecordedUser), 10)
		if r.DivergedAt != 0 {
			e.b = append(e.b, `,"diverged_at":`...)
			e.b = strconv.AppendInt(e.b, int64(r.DivergedAt), 10)
		}
		e.omitStr(`,"handed_to":`, r.HandedTo)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, '}')
}

// turn writes transcript.Turn's fields in its struct order.
func (e *lineEncoder) turn(t *transcript.Turn) {
	e.b = append(e.b, `{"n":`...)
	e.b = strconv.AppendInt(e.b, int64(t.N), 10)
	e.b = append(e.b, `,"sent":`...)
	e.str(t.Sent)
	e.b = append(e.b, `,"sent_at":`...)
	e.time(t.SentAt)
	e.b = append(e.b, `,"send_ms":`...)
	e.float(t.SendMS)
	e.b = append(e.b, `,"reply_ms":`...)
	e.floatPtr(t.ReplyMS)
	if t.SimSentAt != nil {
		e.b = append(e.b, `,"sim_sent_at":`...)
		e.time(*t.SimSentAt)
	}
	if t.Status != 0 {
		e.b = append(e.b, `,"status":`...)
		e.b = strconv.AppendInt(e.b, int64(t.Status), 10)
	}
	e.b = append(e.b, `,"attempts":`...)
	e.b = strconv.AppendInt(e.b, int64(t.Attempts), 10)
	e.b = append(e.b, `,"messages":`...)
	e.messages(t.Messages)
	e.b = append(e.b, `,"callbacks":`...)
	e.b = strconv.AppendInt(e.b, int64(t.Callbacks), 10)
	e.b = append(e.b, `,"late":`...)
	e.messages(t.Late)
	e.b = append(e.b, `,"duplicates":`...)
	e.b = strconv.AppendInt(e.b, int64(t.Duplicates), 10)
	e.turnExtras(t)
	e.b = append(e.b, '}')
}

// turnExtras writes the turn's optional fields after duplicates.
func (e *lineEncoder) turnExtras(t *transcript.Turn) {
	if t.LLM != nil {
		e.b = append(e.b, `,"llm":`...)
		e.llm(t.LLM)
	}
	if t.AssistantUsage != nil {
		e.b = append(e.b, `,"assistant_usage":`...)
		e.usage(t.AssistantUsage)
	}
	if len(t.Drift) > 0 {
		e.b = append(e.b, `,"drift":`...)
		e.strs(t.Drift)
	}
	if len(t.DataMismatch) > 0 {
		e.b = append(e.b, `,"data_mismatch":`...)
		e.strs(t.DataMismatch)
	}
	if t.Stream != nil {
		e.b = append(e.b, `,"stream":`...)
		e.stream(t.Stream)
	}
	if len(t.Crosstalk) > 0 { // rare: a reply that carried another customer's data
		e.b = append(e.b, `,"crosstalk":`...)
		e.viaJSON(t.Crosstalk)
	}
	if r := t.Replay; r != nil { // every turn of a replayed conversation, up to its divergence
		e.b = append(e.b, `,"replay":{"similarity":`...)
		e.float(r.Similarity)
		e.b = append(e.b, `,"matched":`...)
		e.b = strconv.AppendBool(e.b, r.Matched)
		if len(r.Recorded) > 0 {
			e.b = append(e.b, `,"recorded":`...)
			e.messages(r.Recorded)
		}
		e.b = append(e.b, '}')
	}
	if t.Burst != nil { // a thought typed as several messages: one turn in a few
		e.b = append(e.b, `,"burst":`...)
		e.viaJSON(t.Burst)
	}
	e.omitStr(`,"span_id":`, t.SpanID)
}

func (e *lineEncoder) messages(ms []transcript.Message) {
	if ms == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '[')
	for i := range ms {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		m := &ms[i]
		e.b = append(e.b, `{"role":`...)
		e.str(m.Role)
		e.b = append(e.b, `,"type":`...)
		e.str(m.Type)
		e.omitStr(`,"text":`, m.Text)
		e.omitStr(`,"link":`, m.Link)
		e.omitStr(`,"reply_to":`, m.ReplyTo)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, ']')
}

func (e *lineEncoder) llm(l *transcript.LLMCall) {
	e.b = append(e.b, `{"ms":`...)
	e.float(l.MS)
	e.b = append(e.b, `,"wait_ms":`...)
	e.float(l.WaitMS)
	e.b = append(e.b, `,"attempts":`...)
	e.b = strconv.AppendInt(e.b, int64(l.Attempts), 10)
	e.b = append(e.b, `,"input_tokens":`...)
	e.b = strconv.AppendInt(e.b, l.InputTokens, 10)
	e.b = append(e.b, `,"output_tokens":`...)
	e.b = strconv.AppendInt(e.b, l.OutputTokens, 10)
	e.b = append(e.b, `,"thinking_tokens":`...)
	e.b = strconv.AppendInt(e.b, l.ThinkingTokens, 10)
	e.b = append(e.b, `,"cost_usd":`...)
	e.float(l.CostUSD)
	e.b = append(e.b, '}')
}

func (e *lineEncoder) usage(u *transcript.Usage) {
	e.b = append(e.b, `{"input_tokens":`...)
	e.b = strconv.AppendInt(e.b, u.InputTokens, 10)
	e.b = append(e.b, `,"output_tokens":`...)
	e.b = strconv.AppendInt(e.b, u.OutputTokens, 10)
	e.b = append(e.b, '}')
}

func (e *lineEncoder) stream(s *transcript.Stream) { e.viaJSON(s) }

// viaJSON writes v through encoding/json (HTML left unescaped, as the
// lines are): for the parts of a turn only some protocols fill (a
// stream, a WebSocket link), whose fields grow with the protocols — off
// the hot path of a turn, and never out of step with the struct.
func (e *lineEncoder) viaJSON(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		e.bad = true
		return
	}
	e.b = append(e.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// data writes a map of maps with its keys sorted, as encoding/json does.
func (e *lineEncoder) data(d map[string]map[string]string) {
	if d == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '{')
	for i, k := range slices.Sorted(mapKeys(d)) {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(k)
		e.b = append(e.b, ':')
		attrs := d[k]
		if attrs == nil {
			e.b = append(e.b, "null"...)
			continue
		}
		e.b = append(e.b, '{')
		for j, a := range slices.Sorted(mapKeys(attrs)) {
			if j > 0 {
				e.b = append(e.b, ',')
			}
			e.str(a)
			e.b = append(e.b, ':')
			e.str(attrs[a])
		}
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, '}')
}

// mapKeys is maps.Keys for the two map types data holds.
func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (e *lineEncoder) strs(ss []string) {
	e.b = append(e.b, '[')
	for i, s := range ss {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(s)
	}
	e.b = append(e.b, ']')
}

func (e *lineEncoder) omitStr(key, s string) {
	if s != "" {
		e.b = append(e.b, key...)
		e.str(s)
	}
}

// time writes t as time.Time's MarshalJSON does (RFC 3339 with nanoseconds),
// declining the years it refuses.
func (e *lineEncoder) time(t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		e.bad = true
		return
	}
	if _, off := t.Zone(); off%60 != 0 || off <= -24*3600 || off >= 24*3600 {
		e.bad = true // MarshalJSON refuses what RFC 3339 cannot say
		return
	}
	e.b = append(e.b, '"')
	e.b = t.AppendFormat(e.b, time.RFC3339Nano)
	e.b = append(e.b, '"')
}

func (e *lineEncoder) floatPtr(f *float64) {
	if f == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.float(*f)
}

// float writes f as encoding/json writes a float64: the shortest form
// that reads back the same, in exponent form only below 1e-6 or from 1e21.
func (e *lineEncoder) float(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.bad = true
		return
	}
	abs, format := math.Abs(f), byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(e.b)
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' { // clean up e-09 to e-9, as encoding/json does
		n := len(e.b) - start
		if n >= 4 && e.b[len(e.b)-4] == 'e' && e.b[len(e.b)-3] == '-' && e.b[len(e.b)-2] == '0' {
			e.b[len(e.b)-2] = e.b[len(e.b)-1]
			e.b = e.b[:len(e.b)-1]
		}
	}
}

const hexDigits = "0123456789abcdef"

// str writes s as a JSON string as encoding/json does with HTML escaping
// off: quotes, backslashes and control characters escaped, invalid UTF-8
// as \ufffd, and U+2028 and U+2029 escaped.
func (e *lineEncoder) str(s string) {
	e.b = append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look (most of a
		// reply's text): a third of what the byte loop costs.
		for i+8 <= len(s) && plain8(s[i:i+8]) {
			i += 8
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			e.b = append(e.b, s[start:i]...)
			e.b = appendEscapedByte(e.b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			e.b = append(e.b, s[start:i]...)
			e.b = append(e.b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			e.b = append(e.b, s[start:i]...)
			e.b = append(e.b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	e.b = append(e.b, s[start:]...)
	e.b = append(e.b, '"')
}

// plain8 reports whether the 8 bytes of s are all ASCII that a JSON
// string holds as it is: none under 0x20, none from 0x80, no '"' or '\\'.
// (SWAR: x-n*lo sets a byte's top bit where it was under n, with ^x
// ruling out the bytes from 0x80; for 0x22 and 0x5c the XOR makes the byte
// zero, which is under 1.)
func plain8(s string) bool {
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	quote, backslash := x^(lo*'"'), x^(lo*'\\')
	return (x|(x-lo*0x20)&^x|(quote-lo)&^quote|(backslash-lo)&^backslash)&hi == 0
}

func appendEscapedByte(b []byte, c byte) []byte {
	switch c {
	case '\\', '"':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}
