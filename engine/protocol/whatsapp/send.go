package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/voyplan/voyplan/engine/transcript"
)

// Kinds of message a bot sends, as Send.Kind names them.
const (
	KindText        = "text"
	KindMedia       = "media" // image, video, audio, document, sticker
	KindInteractive = "interactive"
	KindTemplate    = "template"
	KindRead        = "read" // the mark-as-read call: no message
)

// Send is one POST /{version}/{phone number id}/messages, read.
type Send struct {
	Kind    string
	To      string // the recipient's wa_id; "" for a read mark
	ReplyTo string // context.message_id: the customer message it answers
	ReadID  string // the message a read mark marks
	Items   []transcript.Message
}

// request is the body of a send: every message type's object, of which
// the one Type names is read.
type request struct {
	MessagingProduct string `json:"messaging_product"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Status           string `json:"status"`
	MessageID        string `json:"message_id"`
	Context          *struct {
		MessageID string `json:"message_id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive *interactive `json:"interactive"`
	Template    *struct {
		Name string `json:"name"`
	} `json:"template"`
}

type media struct {
	Link    string `json:"link"`
	ID      string `json:"id"`
	Caption string `json:"caption"`
}

type interactive struct {
	Type   string `json:"type"`
	Header *struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"header"`
	Body *struct {
		Text string `json:"text"`
	} `json:"body"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Action struct {
		Buttons []struct {
			Reply struct {
				Title string `json:"title"`
			} `json:"reply"`
		} `json:"buttons"`
		Sections []struct {
			Rows []struct {
				Title string `json:"title"`
			} `json:"rows"`
		} `json:"sections"`
		Parameters *struct {
			DisplayText string `json:"display_text"`
			URL         string `json:"url"`
		} `json:"parameters"`
	} `json:"action"`
}

// mediaTypes are the message types that carry a media object.
var mediaTypes = []string{"image", "video", "audio", "document", "sticker"}

// ParseSend reads a send's body. An error says what is wrong, as the
// Graph API's error_data.details would; a message without a recipient or
// with a type it does not know is wrong.
func ParseSend(body []byte) (Send, error) {
	var r request
	if !json.Valid(body) {
		return Send{}, errors.New("the request body is not valid JSON")
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return Send{}, errors.New("the request body is not a message object: " + err.Error())
	}
	if r.MessagingProduct != "whatsapp" {
		return Send{}, errors.New(`messaging_product must be "whatsapp"`)
	}
	if r.Status != "" {
		return parseRead(r)
	}
	if r.To == "" {
		return Send{}, errors.New("the parameter to is required")
	}
	s := Send{To: r.To}
	if r.Context != nil {
		s.ReplyTo = r.Context.MessageID
	}
	var err error
	if s.Kind, s.Items, err = items(r, body); err != nil {
		return Send{}, err
	}
	for i := range s.Items {
		s.Items[i].Role, s.Items[i].ReplyTo = transcript.RoleAssistant, s.ReplyTo
	}
	return s, nil
}

func parseRead(r request) (Send, error) {
	if r.Status != "read" {
		return Send{}, fmt.Errorf("status %q is not supported: a business marks messages \"read\"", r.Status)
	}
	if r.MessageID == "" {
		return Send{}, errors.New("the parameter message_id is required")
	}
	return Send{Kind: KindRead, ReadID: r.MessageID}, nil
}

// items reads the message its type names; body is read again for a media
// object, whose key is the type.
func items(r request, body []byte) (string, []transcript.Message, error) {
	typ := r.Type
	if typ == "" {
		typ = "text" // the API's default
	}
	switch {
	case typ == "text":
		if r.Text == nil || strings.TrimSpace(r.Text.Body) == "" {
			return "", nil, errors.New("the parameter text.body is required")
		}
		return KindText, []transcript.Message{{Type: transcript.TypeText, Text: r.Text.Body}}, nil
	case typ == "interactive":
		return interactiveItems(r.Interactive)
	case typ == "template":
		if r.Template == nil || r.Template.Name == "" {
			return "", nil, errors.New("the parameter template.name is required")
		}
		return KindTemplate, []transcript.Message{{Type: transcript.TypeTemplate, Text: r.Template.Name}}, nil
	case slices.Contains(mediaTypes, typ):
		return mediaItems(typ, body)
	}
	return "", nil, fmt.Errorf("type %q is not a message type the stand-in serves (text, image, video, audio, document, sticker, interactive, template)", typ)
}

func mediaItems(typ string, body []byte) (string, []transcript.Message, error) {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(body, &m) // decoded once already
	var md media
	if raw, ok := m[typ]; !ok || json.Unmarshal(raw, &md) != nil || (md.Link == "" && md.ID == "") {
		return "", nil, fmt.Errorf("the parameter %s.link or %s.id is required", typ, typ)
	}
	link := md.Link
	if link == "" {
		link = "media:" + md.ID // an uploaded media's id: no URL to record
	}
	out := []transcript.Message{{Type: transcript.TypeMedia, Link: link}}
	if md.Caption != "" {
		out = append(out, transcript.Message{Type: transcript.TypeText, Text: md.Caption})
	}
	return KindMedia, out, nil
}

// interactiveItems reads an interactive message: its header, body and
// footer texts, then a button item per reply button, list row or
// call-to-action (with its URL).
func interactiveItems(in *interactive) (string, []transcript.Message, error) {
	if in == nil || in.Body == nil || in.Body.Text == "" {
		return "", nil, errors.New("the parameter interactive.body.text is required")
	}
	var out []transcript.Message
	text := func(s string) {
		if s != "" {
			out = append(out, transcript.Message{Type: transcript.TypeText, Text: s})
		}
	}
	button := func(title, link string) {
		out = append(out, transcript.Message{Type: transcript.TypeButton, Text: title, Link: link})
	}
	if in.Header != nil {
		text(in.Header.Text)
	}
	text(in.Body.Text)
	if in.Footer != nil {
		text(in.Footer.Text)
	}
	for _, b := range in.Action.Buttons {
		button(b.Reply.Title, "")
	}
	for _, sec := range in.Action.Sections {
		for _, row := range sec.Rows {
			button(row.Title, "")
		}
	}
	if p := in.Action.Parameters; p != nil {
		button(p.DisplayText, p.URL)
	}
	return KindInteractive, out, nil
}
