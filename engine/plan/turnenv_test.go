package plan

import (
	"reflect"
	"testing"

	"github.com/voyplan/voyplan/engine/transcript"
)

// turnEnvFresh is TurnEnv as it was first written, a map built afresh
// for each turn: what TurnEnvs.At must equal on every turn.
func turnEnvFresh(messages []transcript.Message, turn int, persona string, data map[string]map[string]string) map[string]any {
	env := make(map[string]any, 4+len(data))
	for name, attrs := range data {
		env[name] = attrs
	}
	return setTurn(env, messages, turn, persona)
}

// turnEnvCopied is the environment as it was built before the data blocks
// were shared: each block copied into a map[string]any.
func turnEnvCopied(messages []transcript.Message, turn int, persona string, data map[string]map[string]string) map[string]any {
	env := make(map[string]any, 4+len(data))
	for name, attrs := range data {
		m := make(map[string]any, len(attrs))
		for k, v := range attrs {
			m[k] = v
		}
		env[name] = m
	}
	return setTurn(env, messages, turn, persona)
}

func setTurn(env map[string]any, messages []transcript.Message, turn int, persona string) map[string]any {
	env["reply"] = ReplyText(messages)
	env["messages"] = messages
	env["turn"] = turn
	env["persona"] = persona
	return env
}

func msg(typ, text, link string) transcript.Message {
	return transcript.Message{Role: transcript.RoleAssistant, Type: typ, Text: text, Link: link}
}

// TestTurnEnvsAtEachTurn: the environment borrowed for each turn equals
// one built afresh — nothing of an earlier turn, or of another
// conversation, stays in a map the pool lends again — and the fixed names
// win over data blocks of the same name.
func TestTurnEnvsAtEachTurn(t *testing.T) {
	t.Parallel()
	data := map[string]map[string]string{
		"customer": {"name": "Kataryna Smart", "cpf": "52998224725"},
		"order":    {},
		"reply":    {"x": "a block named as a fixed name"},
		"turn":     {"y": "another"},
	}
	turns := [][]transcript.Message{
		{msg(transcript.TypeText, "Olá! Como posso te chamar?", "")},
		{msg(transcript.TypeText, "Perfeito", ""), msg(transcript.TypeMedia, "", "https://x/a.jpg")},
		nil,
		{},
		{msg(transcript.TypeMedia, "", "https://x/b.jpg")},
		{msg(transcript.TypeText, "Aqui está: https://pay.smarttalks.ai/68fb6822bbf6353f55867a1e", "")},
	}
	other := map[string]map[string]string{"order": {"id": "42"}, "address": {"city": "Recife"}}
	for _, persona := range []string{"kataryna", ""} {
		for n, msgs := range turns {
			// Another conversation's environment, given back just before.
			plan := BorrowTurnEnv(turns[0], 9, "other", other)
			ReturnTurnEnv(plan)
			got, want := BorrowTurnEnv(msgs, n+1, persona, data), turnEnvFresh(msgs, n+1, persona, data)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("persona %q turn %d:\n got %#v\nwant %#v", persona, n+1, got, want)
			}
			ReturnTurnEnv(got)
		}
	}
	if got, want := TurnEnv(turns[1], 2, "p", data), turnEnvFresh(turns[1], 2, "p", data); !reflect.DeepEqual(got, want) {
		t.Errorf("TurnEnv:\n got %#v\nwant %#v", got, want)
	}
}

// TestTurnEnvsPredicates runs local.hcl's predicates — complete_when and
// every rule of its rules personas — on a conversation's replies, on the
// kept environment and on fresh ones, built as the run builds them and
// with the data blocks copied into map[string]any as they once were: the
// same results, turn by turn.
func TestTurnEnvsPredicates(t *testing.T) {
	t.Parallel()
	p, diags := Load("../../plans/local.hcl", Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	preds := []*Predicate{p.Conversation.CompleteWhen}
	for _, ps := range p.Personas {
		for _, r := range ps.Rules {
			preds = append(preds, r.When)
		}
	}
	replies := [][]transcript.Message{
		{msg(transcript.TypeText, "Olá! 😊 Eu sou a Ana, atendente virtual do Thermas Aqua Park. Como posso te chamar?", "")},
		{msg(transcript.TypeText, "Prazer, Kataryna!", ""), msg(transcript.TypeText, "Você aceita receber mensagens sobre ingressos e novidades do parque? (sim/não)", "")},
		{msg(transcript.TypeMedia, "", "https://www.thermasaquapark.com.br/img/parque-1.jpg")},
		{msg(transcript.TypeText, "Por último, qual o seu CPF?", "")},
		{msg(transcript.TypeText, "Aqui está o seu link de pagamento via Pix (válido por 24 horas): https://pay.smarttalks.ai/68fb6822bbf6353f55867a1e", "")},
	}
	matched := 0
	for user := range 3 {
		u, err := p.NewUser(user)
		if err != nil {
			t.Fatal(err)
		}
		for n, msgs := range replies {
			kept := u.BorrowTurnEnv(msgs, n+1)
			if fresh := turnEnvFresh(msgs, n+1, u.Persona.Name, u.Data); !reflect.DeepEqual(kept, fresh) {
				t.Errorf("user %d turn %d: the user's environment\n got %#v\nwant %#v", user, n+1, kept, fresh)
			}
			for _, pred := range preds {
				got, gotErr := pred.Eval(kept)
				for _, fresh := range []func([]transcript.Message, int, string, map[string]map[string]string) map[string]any{turnEnvFresh, turnEnvCopied} {
					want, wantErr := pred.Eval(fresh(msgs, n+1, u.Persona.Name, u.Data))
					if got != want || (gotErr == nil) != (wantErr == nil) {
						t.Errorf("user %d turn %d %q: %v, %v on the kept environment; %v, %v on a fresh one", user, n+1, pred.Source, got, gotErr, want, wantErr)
					}
				}
				if got {
					matched++
				}
			}
			ReturnTurnEnv(kept)
		}
	}
	if matched == 0 {
		t.Error("no predicate held on any reply: the comparison proves nothing")
	}
}

// BenchmarkTurnEnv is what each turn of a conversation of plans/local.hcl
// costs its predicates, as the conversation pays it: the environment of
// the turn, then complete_when run on it.
func BenchmarkTurnEnv(b *testing.B) {
	p, u := localUser(b)
	msgs := []transcript.Message{
		{Role: transcript.RoleAssistant, Type: transcript.TypeText, Text: "Perfeito, você vai receber nossas novidades! 💙"},
		{Role: transcript.RoleAssistant, Type: transcript.TypeText, Text: "Como posso te ajudar?\n1️⃣ Comprar ingressos\n2️⃣ Dúvidas"},
		{Role: transcript.RoleAssistant, Type: transcript.TypeMedia, Link: "https://www.thermasaquapark.com.br/img/parque-1.jpg"},
	}
	pred := p.Conversation.CompleteWhen
	b.ReportAllocs()
	for turn := 1; b.Loop(); turn++ {
		env := u.BorrowTurnEnv(msgs, turn)
		ok, err := pred.Eval(env)
		ReturnTurnEnv(env)
		if err != nil || ok {
			b.Fatal(ok, err)
		}
	}
}

// TestCopiedUserIsJudgedOnItsOwnData: a User copied and given other data —
// as a replayed conversation takes the recorded customer's — or another
// persona is judged on what it holds, not on the user it was copied from.
func TestCopiedUserIsJudgedOnItsOwnData(t *testing.T) {
	t.Parallel()
	_, u := localUser(t)
	msgs := []transcript.Message{msg(transcript.TypeText, "Olá!", "")}
	replayed := *u
	replayed.Data = map[string]map[string]string{"customer": {"name": "Gravada Silva", "cpf": "11144477735"}}
	other := *u
	other.Persona = &Persona{Name: "someone-else"}
	for _, c := range []*User{u, &replayed, &other} {
		got, want := c.BorrowTurnEnv(msgs, 2), turnEnvFresh(msgs, 2, c.Persona.Name, c.Data)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("user of persona %q, data %v:\n got %#v\nwant %#v", c.Persona.Name, c.Data, got, want)
		}
		ReturnTurnEnv(got)
	}
}

// localUser loads plans/local.hcl and makes its user 1.
func localUser(tb testing.TB) (*Plan, *User) {
	tb.Helper()
	p, diags := Load("../../plans/local.hcl", Options{})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	u, err := p.NewUser(1)
	if err != nil {
		tb.Fatal(err)
	}
	return p, u
}

// ReplyText joins the texts with newlines, skipping items without one.
func TestReplyText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		msgs []transcript.Message
		want string
	}{
		{nil, ""},
		{[]transcript.Message{msg(transcript.TypeText, "só um", "")}, "só um"},
		{[]transcript.Message{msg(transcript.TypeMedia, "", "https://x/a.jpg")}, ""},
		{[]transcript.Message{msg(transcript.TypeText, "um", ""), msg(transcript.TypeMedia, "", "https://x/a.jpg"), msg(transcript.TypeText, "dois", "")}, "um\ndois"},
		{[]transcript.Message{msg(transcript.TypeMedia, "", "https://x/a.jpg"), msg(transcript.TypeText, "dois", "")}, "dois"},
	} {
		if got := ReplyText(tt.msgs); got != tt.want {
			t.Errorf("ReplyText(%v) = %q, want %q", tt.msgs, got, tt.want)
		}
	}
}
