package plan

import (
	"strings"

	"github.com/voyplan/voyplan/engine/transcript"
)

// TurnEnv builds the environment a per-turn predicate (complete_when) sees:
// reply (the assistant's text items joined by newlines — never media links),
// messages (this turn's items with role, type, text, link), turn (1-based),
// persona, and every data block by name (customer.cpf, ...).
func TurnEnv(messages []transcript.Message, turn int, persona string, data map[string]map[string]string) map[string]any {
	return NewTurnEnvs(persona, data).At(messages, turn)
}

// TurnEnvs builds the TurnEnv of each turn of one conversation: what
// stays the same for the whole conversation — persona and the data blocks
// — is put in once, and each turn only sets reply, messages and turn (issue
// 16: copying the data blocks was most of a turn's predicate cost). The
// data blocks are the user's own maps, not copies (a predicate cannot
// change a map; a copy was ~0.25 KiB of every conversation's heap). A
// TurnEnvs is for one goroutine.
type TurnEnvs struct {
	env map[string]any
}

// NewTurnEnvs starts the environments of a conversation of persona with
// data.
func NewTurnEnvs(persona string, data map[string]map[string]string) *TurnEnvs {
	env := make(map[string]any, 4+len(data))
	for name, attrs := range data {
		env[name] = attrs
	}
	// After the data blocks, as reply, messages and turn (At) are: these
	// names win over a block's.
	env["persona"] = persona
	return &TurnEnvs{env: env}
}

// At returns turn's environment, equal to TurnEnv(messages, turn, persona,
// data). It is the same map each time, valid until the next At: a
// predicate runs on it, and nothing keeps it.
func (e *TurnEnvs) At(messages []transcript.Message, turn int) map[string]any {
	e.env["reply"] = ReplyText(messages)
	e.env["messages"] = messages
	e.env["turn"] = turn
	return e.env
}

// ReplyText joins the text items of a reply with newlines.
func ReplyText(messages []transcript.Message) string {
	var b strings.Builder
	for _, m := range messages {
		if m.Text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(m.Text)
	}
	return b.String()
}
