package widget

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/voyplan/voyplan/engine/transcript"
)

// payload is every top-level shape a reply callback is known to take.
type payload struct {
	Messages []item  `json:"messages"`
	Text     *string `json:"text"`
	Content  *string `json:"content"`
	Message  *string `json:"message"`
}

// item is one entry of "messages". Media is either an object
// {"type","link"} (or {"url"}) or a plain URL string.
type item struct {
	Role  string          `json:"role"`
	Type  string          `json:"type"`
	Text  *string         `json:"text"`
	Media json.RawMessage `json:"media"`
	Link  string          `json:"link"`
	URL   string          `json:"url"`
}

type mediaObject struct {
	Link string `json:"link"`
	URL  string `json:"url"`
}

// ParsePayload normalises one reply callback body (VOYAGER.md §1):
//
//   - {"messages":[...]}: each item keeps its role ("assistant" when
//     missing); an item with text is a text item (type "text" when missing);
//     an item with media — an object {type, link|url} or a plain URL string —
//     or with a link/url field and no text is a media item: Type "media",
//     Link set, Text empty. A media item's caption, if any, follows it as a
//     separate text item, so an image is never turned into text and no text
//     is lost. An empty list is a valid reply with no items.
//   - {"text": "..."}, {"content": "..."} or {"message": "..."}: one text item.
//
// Anything else is an error. ParsePayload never panics.
//
// Bodies of the shapes above that are plain enough (fast.go) are read by a
// scanner of their own; every other body, and every body that is an
// error, is read by encoding/json, and both give the same result.
func ParsePayload(body []byte) ([]transcript.Message, error) {
	if msgs, ok := parseFast(body); ok {
		return msgs, nil
	}
	return parseStd(body)
}

// parseStd is ParsePayload through encoding/json: what the fast path
// falls back on, and what it must equal.
func parseStd(body []byte) ([]transcript.Message, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("cannot parse reply payload: %w", err)
	}
	if p.Messages != nil {
		return normaliseItems(p.Messages)
	}
	for _, s := range []*string{p.Text, p.Content, p.Message} {
		if s != nil {
			return []transcript.Message{{Role: transcript.RoleAssistant, Type: transcript.TypeText, Text: *s}}, nil
		}
	}
	return nil, errors.New(`cannot parse reply payload: no "messages", "text", "content" or "message" field`)
}

func normaliseItems(items []item) ([]transcript.Message, error) {
	out := make([]transcript.Message, 0, len(items))
	for i, it := range items {
		f, err := it.fields()
		if err == nil {
			out, err = f.appendTo(out)
		}
		if err != nil {
			return nil, fmt.Errorf("cannot parse reply payload: messages[%d]: %w", i, err)
		}
	}
	return out, nil
}

// fields is one item of "messages" as read, before it is normalised: what
// both encoding/json and the fast path (fast.go) read an item into.
type fields struct {
	role, typ string
	text      string
	hasText   bool   // "text" was a string (maybe empty)
	hasMedia  bool   // "media" was there and not null
	media     string // the media field's link, when hasMedia
	link, url string
}

// fields reads the item's media field and hands over the rest.
func (it item) fields() (fields, error) {
	f := fields{role: it.Role, typ: it.Type, link: it.Link, url: it.URL, hasMedia: it.hasMedia()}
	if it.Text != nil {
		f.text, f.hasText = *it.Text, true
	}
	if f.hasMedia {
		var err error
		if f.media, err = mediaLink(it.Media); err != nil {
			return f, err
		}
	}
	return f, nil
}

// appendTo appends the normalised form of one item: one message, or two for
// a captioned media item.
func (f fields) appendTo(out []transcript.Message) ([]transcript.Message, error) {
	role := f.role
	if role == "" {
		role = transcript.RoleAssistant
	}
	link := f.mediaURL()
	if f.isMedia(link) {
		if link == "" {
			return out, errors.New("media item without a link")
		}
		out = append(out, transcript.Message{Role: role, Type: transcript.TypeMedia, Link: link})
		if f.text != "" {
			out = append(out, transcript.Message{Role: role, Type: transcript.TypeText, Text: f.text})
		}
		return out, nil
	}
	if !f.hasText {
		return out, errors.New("item has neither text nor media")
	}
	typ := f.typ
	if typ == "" {
		typ = transcript.TypeText
	}
	return append(out, transcript.Message{Role: role, Type: typ, Text: f.text}), nil
}

// isMedia reports whether the item is an image (or other media) rather than
// text: it says so, carries a media field, or has a link and no text.
func (f fields) isMedia(link string) bool {
	switch f.typ {
	case transcript.TypeMedia, "image", "video", "audio", "document", "file":
		return true
	}
	return f.hasMedia || !f.hasText && link != ""
}

// mediaURL is the item's media URL from whichever field carries it.
func (f fields) mediaURL() string {
	if f.hasMedia {
		return f.media
	}
	if f.link != "" {
		return f.link
	}
	return f.url
}

func (it item) hasMedia() bool {
	return len(it.Media) > 0 && string(it.Media) != "null"
}

// mediaLink reads a media field: a plain URL string or an object with a
// link (or url).
func mediaLink(raw json.RawMessage) (string, error) {
	if raw = bytes.TrimSpace(raw); len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("media: %w", err)
		}
		return s, nil
	}
	var m mediaObject
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("media: %w", err)
	}
	if m.Link != "" {
		return m.Link, nil
	}
	return m.URL, nil
}
