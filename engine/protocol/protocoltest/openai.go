package protocoltest

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/sim"
)

// CompletionsPath is where the OpenAIBot answers.
const CompletionsPath = "/v1/chat/completions"

// OpenAIOptions configure an OpenAIBot.
type OpenAIOptions struct {
	Options
	Model  string // the only model served; "" accepts any
	System string // when set, every request must start with this system message; else one is optional
}

// OpenAIBot is an OpenAI-compatible chat completions endpoint (protocol
// openai). It is stateless, as the API is: every request must carry the
// whole conversation — the system message if configured, then user and
// assistant messages alternating, ending with the user's — and the bot
// replays the user messages through a fresh dialogue, answering 400 when an
// earlier assistant message is not what it said then. The reply is
// choices[0].message.content (the text items joined by newlines); usage
// counts words, prompt and completion, and the bot keeps their totals.
type OpenAIBot struct {
	*server
	model, system string

	promptTokens, completionTokens atomic.Int64
}

type completionRequest struct {
	Model    string        `json:"model"`
	Messages []chatMessage `json:"messages"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// NewOpenAIBot starts an OpenAIBot.
func NewOpenAIBot(o OpenAIOptions) (*OpenAIBot, error) {
	b := &OpenAIBot{server: newServer(o.Options), model: o.Model, system: o.System}
	mux := http.NewServeMux()
	mux.HandleFunc(CompletionsPath, b.serve)
	if err := b.start(mux); err != nil {
		return nil, err
	}
	return b, nil
}

// Tokens returns the usage the bot reported in total.
func (b *OpenAIBot) Tokens() (prompt, completion int64) {
	return b.promptTokens.Load(), b.completionTokens.Load()
}

func (b *OpenAIBot) serve(w http.ResponseWriter, r *http.Request) {
	if !b.admit(w, r) {
		return
	}
	var req completionRequest
	if err := decode(w, r, &req); err != nil {
		b.fail(w, http.StatusBadRequest, "want a chat completion request")
		return
	}
	if b.model != "" && req.Model != b.model {
		b.fail(w, http.StatusNotFound, fmt.Sprintf("The model `%s` does not exist", req.Model))
		return
	}
	users, assistants, err := b.split(req.Messages)
	if err != nil {
		b.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	content, err := b.replay(users, assistants)
	if err != nil {
		b.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	if !b.think(r.Context()) {
		b.fail(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	b.respond(w, req, content)
}

// split checks the message order and returns the user and assistant
// contents.
func (b *OpenAIBot) split(msgs []chatMessage) (users, assistants []string, err error) {
	switch {
	case b.system != "":
		if len(msgs) == 0 || msgs[0].Role != "system" || msgs[0].Content != b.system {
			return nil, nil, fmt.Errorf("the first message must be the system message %q", b.system)
		}
		msgs = msgs[1:]
	case len(msgs) > 0 && msgs[0].Role == "system":
		msgs = msgs[1:]
	}
	for i, m := range msgs {
		want := "user"
		if i%2 == 1 {
			want = "assistant"
		}
		if m.Role != want {
			return nil, nil, fmt.Errorf("messages[%d] has role %q, want %q: user and assistant must alternate", i, m.Role, want)
		}
		if want == "user" {
			users = append(users, m.Content)
		} else {
			assistants = append(assistants, m.Content)
		}
	}
	if len(users) == 0 || len(users) != len(assistants)+1 {
		return nil, nil, fmt.Errorf("the conversation must end with a user message")
	}
	return users, assistants, nil
}

// replay runs the user messages through a fresh dialogue, checking the
// history, and returns the reply to the last one.
func (b *OpenAIBot) replay(users, assistants []string) (string, error) {
	d := b.sim.NewDialogue()
	for i, u := range users[:len(users)-1] {
		if said := textOf(d.Reply(u)); said != assistants[i] {
			return "", fmt.Errorf("the history does not match: assistant message %d is not what was said", i+1)
		}
	}
	return textOf(d.Reply(users[len(users)-1])), nil
}

func (b *OpenAIBot) respond(w http.ResponseWriter, req completionRequest, content string) {
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(strings.Fields(m.Content))
	}
	completion := len(strings.Fields(content))
	b.promptTokens.Add(int64(prompt))
	b.completionTokens.Add(int64(completion))
	b.replies.Add(1)
	writeJSON(w, http.StatusOK, map[string]any{
		"id":      fmt.Sprintf("chatcmpl-%d", b.replies.Load()),
		"object":  "chat.completion",
		"created": time.Now().Unix(),
		"model":   req.Model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       chatMessage{Role: "assistant", Content: content},
			"finish_reason": "stop",
		}},
		"usage": map[string]int{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
	})
}

// textOf joins a reply's text items; images are not text.
func textOf(items []sim.ChatItem) string {
	var texts []string
	for _, it := range items {
		if it.Type == "text" {
			texts = append(texts, it.Text)
		}
	}
	return strings.Join(texts, "\n")
}
