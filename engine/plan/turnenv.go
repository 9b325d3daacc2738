package plan

import (
	"maps"
	"reflect"
	"slices"
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
	return setTurnEnv(env, messages, turn)
}

// setTurnEnv puts what changes with the turn in env, after the rest: these
// names win over a data block's.
func setTurnEnv(env map[string]any, messages []transcript.Message, turn int) map[string]any {
	env["reply"] = ReplyText(messages)
	env["messages"] = messages
	env["turn"] = turn
	return env
}

// BorrowTurnEnv is the package's BorrowTurnEnv for u, its persona and data
// put in from a list NewUser made: ranging over the data map each turn
// cost more than the rest of the environment, and the persona's name is
// boxed once, not each turn.
func (u *User) BorrowTurnEnv(messages []transcript.Message, turn int) map[string]any {
	if !u.env.fits(u) { // a User not made by NewUser, or copied and given other data or another persona
		return BorrowTurnEnv(messages, turn, u.Persona.Name, u.Data)
	}
	env := turnEnvs.Get().(map[string]any)
	for _, e := range u.env.names {
		env[e.name] = e.value
	}
	return setTurnEnv(env, messages, turn)
}

// userEnv is the turn environment's names that stay the same for a user,
// and what they were made from: a User is a value, and a copy given other
// data (a replayed conversation's, the recorded customer's) must not be
// judged on the data of the user it was copied from.
type userEnv struct {
	names   []envEntry
	data    map[string]map[string]string // compared by identity (fits)
	persona *Persona
}

// fits reports whether e was made from u's data and persona.
func (e *userEnv) fits(u *User) bool {
	return e != nil && e.persona == u.Persona && reflect.ValueOf(e.data).UnsafePointer() == reflect.ValueOf(u.Data).UnsafePointer()
}

// envEntry is a name of the turn environment that stays the same for the
// user: a data block, then the persona.
type envEntry struct {
	name  string
	value any
}

// newUserEnv lists persona's and data's names of the turn environment,
// the data blocks first, by name (the same user, the same list).
func newUserEnv(persona *Persona, data map[string]map[string]string) *userEnv {
	names := make([]envEntry, 0, len(data)+1)
	for _, name := range slices.Sorted(maps.Keys(data)) {
		names = append(names, envEntry{name, data[name]})
	}
	names = append(names, envEntry{"persona", persona.Name})
	return &userEnv{names: names, data: data, persona: persona}
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
