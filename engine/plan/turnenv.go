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
	env := make(map[string]any, 4+len(data))
	for name, attrs := range data {
		m := make(map[string]any, len(attrs))
		for k, v := range attrs {
			m[k] = v
		}
		env[name] = m
	}
	env["reply"] = ReplyText(messages)
	env["messages"] = messages
	env["turn"] = turn
	env["persona"] = persona
	return env
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
