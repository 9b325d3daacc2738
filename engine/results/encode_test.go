package results

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/transcript"
)

// tricky holds every kind of character encoding/json treats apart: control
// characters, quotes and backslashes, HTML's <>&, U+2028/U+2029, invalid
// UTF-8, DEL, accents, emoji.
var tricky = []string{
	"", "Olá, tudo bem? 😊", `"quoted" \back\slash/`, "<b>R$ 1.290 & mais</b>", "line\nbreak\r\n\ttab",
	"\x00\x01\x02\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f", "sep\u2028para\u2029end", "bad\xff\xfeutf8\xc3", "\xe2\x82",
	"ação çãõ ÁÉÍÓÚ ñ ü", "日本語テキスト", "emoji 👍🏽 family 👨‍👩‍👧 flag 🇧🇷", "\ufffd literal", "a\u0301 combining", "\\u0041",
}

var trickyFloats = []float64{0, math.Copysign(0, -1), 1, -1, 0.001, 123.456, 1e-6, 9.99e-7, 1e-7, 5e-324, 1e20, 1e21, 1.5e21,
	-2.5e-8, math.MaxFloat64, 17.123456789012345, 1234567.891, 0.1 + 0.2}

func trickyTimes() []time.Time {
	return []time.Time{
		{}, time.Date(2026, 12, 5, 21, 36, 21, 123456789, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 6, 7, 8, 9, 10, 100, time.FixedZone("IST", 5*3600+1800)),
		time.Date(1999, 12, 31, 23, 59, 59, 999000000, time.FixedZone("BRT", -3*3600)), time.Now(), time.Now().UTC(),
	}
}

func fptr(f float64) *float64 { return &f }

// richConversation fills every field, optional ones included, from r.
func richConversation(r *rand.Rand) *transcript.Conversation {
	pick := func() string { return tricky[r.IntN(len(tricky))] + tricky[r.IntN(len(tricky))] }
	fl := func() float64 {
		if f := trickyFloats[r.IntN(len(trickyFloats))]; math.Abs(f) < 1e300 {
			return f * float64(r.IntN(3)+1) / float64(r.IntN(7)+1)
		}
		return math.MaxFloat64
	}
	tm := func() time.Time { ts := trickyTimes(); return ts[r.IntN(len(ts))] }
	msgs := func() []transcript.Message {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			return []transcript.Message{}
		}
		return []transcript.Message{{Role: "assistant", Type: "text", Text: pick()}, {Role: pick(), Type: "media", Link: pick()}}
	}
	c := &transcript.Conversation{ID: pick(), User: r.IntN(100000) - 5, Persona: pick(), ClientIdentifier: pick(),
		StartedAt: tm(), EndedAt: tm(), Outcome: transcript.Outcome(pick()), Reason: pick(), Error: pick(), DurationMS: fl(),
		Tokens: transcript.Tokens{Input: r.Int64(), Output: -r.Int64N(5), Thinking: 3}, CostUSD: fl()}
	if r.IntN(4) > 0 {
		c.Data = map[string]map[string]string{pick(): {pick(): pick(), "cpf": "529.982.247-25", "b": pick()}, "customer": {"name": pick(), "é": pick()}, "nil": nil}
	}
	if r.IntN(2) == 0 {
		c.AssistantTokens = &transcript.Usage{InputTokens: 10, OutputTokens: r.Int64N(100)}
	}
	if r.IntN(5) == 0 {
		return c // Turns nil: null
	}
	c.Turns = []transcript.Turn{}
	for n := range r.IntN(4) {
		c.Turns = append(c.Turns, richTurn(r, n, pick, fl, tm, msgs))
	}
	return c
}

func richTurn(r *rand.Rand, n int, pick func() string, fl func() float64, tm func() time.Time, msgs func() []transcript.Message) transcript.Turn {
	t := transcript.Turn{N: n, Sent: pick(), SentAt: tm(), SendMS: fl(), Status: []int{0, 202, 500}[r.IntN(3)], Attempts: r.IntN(3),
		Messages: msgs(), Callbacks: r.IntN(3), Late: msgs(), Duplicates: r.IntN(2)}
	if r.IntN(2) == 0 {
		t.ReplyMS = fptr(fl())
		st := tm()
		t.SimSentAt = &st
	}
	if r.IntN(2) == 0 {
		t.LLM = &transcript.LLMCall{MS: fl(), WaitMS: fl(), Attempts: 2, InputTokens: 1, OutputTokens: 2, ThinkingTokens: 3, CostUSD: fl()}
		t.AssistantUsage = &transcript.Usage{InputTokens: 4, OutputTokens: 5}
	}
	switch r.IntN(3) {
	case 0:
		t.Drift, t.DataMismatch = []string{"asks_for_data", pick()}, []string{"cpf"}
	case 1:
		t.Drift, t.DataMismatch = []string{}, []string{} // empty: omitted like nil
	}
	if r.IntN(2) == 0 {
		t.Stream = &transcript.Stream{FirstTokenMS: fptr(fl()), StallMS: fl(), Chunks: 7, Bytes: 1 << 40,
			Incomplete: r.IntN(2) == 0, NoUsage: r.IntN(2) == 0}
		if r.IntN(2) == 0 {
			t.Stream.TokensPerS = fptr(fl())
			t.Stream.FirstTokenMS = nil
		}
	}
	return t
}

// The append-style encoder writes, byte for byte, what encoding/json wrote
// before it (SetEscapeHTML(false)), for conversations and every journal
// event but the run line, over rich fixtures.
func TestEncoderMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 2026))
	for i := range 3000 {
		c := richConversation(r)
		compareLine(t, i, c)
		compareLine(t, i, journalEntry{Ev: evBegin, At: c.StartedAt, Conversation: c})
		if len(c.Turns) > 0 {
			compareLine(t, i, journalEntry{Ev: evTurn, At: c.EndedAt, ID: c.ID, Turn: &c.Turns[0]})
		}
		compareLine(t, i, journalEntry{Ev: evEnd, At: time.Now(), ID: c.ID, Outcome: c.Outcome, Reason: c.Reason, Error: c.Error})
		compareLine(t, i, journalEntry{Ev: evEnd, At: time.Now()}) // every omitempty field empty
	}
}

func compareLine(t *testing.T, i int, v any) {
	t.Helper()
	want, err := encodeLine(v)
	if err != nil {
		t.Fatalf("fixture %d: encoding/json: %v", i, err)
	}
	got, ok := appendLine(nil, v)
	if !ok {
		t.Fatalf("fixture %d: the encoder declined a value encoding/json writes:\n%s", i, want)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("fixture %d differs:\n got %s\nwant %s", i, got, want)
	}
}

// Every single byte value, and every rune near the escaping boundaries,
// alone in a string.
func TestEncoderStringsMatchEncodingJSON(t *testing.T) {
	var ss []string
	for b := range 256 {
		ss = append(ss, string([]byte{byte(b)}), "x"+string([]byte{byte(b)})+"y")
	}
	for r := rune(0); r < 0x3000; r++ {
		ss = append(ss, string(r))
	}
	ss = append(ss, string(rune(0x10FFFF)), string(rune(0xD800)), strings.Repeat("é<>&\u2028", 100))
	// Every byte value at every place of a longer string, which is read
	// eight bytes at a time, and every multi-byte rune across each place.
	for b := range 256 {
		for at := range 17 {
			s := []byte("abcdefghijklmnopq")
			s[at] = byte(b)
			ss = append(ss, string(s))
		}
	}
	for _, r := range []rune{'é', '\u2028', '\u2029', 0x10FFFF, utf8.RuneError} {
		for at := range 10 {
			ss = append(ss, "abcdefghij"[:at]+string(r)+"klmnopqrstuvwxyz")
		}
	}
	for i, s := range ss {
		compareLine(t, i, journalEntry{Ev: evEnd, ID: s, Reason: s})
	}
}

// What encoding/json refuses the encoder declines, so the error stays
// encoding/json's: NaN and infinite floats, years past 9999.
func TestEncoderDeclinesWhatJSONRefuses(t *testing.T) {
	for name, c := range map[string]*transcript.Conversation{
		"NaN":      {DurationMS: math.NaN()},
		"+Inf":     {CostUSD: math.Inf(1)},
		"year":     {StartedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"negative": {EndedAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		"turn":     {Turns: []transcript.Turn{{ReplyMS: fptr(math.Inf(-1))}}},
	} {
		if _, ok := appendLine(nil, c); ok {
			t.Errorf("%s: the encoder wrote what encoding/json refuses", name)
		}
		if _, err := encodeLine(c); err == nil {
			t.Errorf("%s: encoding/json wrote it", name)
		}
	}
	a := appender{path: t.TempDir() + "/x.jsonl"}
	if err := a.append(&transcript.Conversation{ID: "c1", DurationMS: math.NaN()}, "conversation c1"); err == nil || !strings.Contains(err.Error(), "cannot encode conversation c1") {
		t.Errorf("append of a NaN: %v", err)
	}
}

// decodeLine reads back what the encoder writes as encoding/json does:
// every line of 3,000 random rich conversations and their journal events,
// and, for lines cut short or garbled, the same error.
func TestDecodeLineMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 2026))
	for i := range 3000 {
		c := richConversation(r)
		line, ok := appendLine(nil, c)
		if !ok {
			t.Fatalf("fixture %d: the encoder declined it", i)
		}
		var got, want transcript.Conversation
		if err := decodeLine(line, &got); err != nil {
			t.Fatalf("fixture %d: %v", i, err)
		}
		if err := json.Unmarshal(line, &want); err != nil {
			t.Fatalf("fixture %d: encoding/json: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("fixture %d decodes differently:\n got %+v\nwant %+v", i, got, want)
		}
		if len(c.Turns) > 0 {
			jl, _ := appendLine(nil, journalEntry{Ev: evTurn, At: c.EndedAt, ID: c.ID, Turn: &c.Turns[0]})
			var gj, wj journalEntry
			if err := decodeLine(jl, &gj); err != nil || json.Unmarshal(jl, &wj) != nil || !reflect.DeepEqual(gj, wj) {
				t.Fatalf("fixture %d: the journal turn decodes differently (%v):\n got %+v\nwant %+v", i, err, gj, wj)
			}
		}
		cut := line[:r.IntN(len(line))]
		if i%3 == 0 { // garbled, not cut
			cut = append(append([]byte{}, line[:len(line)/2]...), '}', ',')
		}
		var g, w transcript.Conversation
		gerr, werr := decodeLine(cut, &g), json.Unmarshal(cut, &w)
		if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
			t.Fatalf("fixture %d cut at %d: decodeLine says %v, encoding/json %v", i, len(cut), gerr, werr)
		}
	}
}
