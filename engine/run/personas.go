package run

import (
	"context"
	"fmt"
	"time"

	"github.com/voyplan/voyplan/engine/persona"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// newDriver picks the persona's driver — script, rules or llm — and wraps
// it so every message is checked for staying in character.
func (r *Runner) newDriver(u *plan.User) persona.Driver {
	var d persona.Driver
	opening := r.plan.Conversation.Opening
	switch u.Persona.Driver {
	case plan.DriverRules:
		d = persona.NewRules(u, opening)
	case plan.DriverLLM:
		d = r.llmDriver(u, opening)
	default:
		d = persona.NewScript(u.Script)
	}
	return persona.Watch(d, u.Data)
}

// llmDriver opens the user's chat on the run's shared client.
func (r *Runner) llmDriver(u *plan.User, opening string) persona.Driver {
	c := r.rig.LLM(u.Persona.LLM)
	if c == nil {
		return failing{fmt.Errorf("persona %q: llm %q has no client in this run", u.Persona.Name, u.Persona.LLM)}
	}
	chat, err := c.NewChat(u.Prompt)
	if err != nil {
		return failing{err}
	}
	return persona.NewLLM(chat, opening)
}

// failing is a driver that could not be built: its conversation fails
// (llm_error) at the first message.
type failing struct{ err error }

func (f failing) Next(context.Context, []transcript.Message) (persona.Step, error) {
	return persona.Step{}, f.err
}

// recordLLM hands a generation to the metrics, unless the run cut it. A
// generation that produced no turn (it failed, or wrote the stop marker)
// is added to the conversation's totals here; the others are counted with
// their turn when the conversation ends.
func (c *conversation) recordLLM(ctx context.Context, step persona.Step, err error) {
	call := step.LLM
	if call == nil {
		return
	}
	if err == nil || ctx.Err() == nil {
		d := time.Duration(call.MS * float64(time.Millisecond))
		if timedOut(err) { // its last attempt ran out of time: censored at the time the generation took
			c.r.rec.LLMTimedOut(d, *call)
		} else {
			c.r.rec.LLM(d, err == nil, *call)
		}
		select {
		case c.r.billed <- struct{}{}:
		default: // a check is already due
		}
	}
	if err != nil || step.Stop {
		c.rec.AddLLM(call)
	}
}

// stopDetail says why a persona ended its conversation.
func (c *conversation) stopDetail(step persona.Step) string {
	if c.replay != nil && c.rec.Replay.HandedTo == "" {
		if n := c.replay.DivergedAt(); n > 0 {
			return fmt.Sprintf("the reply to turn %d diverged from the recording (on_divergence = %q)", n, plan.EndOnDivergence)
		}
		return "the recorded customer gave up here"
	}
	if step.LLM != nil {
		return "the persona wrote " + persona.StopMarker
	}
	return "a stop rule matched"
}
