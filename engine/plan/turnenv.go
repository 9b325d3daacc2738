package plan

import (
	"strings"
	"sync"

	"github.com/voyplan/voyplan/engine/transcript"
)

// TurnEnv builds the environment a per-turn predicate (complete_when) sees:
// reply (the assistant's text items joined by newlines — never media links),
// messages (this turn's items with role, type, text, link), turn (1-based),
// persona, and every data block by name (customer.cpf, ...).
func TurnEnv(messages []transcript.Message, turn int, persona string, data map[string]map[string]string) map[string]any {
	return fillTurnEnv(make(map[string]any, 4+len(data)), messages, turn, persona, data)
}

// BorrowTurnEnv is TurnEnv in a map taken from a pool: a conversation
// judges a reply in microseconds and then waits seconds for the next, so
// its environment is made for the judging and given back (ReturnTurnEnv),
// not kept with the conversation (a kept one was ~0.27 KiB of every
// waiting conversation's heap; issue 16). The data blocks are the user's
// own maps, not copies: a predicate cannot change a map.
func BorrowTurnEnv(messages []transcript.Message, turn int, persona string, data map[string]map[string]string) map[string]any {
	return fillTurnEnv(turnEnvs.Get().(map[string]any), messages, turn, persona, data)
}

// ReturnTurnEnv gives back an environment BorrowTurnEnv lent, once the
// predicates have run on it; nothing may keep it.
func ReturnTurnEnv(env map[string]any) {
	clear(env)
	turnEnvs.Put(env)
}

var turnEnvs = sync.Pool{New: func() any { return make(map[string]any, 8) }}

// fillTurnEnv puts turn's environment in env, empty.
func fillTurnEnv(env map[string]any, messages []transcript.Message, turn int, persona string, data map[string]map[string]string) map[string]any {
	for name, attrs := range data {
		env[name] = attrs
	}
	// After the data blocks: these names win over a block's.
	env["persona"] = persona
	env["reply"] = ReplyText(messages)
	env["messages"] = messages
	env["turn"] = turn
	return env
}

// BorrowTurnEnv is the package's BorrowTurnEnv for u: its persona and
// data, read from u each time (a User is a value, and a copy given other
// data — a replayed conversation's, the recorded customer's — is judged on
// its own).
func (u *User) BorrowTurnEnv(messages []transcript.Message, turn int) map[string]any {
	return BorrowTurnEnv(messages, turn, u.Persona.Name, u.Data)
}

// ReplyText joins the text items of a reply with newlines.
func ReplyText(messages []transcript.Message) string {
	if len(messages) == 1 { // most replies: the text itself, not a copy
		return messages[0].Text
	}
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
