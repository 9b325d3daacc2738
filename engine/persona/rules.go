package persona

import (
	"context"
	"errors"
	"fmt"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// ErrStuck ends a conversation whose rules persona had nothing to say: no
// rule matched two replies in a row (or one, without a fallback line).
// Outcome failed, reason persona_stuck.
var ErrStuck = errors.New("persona stuck: no rule matched")

// ErrRule is a rule's when that failed to evaluate (reason
// predicate_error).
var ErrRule = errors.New("rule condition failed")

// Rules is the rules persona: free, deterministic and adaptive. It opens
// with the conversation's opening; then, on each assistant reply, the
// first rule (in file order) whose when holds answers with its say line,
// or ends the conversation on purpose when it is a stop rule. A reply no
// rule matches gets the fallback line; a second in a row ends the
// conversation as stuck.
type Rules struct {
	user    *plan.User
	opening string
	sent    int  // messages sent so far: the reply in hand answers message sent
	missed  bool // the previous reply matched no rule
}

// NewRules returns the rules driver of user u, whose persona is a rules
// persona.
func NewRules(u *plan.User, opening string) *Rules { return &Rules{user: u, opening: opening} }

// Next implements Driver.
func (d *Rules) Next(_ context.Context, reply []transcript.Message) (Step, error) {
	if d.sent == 0 {
		d.sent++
		return Step{Text: d.opening}, nil
	}
	env := d.user.BorrowTurnEnv(reply, d.sent)
	defer plan.ReturnTurnEnv(env)
	for i, r := range d.user.Persona.Rules {
		ok, err := r.When.Eval(env)
		if err != nil {
			return Step{}, fmt.Errorf("%w: rule at %s (%s): %v", ErrRule, r.DeclRange, r.When.Source, err)
		}
		if !ok {
			continue
		}
		d.missed = false
		if r.Stop {
			return Step{Stop: true}, nil
		}
		d.sent++
		return Step{Text: d.user.Says[i]}, nil
	}
	if d.missed || !d.user.Persona.Fallback {
		return Step{}, ErrStuck
	}
	d.missed = true
	d.sent++
	return Step{Text: d.user.Fallback}, nil
}
