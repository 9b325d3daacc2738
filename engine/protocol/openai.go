package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/plan/target"
	"github.com/voyplan/voyplan/engine/transcript"
)

// OpenAI is an assistant served as an OpenAI-compatible chat completions
// endpoint: every turn POSTs the conversation so far (the system message,
// if any, then the customer's and the assistant's messages in order) and
// the reply is choices[0].message.content. The assistant's token usage is
// reported in Turn.Usage. Like HTTP, each request runs under the reply
// timeout.
type OpenAI struct {
	Spec   *target.OpenAI
	Client *http.Client
	Wait   ReplyWait // its Timeout bounds each request, retries included
	Retry  Retrying  // a 5xx or a broken connection tried again
}

// Open implements Protocol.
func (o *OpenAI) Open(c Conversation) Session {
	s := &openaiSession{o: o, conv: c}
	if o.Spec.System != "" {
		s.history = append(s.history, chatMessage{Role: "system", Content: o.Spec.System})
	}
	return s
}

// chatMessage is one entry of "messages".
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model         string         `json:"model"`
	Messages      []chatMessage  `json:"messages"`
	User          string         `json:"user,omitempty"`
	Stream        bool           `json:"stream,omitempty"`
	StreamOptions *streamOptions `json:"stream_options,omitempty"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chatResponse struct {
	Choices []struct {
		Message struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"message"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
	} `json:"usage"`
}

type openaiSession struct {
	o       *OpenAI
	conv    Conversation
	history []chatMessage // what the assistant has seen and said, in order
}

// Exchange implements Session. The customer's message and the reply join
// the history only when a reply came.
func (s *openaiSession) Exchange(ctx context.Context, n int, text string) (Turn, error) {
	if s.o.Spec.Stream {
		return s.exchangeStream(ctx, text)
	}
	t := Turn{SentAt: time.Now(), Attempts: 1}
	msgs := append(s.history[:len(s.history):len(s.history)], chatMessage{Role: "user", Content: text})
	o, err := s.request(msgs)
	if err != nil {
		return t, &SendError{Err: err}
	}
	rctx, cancel := context.WithTimeout(ctx, s.o.Wait.Timeout)
	defer cancel()
	r, attempts, err := s.o.Retry.send(rctx, s.o.Client, o)
	t.Send, t.Status, t.Attempts = time.Since(t.SentAt), r.status, attempts
	if err := syncFailure(ctx, s.o.Wait, r, o, err); err != nil {
		return t, err
	}
	c, err := readCompletion(r.body)
	if err != nil {
		return t, &SendError{Status: r.status, Err: errors.New(redact(err.Error(), o.headers))}
	}
	t.Reply, t.Usage, t.Messages = t.Send, c.usage, c.messages()
	redactMessages(t.Messages, o.headers)
	s.history = append(msgs, chatMessage{Role: "assistant", Content: c.text})
	return t, nil
}

// request builds the POST for msgs.
func (s *openaiSession) request(msgs []chatMessage) (outgoing, error) {
	req := chatRequest{Model: s.o.Spec.Model, Messages: msgs, User: s.conv.ID}
	if s.o.Spec.Stream {
		req.Stream, req.StreamOptions = true, &streamOptions{IncludeUsage: true}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return outgoing{}, fmt.Errorf("cannot encode the chat request: %w", err)
	}
	headers := make(map[string]string, len(s.o.Spec.Headers)+1)
	for k, v := range s.o.Spec.Headers {
		headers[k] = v
	}
	if s.o.Spec.APIKey != "" {
		headers["Authorization"] = "Bearer " + s.o.Spec.APIKey
	}
	return outgoing{method: http.MethodPost, url: s.o.Spec.Endpoint, headers: headers, body: body}, nil
}

// readCompletion reads choices[0].message.content (a string, or a list of
// parts whose text is joined) and the usage, if reported.
func readCompletion(raw []byte) (completion, error) {
	var resp chatResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return completion{}, fmt.Errorf("cannot read the reply: not a chat completion: %w", err)
	}
	if len(resp.Choices) == 0 {
		return completion{}, errors.New("cannot read the reply: the chat completion has no choices")
	}
	c, err := readContent(resp.Choices[0].Message.Content)
	if err != nil {
		return completion{}, err
	}
	if u := resp.Usage; u != nil {
		c.usage = &transcript.Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens}
	}
	return c, nil
}

// completion is what a chat completion's reply holds.
type completion struct {
	text   string   // text parts joined by newlines
	images []string // image parts' URLs, data: URLs shortened
	usage  *transcript.Usage
}

// messages is the reply as transcript items: the text, then each image.
func (c completion) messages() []transcript.Message {
	out := []transcript.Message{}
	if c.text != "" {
		out = append(out, transcript.Message{Role: transcript.RoleAssistant, Type: transcript.TypeText, Text: c.text})
	}
	for _, link := range c.images {
		out = append(out, transcript.Message{Role: transcript.RoleAssistant, Type: transcript.TypeMedia, Link: link})
	}
	return out
}

// readContent reads a message's content: a string, null, or a list of
// content parts ({"type":"text","text":...}, {"type":"image_url",
// "image_url":{"url":...}}).
func readContent(raw json.RawMessage) (completion, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return completion{}, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return completion{text: s}, nil
	}
	var parts []struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		ImageURL *struct {
			URL string `json:"url"`
		} `json:"image_url"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return completion{}, errors.New("cannot read the reply: choices[0].message.content is neither a string nor a list of parts")
	}
	var c completion
	var texts []string
	for _, p := range parts {
		switch {
		case p.Text != "":
			texts = append(texts, p.Text)
		case p.ImageURL != nil && p.ImageURL.URL != "":
			c.images = append(c.images, shortDataURL(p.ImageURL.URL))
		}
	}
	c.text = strings.Join(texts, "\n")
	return c, nil
}

// shortDataURL keeps a data: URL's header only (data:image/png;base64,…):
// the image itself would bloat every transcript it is in.
func shortDataURL(u string) string {
	if head, _, ok := strings.Cut(u, ","); ok && strings.HasPrefix(u, "data:") {
		return head + ",…"
	}
	return u
}

// Late implements Session: a synchronous reply is never late.
func (s *openaiSession) Late() map[int][]transcript.Message { return nil }

// Close implements Session.
func (s *openaiSession) Close() {}
