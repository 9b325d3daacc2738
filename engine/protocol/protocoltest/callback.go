package protocoltest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/sim"
)

// MessagesPath is where the CallbackBot takes messages.
const MessagesPath = "/messages"

// CallbackOptions configure a CallbackBot.
type CallbackOptions struct {
	Options
	// CallbackField is the dotted path of the request body field holding
	// the callback URL; default "reply_to".
	CallbackField string
	// Split sends each part of a reply in a callback of its own.
	Split bool
}

// CallbackBot is an asynchronous assistant (protocol webhook). It takes
//
//	POST /messages {"conversation_id": "...", "text": "...", "reply_to": "<url>"}
//
// answers 202 {"status": "queued", "conversation_id": "..."} at once and,
// after its latency, POSTs the reply to the callback URL:
//
//	{"conversation_id": "...", "reply": {"parts": [{"kind": "text", "content": "..."},
//	                                               {"kind": "image", "url": "..."}]}}
//
// Replies of one conversation are computed in the order messages arrive.
type CallbackBot struct {
	*server
	field  []string
	split  bool
	client *http.Client
}

type part struct {
	Kind    string `json:"kind"`
	Content string `json:"content,omitempty"`
	URL     string `json:"url,omitempty"`
}

// NewCallbackBot starts a CallbackBot.
func NewCallbackBot(o CallbackOptions) (*CallbackBot, error) {
	if o.CallbackField == "" {
		o.CallbackField = "reply_to"
	}
	b := &CallbackBot{
		server: newServer(o.Options),
		field:  strings.Split(o.CallbackField, "."),
		split:  o.Split,
		client: &http.Client{Timeout: 10 * time.Second},
	}
	mux := http.NewServeMux()
	mux.HandleFunc(MessagesPath, b.serve)
	if err := b.start(mux); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *CallbackBot) serve(w http.ResponseWriter, r *http.Request) {
	if !b.admit(w, r) {
		return
	}
	var req map[string]any
	if err := decode(w, r, &req); err != nil {
		b.fail(w, http.StatusBadRequest, "want a JSON object")
		return
	}
	key, _ := req["conversation_id"].(string)
	text, _ := req["text"].(string)
	hook, ok := b.callbackURL(req)
	if key == "" || text == "" || !ok {
		b.fail(w, http.StatusBadRequest, `want {"conversation_id", "text"} and an absolute callback URL at `+strings.Join(b.field, "."))
		return
	}
	customer := stringMap(req["customer"])
	items := b.reply(key, text, customer)
	b.wg.Add(1)
	go b.deliver(hook, key, items)
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "queued", "conversation_id": key})
}

// callbackURL reads the callback URL at the configured field.
func (b *CallbackBot) callbackURL(req map[string]any) (string, bool) {
	var v any = req
	for _, f := range b.field {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		v = m[f]
	}
	s, _ := v.(string)
	u, err := url.Parse(s)
	return s, err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// deliver waits the latency and posts the reply; it runs in its own
// goroutine, counted in b.wg.
func (b *CallbackBot) deliver(hook, key string, items []sim.ChatItem) {
	defer b.wg.Done()
	if !b.think(b.ctx) {
		return
	}
	parts := make([]part, len(items))
	for i, it := range items {
		parts[i] = part{Kind: "text", Content: it.Text}
		if it.Type == "media" {
			parts[i] = part{Kind: "image", URL: it.Link}
		}
	}
	groups := [][]part{parts}
	if b.split && len(parts) > 1 {
		groups = groups[:0]
		for _, p := range parts {
			groups = append(groups, []part{p})
		}
	}
	for _, g := range groups {
		b.post(hook, map[string]any{"conversation_id": key, "reply": map[string]any{"parts": g}})
	}
}

func (b *CallbackBot) post(hook string, body any) {
	raw, _ := json.Marshal(body) // plain strings: never fails
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(raw))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	b.replies.Add(1)
}

// stringMap keeps the string values of a JSON object.
func stringMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		if s, ok := x.(string); ok {
			out[k] = s
		}
	}
	return out
}
