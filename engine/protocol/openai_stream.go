package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// chatChunk is one event of a streamed chat completion.
type chatChunk struct {
	Choices []struct {
		Delta struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"delta"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
	} `json:"usage"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// exchangeStream is Exchange with stream = true: the reply is read chunk
// by chunk until data: [DONE], each content chunk timed as its bytes
// arrive. Send is the time to the response's headers, Reply the time to
// [DONE]. A stream that ends or breaks before [DONE] is a
// StreamIncompleteError with the partial reply in the Turn.
func (s *openaiSession) exchangeStream(ctx context.Context, text string) (Turn, error) {
	t := Turn{SentAt: time.Now(), Attempts: 1, Stream: &Stream{}}
	msgs := append(s.history[:len(s.history):len(s.history)], chatMessage{Role: "user", Content: text})
	o, err := s.request(msgs)
	if err != nil {
		return t, &SendError{Err: err}
	}
	rctx, cancel := context.WithTimeout(ctx, s.o.Wait.Timeout)
	defer cancel()
	resp, r, attempts, err := s.o.Retry.openStream(rctx, s.o.Client, o)
	t.Send, t.Status, t.Attempts = time.Since(t.SentAt), r.status, attempts
	if err := syncFailure(ctx, s.o.Wait, r, o, err); err != nil {
		return t, err
	}
	defer resp.Body.Close()
	if err := notEventStream(resp, r, o); err != nil {
		return t, err
	}
	var c completion
	var texts strings.Builder
	read := newStreamRead(resp.Body, t.SentAt, t.Stream)
	for {
		ev, at, err := read.next()
		if err != nil {
			c.text = texts.String()
			t.Messages, t.Usage = c.messages(), c.usage
			redactMessages(t.Messages, o.headers)
			t.Stream.Incomplete, t.Stream.NoUsage = true, c.usage == nil
			return t, streamEnd(ctx, s.o.Wait, r.status, err, o)
		}
		if strings.TrimSpace(ev.Data) == "[DONE]" {
			t.Reply = at
			break
		}
		first := t.Stream.Content == 0
		if err := s.chunk(ev.Data, at, t.Stream, &c, &texts); err != nil {
			return t, &SendError{Status: r.status, Err: errors.New(redact(err.Error(), o.headers))}
		}
		if first && t.Stream.Content > 0 {
			t.ReplySentAt = sentStamp(ev.Data)
		}
	}
	c.text = texts.String()
	t.Messages, t.Usage, t.Stream.NoUsage = c.messages(), c.usage, c.usage == nil
	redactMessages(t.Messages, o.headers) // as Exchange does: the history keeps what the assistant said
	s.history = append(msgs, chatMessage{Role: "assistant", Content: c.text})
	return t, nil
}

// chunk reads one event's chat completion chunk into c and texts, timing
// it in st when it carries content.
func (s *openaiSession) chunk(data string, at time.Duration, st *Stream, c *completion, texts *strings.Builder) error {
	var ch chatChunk
	if err := json.Unmarshal([]byte(data), &ch); err != nil {
		return fmt.Errorf("cannot read the reply: chunk %d is not a chat completion chunk: %w", st.Chunks, err)
	}
	if ch.Error != nil {
		return fmt.Errorf("the assistant sent an error in its stream: %s", ch.Error.Message)
	}
	if u := ch.Usage; u != nil {
		c.usage = &transcript.Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens}
	}
	if len(ch.Choices) == 0 {
		return nil
	}
	part, err := readContent(ch.Choices[0].Delta.Content)
	if err != nil {
		return fmt.Errorf("cannot read the reply: chunk %d: %w", st.Chunks, err)
	}
	if part.text == "" && len(part.images) == 0 {
		return nil // a role-only chunk, or an empty delta: no content yet
	}
	st.content(at)
	texts.WriteString(part.text)
	c.images = append(c.images, part.images...)
	return nil
}
