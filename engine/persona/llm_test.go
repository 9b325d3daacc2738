package persona

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/llm"
	"github.com/voyplan/voyplan/engine/llm/llmtest"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

const llmPlan = `
target "t" { url = "http://127.0.0.1:9/" }
llm "gemini" {
  model        = "gemini-2.5-flash"
  api_key      = "k"
  price_input  = 0.30
  price_output = 2.50
}
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}
persona "kataryna" {
  llm    = "gemini"
  prompt = templatefile("%s", { customer = data.customer })
}
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`

// llmUser loads a plan with the repository's Kataryna prompt and returns
// virtual user n, with the stand-in as the llm block's base_url.
func llmUser(t *testing.T, n int) (*plan.User, *plan.LLM) {
	t.Helper()
	prompt, err := filepath.Abs("../../personas/kataryna.txt")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(llmPlan, "%s", prompt, 1)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "llm.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	u, err := p.NewUser(n)
	if err != nil {
		t.Fatal(err)
	}
	return u, p.LLMs["gemini"]
}

func TestLLMDriverTalksThroughTheModel(t *testing.T) {
	t.Parallel()
	answers := []string{`"Kataryna"`, "Sim, pode enviar 😊", "Obrigada pela foto! [FIM]"}
	srv := llmtest.New(func(r llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Text: answers[len(r.Contents)/2], Prompt: 500 + 100*len(r.Contents), Candidates: 8, Thoughts: 30}
	})
	defer srv.Close()
	u, m := llmUser(t, 11)
	m.BaseURL = srv.URL
	c, err := llm.New(context.Background(), m, llm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	chat, err := c.NewChat(u.Prompt)
	if err != nil {
		t.Fatal(err)
	}
	d := NewLLM(chat, "Olá")
	ctx := context.Background()

	first, err := d.Next(ctx, nil)
	if err != nil || first.Text != "Olá" || first.LLM != nil || len(srv.Requests()) != 0 {
		t.Fatalf("opening = %+v, %v; want the fixed Olá with no generation", first, err)
	}
	step, err := d.Next(ctx, text("Olá! Eu sou a Ana. Como posso te chamar?"))
	if err != nil || step.Text != "Kataryna" || step.LLM == nil || step.LLM.ThinkingTokens != 30 {
		t.Fatalf("second = %+v, %v; want the model's answer, unquoted, with its usage", step, err)
	}
	withImage := []transcript.Message{
		{Role: "assistant", Type: "text", Text: "Prazer, Kataryna!"},
		{Role: "assistant", Type: "media", Link: "https://www.thermasaquapark.com.br/img/parque-3.jpg"},
		{Role: "assistant", Type: "text", Text: "Você aceita receber mensagens?"},
	}
	if step, err = d.Next(ctx, withImage); err != nil || step.Text != "Sim, pode enviar 😊" {
		t.Fatalf("third = %+v, %v", step, err)
	}
	stop, err := d.Next(ctx, text("Aqui está o seu link de pagamento"))
	if err != nil || !stop.Stop || stop.LLM == nil || stop.LLM.CostUSD <= 0 {
		t.Fatalf("stop = %+v, %v; want Stop with the billed generation", stop, err)
	}

	reqs := srv.Requests()
	cpf := u.Data["customer"]["cpf"]
	for i, r := range reqs {
		if !strings.Contains(r.System, "CPF: "+cpf) || !strings.Contains(r.System, u.Data["customer"]["phone"]) {
			t.Errorf("request %d: the system instruction does not carry this user's CPF %s and phone", i+1, cpf)
		}
		if len(r.Contents) != 2*i+1 {
			t.Errorf("request %d: %d contents, want %d", i+1, len(r.Contents), 2*i+1)
		}
	}
	sent := reqs[1].Last()
	if want := "Prazer, Kataryna!\n" + ImageNote + "\nVocê aceita receber mensagens?"; sent != want {
		t.Errorf("the model was told %q, want %q", sent, want)
	}
	if strings.Contains(sent, "https://") {
		t.Error("the image's URL reached the model as text")
	}
}

func TestLLMDriverFailureKeepsTheCall(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(func(llmtest.Request) llmtest.Reply { return llmtest.Reply{Status: 400, Message: "bad request"} })
	defer srv.Close()
	u, m := llmUser(t, 1)
	m.BaseURL = srv.URL
	c, err := llm.New(context.Background(), m, llm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	chat, _ := c.NewChat(u.Prompt)
	d := NewLLM(chat, "Olá")
	_, _ = d.Next(context.Background(), nil)
	step, err := d.Next(context.Background(), text("Oi"))
	var e *llm.Error
	if !errors.As(err, &e) || step.LLM == nil || step.LLM.Attempts != 1 {
		t.Errorf("Next = %+v, %v; want an llm.Error with the call recorded", step, err)
	}
}
