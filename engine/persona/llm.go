package persona

import (
	"context"
	"errors"
	"strings"

	"github.com/voyplan/voyplan/engine/transcript"
)

// StopMarker is what a model-played persona writes to end the conversation
// on purpose (the persona prompts tell it so); the conversation's outcome is
// then abandoned.
const StopMarker = "[FIM]"

// ImageNote stands for an image in what the model is told the assistant
// said: the model learns that an image was sent, never its URL as if it
// were text to react to.
const ImageNote = "[a atendente enviou uma imagem]"

// ErrNoAnswer is a model answer with nothing to send once cleaned up.
var ErrNoAnswer = errors.New("the model's answer was empty")

// Model is a persona's chat with its language model (engine/llm's Chat):
// Send gives it the assistant's reply as the next message and returns the
// customer's answer and what the generation took, on failure too.
type Model interface {
	Send(ctx context.Context, text string) (string, transcript.LLMCall, error)
}

// LLM is the Gemini-played persona: the conversation's fixed opening first,
// then, for every assistant reply, the model's answer.
type LLM struct {
	model   Model
	opening string
	started bool
}

// NewLLM returns a driver that opens with opening and then lets model
// answer.
func NewLLM(model Model, opening string) *LLM { return &LLM{model: model, opening: opening} }

// Next implements Driver. Step.LLM is set whenever the model was called,
// also when Next fails.
func (d *LLM) Next(ctx context.Context, reply []transcript.Message) (Step, error) {
	if !d.started {
		d.started = true
		return Step{Text: d.opening}, nil
	}
	answer, call, err := d.model.Send(ctx, ForModel(reply))
	step := Step{LLM: &call}
	if err != nil {
		return step, err
	}
	text, stop := clean(answer)
	switch {
	case stop:
		step.Stop = true
	case text == "":
		return step, ErrNoAnswer
	}
	step.Text = text
	return step, nil
}

// ForModel renders an assistant reply as the model's next message: the
// text items in order, one a line, and ImageNote for each image.
func ForModel(reply []transcript.Message) string {
	lines := make([]string, 0, len(reply))
	for _, m := range reply {
		switch {
		case m.Text != "":
			lines = append(lines, m.Text)
		case m.Type == "media" || m.Link != "":
			lines = append(lines, ImageNote)
		}
	}
	return strings.Join(lines, "\n")
}

// clean trims the model's answer and the quotes it sometimes wraps it in,
// and reports whether it holds the stop marker (then the text is what came
// with it, kept for the record but not sent).
func clean(answer string) (string, bool) {
	text := strings.TrimSpace(answer)
	stop := strings.Contains(text, StopMarker)
	if stop {
		text = strings.TrimSpace(strings.ReplaceAll(text, StopMarker, ""))
	}
	if len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"' {
		text = strings.TrimSpace(text[1 : len(text)-1])
	}
	return text, stop
}
