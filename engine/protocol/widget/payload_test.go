package widget

import (
	"reflect"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

func text(s string) transcript.Message {
	return transcript.Message{Role: transcript.RoleAssistant, Type: transcript.TypeText, Text: s}
}
func media(link string) transcript.Message {
	return transcript.Message{Role: transcript.RoleAssistant, Type: transcript.TypeMedia, Link: link}
}

func TestParsePayload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []transcript.Message
	}{
		{"full text and media", `{"messages":[
			{"role":"assistant","type":"text","text":"Bom dia!"},
			{"role":"assistant","type":"media","media":{"type":"image","link":"https://x/foto.jpg"}}]}`,
			[]transcript.Message{text("Bom dia!"), media("https://x/foto.jpg")}},
		{"missing role and type", `{"messages":[{"text":"Oi"}]}`, []transcript.Message{text("Oi")}},
		{"missing role keeps type", `{"messages":[{"type":"text","text":"Oi"}]}`, []transcript.Message{text("Oi")}},
		{"other role kept", `{"messages":[{"role":"system","text":"x"}]}`,
			[]transcript.Message{{Role: "system", Type: transcript.TypeText, Text: "x"}}},
		{"media without role or type", `{"messages":[{"media":{"type":"image","link":"https://x/a.png"}}]}`,
			[]transcript.Message{media("https://x/a.png")}},
		{"media object with url", `{"messages":[{"media":{"url":"https://x/a.png"}}]}`,
			[]transcript.Message{media("https://x/a.png")}},
		{"media as a plain string", `{"messages":[{"type":"media","media":"https://x/a.png"}]}`,
			[]transcript.Message{media("https://x/a.png")}},
		{"link field directly", `{"messages":[{"type":"image","link":"https://x/a.png"}]}`,
			[]transcript.Message{media("https://x/a.png")}},
		{"url field without type", `{"messages":[{"url":"https://x/a.png"}]}`,
			[]transcript.Message{media("https://x/a.png")}},
		{"captioned media keeps the caption apart", `{"messages":[{"media":"https://x/a.png","text":"o parque"}]}`,
			[]transcript.Message{media("https://x/a.png"), text("o parque")}},
		{"text with a url field stays text", `{"messages":[{"text":"pague aqui","url":"https://pay.x/1"}]}`,
			[]transcript.Message{text("pague aqui")}},
		{"empty list", `{"messages":[]}`, []transcript.Message{}},
		{"top-level text", `{"text":"Olá"}`, []transcript.Message{text("Olá")}},
		{"top-level content", `{"content":"Olá"}`, []transcript.Message{text("Olá")}},
		{"top-level message", `{"message":"Olá"}`, []transcript.Message{text("Olá")}},
		{"null messages falls back to text", `{"messages":null,"text":"Olá"}`, []transcript.Message{text("Olá")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePayload([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParsePayload: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParsePayloadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, wantErr string
	}{
		{"empty body", ``, "cannot parse reply payload"},
		{"not json", `hello`, "cannot parse reply payload"},
		{"array", `[1,2]`, "cannot parse reply payload"},
		{"null", `null`, `no "messages"`},
		{"empty object", `{}`, `no "messages"`},
		{"unknown field only", `{"reply":"x"}`, `no "messages"`},
		{"text not a string", `{"text":5}`, "cannot parse reply payload"},
		{"item without text or media", `{"messages":[{"role":"assistant"}]}`, "messages[0]: item has neither text nor media"},
		{"media without link", `{"messages":[{"text":"a"},{"type":"media","media":{"type":"image"}}]}`, "messages[1]: media item without a link"},
		{"media of wrong type", `{"messages":[{"media":5}]}`, "messages[0]: media"},
		{"messages not a list", `{"messages":"hi"}`, "cannot parse reply payload"},
		{"trailing garbage", `{"text":"a"} x`, "cannot parse reply payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePayload([]byte(tt.body))
			if err == nil {
				t.Fatalf("ParsePayload = %#v, want an error", got)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

// FuzzParsePayload checks that no body makes ParsePayload panic, and that
// whatever it accepts is normalised: every item has a role and is either a
// media item with a link and no text, or a text item.
func FuzzParsePayload(f *testing.F) {
	for _, seed := range []string{
		`{"messages":[{"role":"assistant","type":"text","text":"Bom dia!"},{"role":"assistant","type":"media","media":{"type":"image","link":"https://x/foto.jpg"}}]}`,
		`{"messages":[{"text":"Oi"}]}`,
		`{"messages":[{"media":"https://x/a.png"}]}`,
		`{"messages":[{"media":{"url":"https://x/a.png"}}]}`,
		`{"messages":[{"link":"https://x/a.png"},{"url":"https://x/b.png"}]}`,
		`{"messages":[{"media":"https://x/a.png","text":"caption"}]}`,
		`{"messages":[]}`,
		`{"messages":null}`,
		`{"text":"Olá"}`,
		`{"content":"Olá"}`,
		`{"message":"Olá"}`,
		`{"messages":[{"media": 5}]}`,
		`{"messages":[{"media": ""}]}`,
		`{"messages":[{"media": " \"x\""}]}`,
		`{}`, `null`, `[]`, ``, `"x"`, `{"text":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msgs, err := ParsePayload(body)
		if err != nil {
			return
		}
		for i, m := range msgs {
			if m.Role == "" {
				t.Errorf("item %d has no role: %#v", i, m)
			}
			if m.Type == transcript.TypeMedia && (m.Link == "" || m.Text != "") {
				t.Errorf("media item %d not normalised: %#v", i, m)
			}
			if m.Type != transcript.TypeMedia && m.Link != "" {
				t.Errorf("text item %d carries a link: %#v", i, m)
			}
		}
	})
}
