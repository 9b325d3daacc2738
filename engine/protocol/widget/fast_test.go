package widget

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

// voyagerExample is VOYAGER.md §1's reply callback as printed there,
// indented.
const voyagerExample = `{
  "messages": [
    {"role": "assistant", "type": "text",  "text": "Bom dia! ..."},
    {"role": "assistant", "type": "media", "media": {"type": "image", "link": "https://.../foto.jpg"}}
  ]
}`

// fastCases are bodies on both sides of the fast path's line: fast says
// whether parseFast takes the body (else encoding/json reads it). Every
// one must parse as encoding/json alone parses it.
var fastCases = []struct {
	name, body string
	fast       bool
}{
	// Taken: plain bodies, however spaced and escaped.
	{"VOYAGER.md example", voyagerExample, true},
	{"escaped as Python's json.dumps writes", `{"messages": [{"role": "assistant", "type": "text", "text": "Ol\u00e1! \ud83d\ude0a R$ 320,00\nPix"}]}`, true},
	{"every escape", `{"text":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20AC\ud83d\ude0a\u0000\uFFFD"}`, true},
	{"HTML escaped as Go writes", `{"messages":[{"role":"assistant","type":"text","text":"\u003cb\u003eR$ 1 \u0026 2\u003c/b\u003e"}]}`, true},
	{"raw UTF-8 and U+FFFD", "{\"text\":\"Olá 😊 \xef\xbf\xbd\"}", true},
	{"unknown keys skipped", `{"id":"x","meta":{"a":[1,-2.5e+3,0,0.5,1E-7,true,false,null,{"b":"c\u00e9"},[]],"n":{}},"messages":[{"text":"a","ts":1712345678.123,"extra":null,"media_type":"x"}],"z":[]}`, true},
	{"unknown keys in a media object", `{"messages":[{"media":{"type":"image","link":"https://x/a.png","size":[1,2],"caption":null}}]}`, true},
	{"whitespace everywhere", " \t\r\n{ \"messages\" : [ { \"text\" : \"a\" } , { \"url\" : \"https://x\" } ] } \n", true},
	{"empty list", `{"messages":[]}`, true},
	{"empty list wins over text", `{"messages":[],"text":"x"}`, true},
	{"text before content", `{"content":"c","message":"m","text":"t"}`, true},
	{"content before message", `{"message":"m","content":"c"}`, true},
	{"captioned media", `{"messages":[{"media":"https://x/a.png","text":"o parque","role":"bot"}]}`, true},
	{"media object link before url", `{"messages":[{"media":{"url":"https://x/u","link":"https://x/l"}}]}`, true},
	{"media object empty link", `{"messages":[{"media":{"link":"","url":"https://x/u"}}]}`, true},
	{"media string empty url ignored", `{"messages":[{"type":"image","link":"","url":"https://x/u"}]}`, true},
	{"odd role and type", `{"messages":[{"role":"sistema","type":"button","text":""}]}`, true},
	{"text with a url stays text", `{"messages":[{"text":"pague","url":"https://pay.x/1"}]}`, true},
	{"unknown key that only looks close", `{"messages":[{"text":"a","texts":"b","Role2":"c"}],"messagesX":1}`, true},

	// Declined: encoding/json decides, and gets the same as before.
	{"repeated top-level key", `{"text":"a","text":"b"}`, false},
	{"repeated messages merge", `{"messages":[{"text":"a","role":"x"}],"messages":[{"text":"b"}]}`, false},
	{"repeated item key", `{"messages":[{"text":"a","text":"b"}]}`, false},
	{"repeated media link", `{"messages":[{"media":{"link":"a","link":"b"}}]}`, false},
	{"repeated media", `{"messages":[{"media":"a","media":{"url":"b"}}]}`, false},
	{"key in other case", `{"Text":"a"}`, false},
	{"list key in other case", `{"MESSAGES":[{"text":"a"}],"text":"b"}`, false},
	{"item key in other case", `{"messages":[{"TEXT":"a","Role":"x"}]}`, false},
	{"url repeated in other case", `{"messages":[{"url":"https://a","URL":"https://b"}]}`, false},
	{"media key in other case", `{"messages":[{"media":{"LINK":"https://x"}}]}`, false},
	{"key folding to messages through ſ", `{"meſſages":[{"text":"a"}],"text":"b"}`, false},
	{"key folding to link through the Kelvin sign", "{\"messages\":[{\"lin\u212a\":\"https://x\"}]}", false},
	{"escaped key", `{"te\u0078t":"a"}`, false},
	{"null text falls through", `{"text":null,"content":"c"}`, false},
	{"null messages", `{"messages":null,"text":"a"}`, false},
	{"null media", `{"messages":[{"text":"a","media":null}]}`, false},
	{"null role", `{"messages":[{"text":"a","role":null}]}`, false},
	{"null item", `{"messages":[null]}`, false},
	{"number for text", `{"text":5}`, false},
	{"number for role", `{"messages":[{"text":"a","role":5}]}`, false},
	{"bool for type", `{"messages":[{"text":"a","type":true}]}`, false},
	{"list for media", `{"messages":[{"media":["https://x"]}]}`, false},
	{"number for media", `{"messages":[{"media":5}]}`, false},
	{"number for media link", `{"messages":[{"media":{"link":5}}]}`, false},
	{"string for list", `{"messages":"hi"}`, false},
	{"string item", `{"messages":["a"]}`, false},
	{"invalid UTF-8", "{\"text\":\"a\xffb\"}", false},
	{"invalid UTF-8 in a skipped value", "{\"x\":\"a\xffb\",\"text\":\"t\"}", false},
	{"UTF-8 surrogate", "{\"text\":\"\xed\xa0\xbd\"}", false},
	{"lone high surrogate", `{"text":"\ud83d"}`, false},
	{"lone low surrogate", `{"text":"\ude0a"}`, false},
	{"high surrogate then letter", `{"text":"\ud83d\u0041"}`, false},
	{"high surrogate then high", `{"text":"\ud83d\ud83d"}`, false},
	{"unknown escape", `{"text":"\x"}`, false},
	{"short unicode escape", `{"text":"\u00e"}`, false},
	{"bad hex", `{"text":"\u00eg"}`, false},
	{"raw newline in string", "{\"text\":\"a\nb\"}", false},
	{"raw unit separator in string", "{\"text\":\"a\x1fb\"}", false},
	{"stray continuation byte", "{\"text\":\"a\xa2b\"}", false},
	{"trailing data", `{"text":"a"} x`, false},
	{"two objects", `{"text":"a"}{}`, false},
	{"trailing comma", `{"text":"a",}`, false},
	{"trailing comma in list", `{"messages":[{"text":"a"},]}`, false},
	{"missing colon", `{"text" "a"}`, false},
	{"unterminated", `{"text":"a"`, false},
	{"unterminated string", `{"text":"a`, false},
	{"leading zero", `{"n":01,"text":"a"}`, false},
	{"bare minus", `{"n":-,"text":"a"}`, false},
	{"dot without digits", `{"n":1.,"text":"a"}`, false},
	{"exponent without digits", `{"n":1e+,"text":"a"}`, false},
	{"bad literal", `{"n":tru,"text":"a"}`, false},
	{"literal run on", `{"n":nulll,"text":"a"}`, false},
	{"nested too deep to skip", `{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `,"text":"a"}`, false},
	{"byte order mark", "\xef\xbb\xbf{\"text\":\"a\"}", false},
	{"empty body", ``, false},
	{"null", `null`, false},
	{"list", `[{"text":"a"}]`, false},
	{"string", `"a"`, false},
	{"empty object", `{}`, false},
	{"unknown key only", `{"reply":"x"}`, false},
	{"item without text or media", `{"messages":[{"role":"assistant"}]}`, false},
	{"media without link", `{"messages":[{"text":"a"},{"type":"media","media":{"type":"image"}}]}`, false},
	{"empty media string", `{"messages":[{"media":""}]}`, false},
	{"empty item", `{"messages":[{}]}`, false},
}

// sameAsStd checks that ParsePayload reads body exactly as encoding/json
// does (parseStd): equal items, equal errors; and that the fast path,
// whenever it takes a body, gives what encoding/json gives.
func sameAsStd(t *testing.T, body []byte) (fast bool) {
	t.Helper()
	want, wantErr := parseStd(body)
	got, err := ParsePayload(body)
	if !reflect.DeepEqual(got, want) || errText(err) != errText(wantErr) {
		t.Errorf("body %q:\nParsePayload = %#v, %v\nencoding/json = %#v, %v", body, got, err, want, wantErr)
	}
	fastGot, ok := parseFast(body)
	if ok && (wantErr != nil || !reflect.DeepEqual(fastGot, want)) {
		t.Errorf("body %q:\nfast path = %#v\nencoding/json = %#v, %v", body, fastGot, want, wantErr)
	}
	return ok
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestParseFastEdges(t *testing.T) {
	t.Parallel()
	for _, tc := range fastCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if fast := sameAsStd(t, []byte(tc.body)); fast != tc.fast {
				t.Errorf("fast path took the body: %v, want %v", fast, tc.fast)
			}
		})
	}
}

// TestParseFastTakesRealCallbacks: the bodies the simulator sends, and
// VOYAGER.md's shapes, take the fast path — else it saves nothing.
func TestParseFastTakesRealCallbacks(t *testing.T) {
	t.Parallel()
	for i, body := range callbacks(t) {
		if !sameAsStd(t, body) {
			t.Errorf("callback %d declined by the fast path: %s", i+1, body)
		}
	}
}

// TestParseFastCopies: the items must not alias the body, which the
// receiver reuses for the next callback.
func TestParseFastCopies(t *testing.T) {
	t.Parallel()
	body := []byte(`{"messages":[{"role":"bot","type":"note","text":"abc","media":{"link":"https://x"}}]}`)
	got, ok := parseFast(body)
	if !ok {
		t.Fatal("fast path declined")
	}
	for i := range body {
		body[i] = 'z'
	}
	want := []transcript.Message{
		{Role: "bot", Type: transcript.TypeMedia, Link: "https://x"},
		{Role: "bot", Type: transcript.TypeText, Text: "abc"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the body changed: %#v, want %#v", got, want)
	}
}

// FuzzParseFast holds ParsePayload (fast path first) equal to
// encoding/json alone, results and errors, on any body. Seeds: the
// simulator's real callbacks, VOYAGER.md's example, and the edge cases.
func FuzzParseFast(f *testing.F) {
	for _, body := range callbacks(f) {
		f.Add(body)
	}
	for _, tc := range fastCases {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sameAsStd(t, body)
	})
}

// FuzzParseFastShapes is FuzzParseFast on bodies of the payload's own
// shapes, most of them valid, so that the fuzzer spends its time where the
// fast path answers rather than on bodies it declines: shape picks the
// keys, key is a key the payload does not know (or a case or escape of one
// it does), a and b are the strings, written raw or escaped by
// encoding/json.
func FuzzParseFastShapes(f *testing.F) {
	for _, seed := range []struct {
		shape     uint16
		key, a, b string
	}{
		{0b0000_0000_0100_1001, "id", "assistant", "Olá! 😊 Como posso te chamar?"},
		{0b0000_0001_0011_1000, "caption", "assistant", "https://www.thermasaquapark.com.br/img/parque-1.jpg"},
		{0b0110_1010_1100_0000, "Text", "bot", `R$ 320,00\n\u00e9 "x" \ud83d\ude0a`},
		{0b1000_0100_1000_0011, "meta", "https://x/u", "https://x/l"},
		{0b0010_0000_0000_0010, "te\\u0078t", "", "Olá"},
		{0b0001_1000_0100_0111, "MEDIA", "a", "b"},
	} {
		f.Add(seed.shape, seed.key, seed.a, seed.b)
	}
	f.Fuzz(func(t *testing.T, shape uint16, key, a, b string) {
		sameAsStd(t, shapedBody(shape, key, a, b))
	})
}

// shapedBody writes a body of one of the payload's shapes; see
// FuzzParseFastShapes.
func shapedBody(shape uint16, key, a, b string) []byte {
	bit := func(n uint) bool { return shape&(1<<n) != 0 }
	q := func(s string) string {
		if bit(0) {
			out, _ := json.Marshal(s)
			return string(out)
		}
		return `"` + s + `"`
	}
	sep := ","
	if bit(15) {
		sep = " ,\n\t "
	}
	extra := `"` + key + `":` + q(b)
	var item []string
	if bit(3) {
		item = append(item, `"role":`+q(a))
	}
	switch {
	case bit(4):
		item = append(item, `"type":`+q(a))
	case bit(5):
		item = append(item, `"type":"media"`)
	}
	if bit(6) {
		item = append(item, `"text":`+q(b))
	}
	switch {
	case bit(7):
		item = append(item, `"media":`+q(b))
	case bit(8):
		obj := []string{`"type":"image"`, `"link":` + q(b)}
		if bit(13) {
			obj = append(obj, extra)
		}
		item = append(item, "{"+strings.Join(obj, sep)+"}")
		item[len(item)-1] = `"media":` + item[len(item)-1]
	}
	if bit(9) {
		item = append(item, `"link":`+q(b))
	}
	if bit(10) {
		item = append(item, `"url":`+q(a))
	}
	if bit(11) {
		item = append(item, extra)
	}
	var top []string
	switch shape >> 1 & 3 {
	case 0:
		items := "{" + strings.Join(item, sep) + "}"
		if bit(14) {
			items += sep + items
		}
		top = append(top, `"messages":[`+items+"]")
	case 1:
		top = append(top, `"text":`+q(a))
	case 2:
		top = append(top, `"content":`+q(b))
	case 3:
		top = append(top, `"message":`+q(a))
	}
	if bit(12) {
		top = append(top, extra)
	}
	return []byte("{" + strings.Join(top, sep) + "}")
}
