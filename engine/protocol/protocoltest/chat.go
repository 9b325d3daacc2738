package protocoltest

import (
	"net/http"
)

// ChatPath is where the ChatBot answers.
const ChatPath = "/chat"

// SessionCookie is the cookie the ChatBot keys conversations on when a
// request names none.
const SessionCookie = "bot_session"

// ChatOptions configure a ChatBot.
type ChatOptions struct {
	Options
	// AssignIDs makes the bot ignore conversation ids it did not hand out:
	// a request naming an unknown one starts a conversation under a new id
	// of the bot's own, which the client must send back from then on.
	AssignIDs bool
}

// ChatBot is a synchronous JSON assistant (protocol http). It answers
//
//	POST /chat {"conversation_id": "...", "message": "...", "customer": {...}}
//
// with 200 {"conversation_id": "...", "messages": [{"type": "text", "text":
// "..."}, {"type": "image", "url": "..."}]} after its latency. The
// conversation is the body's conversation_id, else the X-Conversation-Id
// header, else the bot_session cookie; a request with none starts a new
// conversation under an id the bot assigns. Every response sets the cookie.
// "customer" is optional and kept (Customer).
type ChatBot struct {
	*server
	assign bool
}

type chatRequest struct {
	ConversationID string            `json:"conversation_id"`
	Message        string            `json:"message"`
	Customer       map[string]string `json:"customer"`
}

type chatItem struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	URL  string `json:"url,omitempty"`
}

// NewChatBot starts a ChatBot.
func NewChatBot(o ChatOptions) (*ChatBot, error) {
	b := &ChatBot{server: newServer(o.Options), assign: o.AssignIDs}
	mux := http.NewServeMux()
	mux.HandleFunc(ChatPath, b.serve)
	if err := b.start(mux); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *ChatBot) serve(w http.ResponseWriter, r *http.Request) {
	if !b.admit(w, r) {
		return
	}
	var req chatRequest
	if err := decode(w, r, &req); err != nil || req.Message == "" {
		b.fail(w, http.StatusBadRequest, `want JSON {"conversation_id", "message", "customer"} with a message`)
		return
	}
	key := b.key(r, req.ConversationID)
	if !b.think(r.Context()) {
		b.fail(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	items := b.reply(key, req.Message, req.Customer)
	out := make([]chatItem, len(items))
	for i, it := range items {
		out[i] = chatItem{Type: "text", Text: it.Text}
		if it.Type == "media" {
			out[i] = chatItem{Type: "image", URL: it.Link}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: key, Path: "/", HttpOnly: true})
	b.replies.Add(1)
	writeJSON(w, http.StatusOK, map[string]any{"conversation_id": key, "messages": out})
}

// key finds the request's conversation, or assigns one.
func (b *ChatBot) key(r *http.Request, fromBody string) string {
	key := fromBody
	if key == "" {
		key = r.Header.Get("X-Conversation-Id")
	}
	if c, err := r.Cookie(SessionCookie); key == "" && err == nil {
		key = c.Value
	}
	if key == "" || (b.assign && !b.known(key)) {
		key = b.newKey()
	}
	return key
}
