package persona

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/voyplan/voyplan/engine/plan"
)

const rulesPlan = `
target "t" { url = "http://127.0.0.1:9/" }
data "customer" {
  name = name()
  cpf  = cpf()
}
conversation { opening = "Oi!" }
persona "r" {
  rule {
    when = "reply matches '(?i)qual o seu cpf'"
    say  = data.customer.cpf
  }
  rule {
    when = "reply contains 'Tchau'"
    stop = true
  }
  rule {
    when = "turn >= 3 && reply contains 'nome'"
    say  = "Meu nome é ${data.customer.name}"
  }
  rule {
    when = "reply contains 'nome'"
    say  = "Ana"
  }
  rule {
    when = "reply contains 'número' && int(reply) > 0"
    say  = "never"
  }
  fallback = "Desculpa, não entendi"
}
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`

func rulesUser(t *testing.T) *plan.User {
	t.Helper()
	p, diags := plan.LoadSource([]byte(rulesPlan), filepath.Join(t.TempDir(), "rules.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	u, err := p.NewUser(3)
	if err != nil {
		t.Fatal(err)
	}
	if u.Persona.Driver != plan.DriverRules || len(u.Says) != 5 || u.Fallback != "Desculpa, não entendi" {
		t.Fatalf("user = %+v", u)
	}
	return u
}

func TestRulesAnswerWithTheFirstMatchingRule(t *testing.T) {
	t.Parallel()
	u := rulesUser(t)
	d := NewRules(u, "Oi!")
	ctx := context.Background()
	steps := []struct {
		reply string
		want  string
	}{
		{"", "Oi!"},
		{"Olá! Como é o seu nome?", "Ana"}, // turn 1: the turn >= 3 rule does not hold yet
		{"Por último, qual o seu CPF?", u.Data["customer"]["cpf"]},
		{"Hmm?", "Desculpa, não entendi"}, // no rule: the fallback
		{"E o seu nome completo?", "Meu nome é " + u.Data["customer"]["name"]},
		{"Hmm?", "Desculpa, não entendi"}, // a miss after a match is a first miss again
	}
	for i, s := range steps {
		var reply = text(s.reply)
		if i == 0 {
			reply = nil
		}
		step, err := d.Next(ctx, reply)
		if err != nil || step.Text != s.want || step.Stop {
			t.Fatalf("step %d: Next(%q) = %+v, %v; want %q", i, s.reply, step, err, s.want)
		}
	}
	if _, err := d.Next(ctx, text("???")); !errors.Is(err, ErrStuck) {
		t.Errorf("second miss in a row: err = %v, want ErrStuck", err)
	}
}

func TestRulesStopAndErrors(t *testing.T) {
	t.Parallel()
	u := rulesUser(t)
	d := NewRules(u, "Oi!")
	ctx := context.Background()
	if _, err := d.Next(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if step, err := d.Next(ctx, text("Tchau, até logo")); err != nil || !step.Stop {
		t.Errorf("stop rule: %+v, %v; want Stop", step, err)
	}
	if _, err := d.Next(ctx, text("Qual o número?")); !errors.Is(err, ErrRule) {
		t.Errorf("a when that fails to evaluate: err = %v, want ErrRule", err)
	}
}

func TestRulesWithoutFallbackAreStuckAtTheFirstMiss(t *testing.T) {
	t.Parallel()
	u := rulesUser(t)
	p := *u.Persona
	p.Fallback = false
	u.Persona = &p
	d := NewRules(u, "Oi!")
	_, _ = d.Next(context.Background(), nil)
	if _, err := d.Next(context.Background(), text("Hmm?")); !errors.Is(err, ErrStuck) {
		t.Errorf("err = %v, want ErrStuck", err)
	}
}
