package llm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/genai"

	"github.com/voyplan/voyplan/engine/internal/wait"
	"github.com/voyplan/voyplan/engine/transcript"
)

// ErrEmpty is a generation that came back without text (blocked, or all
// its output budget spent thinking). It is billed and not retried.
var ErrEmpty = errors.New("the model answered with no text")

// Chat is one virtual user's conversation with the model: the persona
// prompt as system instruction, and the history, which grows by two
// contents (the message and the model's answer) with every successful
// Send. Not safe for concurrent use: one Chat serves one conversation.
type Chat struct {
	c    *Client
	chat *genai.Chat
	// chars counts the characters of the system instruction and history,
	// for the token estimate the tokens-per-minute limiter waits for.
	chars int64
}

// NewChat opens a chat whose system instruction is system.
func (c *Client) NewChat(system string) (*Chat, error) {
	cfg := c.config
	cfg.SystemInstruction = genai.NewContentFromText(system, genai.RoleUser)
	ch, err := c.genai.Chats.Create(context.Background(), c.model, &cfg, nil)
	if err != nil {
		return nil, fmt.Errorf("llm %q: cannot open a chat: %w", c.name, err)
	}
	return &Chat{c: c, chat: ch, chars: int64(len(system))}, nil
}

// ResumeChat opens a chat whose system instruction is system and whose
// history is already history: alternately the other side's message (the
// user role) and the model's own (the model role), the other side's first
// — a conversation the model takes over (engine/persona's History).
func (c *Client) ResumeChat(system string, history []string) (*Chat, error) {
	cfg := c.config
	cfg.SystemInstruction = genai.NewContentFromText(system, genai.RoleUser)
	contents := make([]*genai.Content, len(history))
	chars := int64(len(system))
	for i, text := range history {
		role := genai.Role(genai.RoleUser)
		if i%2 == 1 {
			role = genai.RoleModel
		}
		contents[i] = genai.NewContentFromText(text, role)
		chars += int64(len(text))
	}
	ch, err := c.genai.Chats.Create(context.Background(), c.model, &cfg, contents)
	if err != nil {
		return nil, fmt.Errorf("llm %q: cannot open a chat: %w", c.name, err)
	}
	return &Chat{c: c, chat: ch, chars: chars}, nil
}

// History is what the model sees before the next message.
func (ch *Chat) History() []*genai.Content { return ch.chat.History(true) }

// Send sends text as the next user message and returns the model's answer
// with what it took: tokens, cost, the model's latency (every attempt and
// backoff, limiter waits excluded), the limiter waits, the attempts. The
// call is filled in on failure too: a failed generation may have been
// billed, and its time still passed.
func (ch *Chat) Send(ctx context.Context, text string) (answer string, call transcript.LLMCall, err error) {
	var (
		limited time.Duration // waiting for the limiters
		started = time.Now()
	)
	defer func() {
		call.WaitMS = transcript.Ms(limited)
		call.MS = transcript.Ms(time.Since(started) - limited)
	}()
	estimate := (ch.chars+int64(len(text)))/4 + ch.c.expectedOutput()
	delays := ch.c.backoff.start()
	for n := 0; ; n++ {
		w, err := ch.c.limits.wait(ctx, estimate)
		limited += w
		if err != nil {
			return "", call, err
		}
		call.Attempts++
		resp, retryAfter, err := ch.attempt(ctx, text)
		if err == nil {
			answer, err := ch.settle(resp, text, estimate, &call)
			return answer, call, err
		}
		if !retryable(ctx, err) || n >= ch.c.retries {
			return "", call, ch.failure(err, call.Attempts)
		}
		d, ok := delays.Next(serverDelay(err, retryAfter, time.Now()))
		if !ok {
			return "", call, ch.failure(err, call.Attempts)
		}
		if !wait.For(ctx, d) {
			return "", call, ctx.Err()
		}
	}
}

// attempt makes one request, bounded by the block's timeout, and returns
// the Retry-After header of an error response.
func (ch *Chat) attempt(ctx context.Context, text string) (*genai.GenerateContentResponse, string, error) {
	var retryAfter string
	actx, cancel := context.WithTimeout(context.WithValue(ctx, headerKey{}, &retryAfter), ch.c.timeout)
	defer cancel()
	resp, err := ch.chat.SendMessage(actx, genai.Part{Text: text})
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		err = fmt.Errorf("no answer within %s: %w", ch.c.timeout, err)
	}
	return resp, retryAfter, err
}

// settle reads a successful response into call and charges the limiter
// what the estimate missed.
func (ch *Chat) settle(resp *genai.GenerateContentResponse, text string, estimate int64, call *transcript.LLMCall) (string, error) {
	u := usageOf(resp)
	call.InputTokens, call.OutputTokens, call.ThinkingTokens = u.Input, u.Output, u.Thinking
	call.CostUSD = ch.c.price.Cost(u)
	if extra := u.Input + u.Output + u.Thinking - estimate; extra > 0 {
		ch.c.limits.owe(extra)
	}
	answer := resp.Text()
	if answer == "" {
		return "", fmt.Errorf("llm %q: %w (finish reason %s)", ch.c.name, ErrEmpty, finishReason(resp))
	}
	ch.chars += int64(len(text) + len(answer))
	return answer, nil
}

func (c *Client) expectedOutput() int64 {
	if n := c.config.MaxOutputTokens; n > 0 {
		return int64(n)
	}
	return expectedOutput
}

func usageOf(resp *genai.GenerateContentResponse) Usage {
	m := resp.UsageMetadata
	if m == nil {
		return Usage{}
	}
	return Usage{Input: int64(m.PromptTokenCount), Output: int64(m.CandidatesTokenCount), Thinking: int64(m.ThoughtsTokenCount)}
}

func finishReason(resp *genai.GenerateContentResponse) string {
	if len(resp.Candidates) == 0 {
		if f := resp.PromptFeedback; f != nil && f.BlockReason != "" {
			return "blocked: " + string(f.BlockReason)
		}
		return "no candidates"
	}
	return string(resp.Candidates[0].FinishReason)
}

// failure describes a generation that failed for good, without the key.
func (ch *Chat) failure(err error, attempts int) error {
	var apiErr genai.APIError
	msg := err.Error()
	if errors.As(err, &apiErr) {
		msg = fmt.Sprintf("HTTP %d %s: %s", apiErr.Code, apiErr.Status, apiErr.Message)
	}
	return &Error{LLM: ch.c.name, Attempts: attempts, Msg: ch.c.redact(msg), err: err}
}

// Error is a generation that failed after its retries.
type Error struct {
	LLM      string
	Attempts int
	Msg      string
	err      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("llm %q failed after %d attempt(s): %s", e.LLM, e.Attempts, e.Msg)
}

func (e *Error) Unwrap() error { return e.err }
