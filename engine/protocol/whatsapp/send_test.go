package whatsapp

import (
	"encoding/json"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

// TestParseSend reads the send shapes of the Graph API's messages
// endpoint into reply items.
func TestParseSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		kind       string
		items      []transcript.Message
	}{
		{"text", `{"messaging_product":"whatsapp","recipient_type":"individual","to":"5585991234567","context":{"message_id":"wamid.A"},"type":"text","text":{"preview_url":false,"body":"Oi"}}`,
			KindText, []transcript.Message{{Type: "text", Text: "Oi", ReplyTo: "wamid.A"}}},
		{"default type", `{"messaging_product":"whatsapp","to":"1","text":{"body":"Oi"}}`, KindText, []transcript.Message{{Type: "text", Text: "Oi"}}},
		{"document", `{"messaging_product":"whatsapp","to":"1","type":"document","document":{"link":"https://x/r.pdf","caption":"Recibo"}}`,
			KindMedia, []transcript.Message{{Type: "media", Link: "https://x/r.pdf"}, {Type: "text", Text: "Recibo"}}},
		{"uploaded image", `{"messaging_product":"whatsapp","to":"1","type":"image","image":{"id":"1234"}}`,
			KindMedia, []transcript.Message{{Type: "media", Link: "media:1234"}}},
		{"list", `{"messaging_product":"whatsapp","to":"1","type":"interactive","interactive":{"type":"list","header":{"type":"text","text":"Ingressos"},"body":{"text":"Escolha"},"footer":{"text":"Thermas"},"action":{"button":"Ver","sections":[{"title":"Tipos","rows":[{"id":"a","title":"Adulto"},{"id":"c","title":"Criança"}]}]}}}`,
			KindInteractive, []transcript.Message{{Type: "text", Text: "Ingressos"}, {Type: "text", Text: "Escolha"}, {Type: "text", Text: "Thermas"},
				{Type: "button", Text: "Adulto"}, {Type: "button", Text: "Criança"}}},
		{"cta_url", `{"messaging_product":"whatsapp","to":"1","type":"interactive","interactive":{"type":"cta_url","body":{"text":"Pague"},"action":{"name":"cta_url","parameters":{"display_text":"Pix","url":"https://pay.x/1"}}}}`,
			KindInteractive, []transcript.Message{{Type: "text", Text: "Pague"}, {Type: "button", Text: "Pix", Link: "https://pay.x/1"}}},
		{"template", `{"messaging_product":"whatsapp","to":"1","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`,
			KindTemplate, []transcript.Message{{Type: "template", Text: "hello_world"}}},
	}
	for _, tt := range tests {
		s, err := ParseSend([]byte(tt.body))
		if err != nil || s.Kind != tt.kind || len(s.Items) != len(tt.items) {
			t.Errorf("%s: %+v %v", tt.name, s, err)
			continue
		}
		for i, want := range tt.items {
			want.Role = transcript.RoleAssistant
			if s.Items[i] != want {
				t.Errorf("%s item %d: %+v, want %+v", tt.name, i, s.Items[i], want)
			}
		}
	}
	for _, bad := range []string{``, `{`, `[]`, `{"to":"1","text":{"body":"x"}}`, `{"messaging_product":"whatsapp","text":{"body":"x"}}`,
		`{"messaging_product":"whatsapp","to":"1","type":"image","image":{}}`, `{"messaging_product":"whatsapp","to":"1","type":"interactive"}`,
		`{"messaging_product":"whatsapp","status":"delivered","message_id":"x"}`, `{"messaging_product":"whatsapp","to":"1","text":{"body":"x"}} {}`} {
		if _, err := ParseSend([]byte(bad)); err == nil {
			t.Errorf("ParseSend(%s): no error", bad)
		}
	}
}

// FuzzParseSend: any body is read or refused with a reason, never a
// panic, and what is read is well formed.
func FuzzParseSend(f *testing.F) {
	for _, seed := range []string{
		`{"messaging_product":"whatsapp","to":"1","type":"text","text":{"body":"Oi"}}`,
		`{"messaging_product":"whatsapp","status":"read","message_id":"wamid.A"}`,
		`{"messaging_product":"whatsapp","to":"1","type":"video","video":{"link":"https://x/v.mp4"}}`,
		`{"messaging_product":"whatsapp","to":"1","type":"interactive","interactive":{"type":"button","body":{"text":"b"},"action":{"buttons":[{"reply":{"title":"t"}}]}}}`,
		`{"messaging_product":"whatsapp","to":"1","type":"template","template":{"name":"n"}}`,
		`{}`, `null`, `"x"`, `{"messaging_product":"whatsapp","to":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := ParseSend(body)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a reason")
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("took %q, which is not JSON", body)
		}
		if s.Kind == KindRead {
			if s.ReadID == "" || len(s.Items) != 0 {
				t.Fatalf("read mark %+v", s)
			}
			return
		}
		if s.To == "" || len(s.Items) == 0 {
			t.Fatalf("send %+v from %q: no recipient or no items", s, body)
		}
		for _, it := range s.Items {
			if it.Role != transcript.RoleAssistant || it.Type == "" {
				t.Fatalf("item %+v", it)
			}
		}
	})
}
