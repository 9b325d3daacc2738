package run

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/llm/llmtest"
	"github.com/voyplan/voyplan/engine/persona"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/schedule"
	"github.com/voyplan/voyplan/engine/sim"
	"github.com/voyplan/voyplan/engine/transcript"
)

// TestRulesPersonasCompleteTheThreeStories runs the demo plan's rules
// personas (plans/local.hcl, as shipped) against the simulator, one
// conversation per user, and checks each persona told its own story.
func TestRulesPersonasCompleteTheThreeStories(t *testing.T) {
	t.Parallel()
	p, diags := plan.Load("../../plans/local.hcl", plan.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	p.Simulator.Latency, p.Simulator.Jitter = 5*time.Millisecond, 0
	p.Conversation.ThinkTime, p.Conversation.Pacing, p.Conversation.ConversationsPerUser = plan.Wait{}, plan.Wait{}, 1
	p.Stages = []schedule.Stage{{Name: "all", Users: 12, SpawnRate: 100, Duration: 20 * time.Second}}
	res, convs := runPlan(t, p)
	stories := map[string][]string{ // lines only that persona's story has
		"kataryna": {"Para o dia 11/10/2026", "2 adultos e 2 crianças", "Sim, quero a cabana! 🏖️"},
		"talliz":   {"Onde fica o parque e o que tem pra fazer?", "20/11", "Que pena! Então pode ser 21/11?", "4 adultos", "Não, obrigado"},
		"edman":    {"Tem disponibilidade no segundo fim de semana de novembro?", "Pode ser no sábado", "1 adulto, 1 gestante e 2 idosos", "Não"},
	}
	seen := map[string]int{}
	for _, c := range convs {
		seen[c.Persona]++
		if c.Outcome != transcript.Completed {
			t.Errorf("%s (%s): %s %s %s", c.Persona, c.ID, c.Outcome, c.Reason, c.Error)
			continue
		}
		var sent []string
		for _, turn := range c.Turns {
			sent = append(sent, turn.Sent)
			if len(turn.Drift) > 0 || len(turn.DataMismatch) > 0 {
				t.Errorf("%s turn %d %q flagged: drift %v, mismatch %v", c.Persona, turn.N, turn.Sent, turn.Drift, turn.DataMismatch)
			}
		}
		for _, line := range append(stories[c.Persona], c.Data["customer"]["cpf"], c.Data["customer"]["phone"]) {
			if !slices.Contains(sent, line) {
				t.Errorf("%s never said %q: %q", c.Persona, line, sent)
			}
		}
		if last := c.Turns[len(c.Turns)-1]; !payLink.MatchString(plan.ReplyText(last.Messages)) {
			t.Errorf("%s completed without the payment link", c.Persona)
		}
	}
	for name := range stories {
		if seen[name] == 0 {
			t.Errorf("no user played %s (seen %v)", name, seen)
		}
	}
	if s := res.Snapshot.Conversations; s.Succeeded != 12 {
		t.Errorf("conversations %+v, want 12 completed", s)
	}
}

// The Gemini stand-in for an end-to-end run: it plays the customer by
// walking the simulator's flow (sim.Walkthrough), one line per generation,
// with the data it reads from the system instruction — so a wrong prompt
// breaks the walk.

var promptField = regexp.MustCompile(`(?m)^- (Nome completo|Celular|E-mail|CPF): (.+)$`)

func walkReply(r llmtest.Request) llmtest.Reply {
	f := map[string]string{}
	for _, m := range promptField.FindAllStringSubmatch(r.System, -1) {
		f[m[1]] = m[2]
	}
	walk := sim.Walkthrough(f["Nome completo"], f["Celular"], f["E-mail"], f["CPF"])
	k := len(r.Contents)/2 + 1 // this generation's line: the opening "Olá" was walk[0]
	if k >= len(walk) {
		return llmtest.Reply{Text: persona.StopMarker, Prompt: 100, Candidates: 2}
	}
	return llmtest.Reply{Text: walk[k], Prompt: 100 * len(r.Contents), Candidates: 10, Thoughts: 5}
}

// llmPlan is a plan whose persona is played by the llm block pointed at
// baseURL, against the in-process simulator.
func llmPlan(t *testing.T, baseURL string, users int, over string) *plan.Plan {
	t.Helper()
	prompt, err := filepath.Abs("../../personas/kataryna.txt")
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`
plan "llm" { seed = 11 }
simulator {
  latency     = "5ms"
  image_every = 3
}
target "sim" {}
llm "gemini" {
  model        = "gemini-2.5-flash"
  api_key      = "stand-in-key"
  base_url     = %q
  price_input  = 0.30
  price_output = 2.50
  max_retries  = 1
  timeout      = "2s"
}
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}
persona "kataryna" {
  llm    = "gemini"
  prompt = templatefile(%q, { customer = data.customer })
}
conversation {
  max_turns              = 20
  reply_timeout          = "2s"
  reply_settle           = "20ms"
  conversations_per_user = 1
}
stage "all" {
  users      = %d
  spawn_rate = 100
  duration   = "20s"
}
%s`, baseURL, prompt, users, over)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "llm.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	return p
}

func TestLLMPersonaEndToEnd(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(walkReply)
	defer srv.Close()
	res, convs := runPlan(t, llmPlan(t, srv.URL, 4, ""))
	reqs := srv.Requests()
	byCPF := map[string][]llmtest.Request{}
	wantUSD, thinking := 0.0, int64(0)
	for _, r := range reqs {
		m := promptField.FindAllStringSubmatch(r.System, -1)
		cpf := m[len(m)-1][2]
		byCPF[cpf] = append(byCPF[cpf], r)
		wantUSD += (float64(100*len(r.Contents))*0.30 + 15*2.50) / 1e6
		thinking += 5
		for _, c := range r.Contents {
			if strings.Contains(c.Text, ".jpg") {
				t.Errorf("an image URL reached the model: %q", c.Text)
			}
		}
	}
	sawImageNote := false
	for _, c := range convs {
		if c.Outcome != transcript.Completed || len(c.Turns) != 12 {
			t.Errorf("conversation %s: %s %s %s after %d turns, want completed after 12", c.ID, c.Outcome, c.Reason, c.Error, len(c.Turns))
		}
		mine := byCPF[c.Data["customer"]["cpf"]]
		if len(mine) != 11 {
			t.Errorf("conversation %s: %d generations carry its CPF in the system instruction, want 11", c.ID, len(mine))
		}
		for i, r := range mine {
			if len(r.Contents) != 2*i+1 {
				t.Errorf("conversation %s generation %d: %d contents, want %d", c.ID, i+1, len(r.Contents), 2*i+1)
			}
			sawImageNote = sawImageNote || strings.Contains(r.Last(), persona.ImageNote)
		}
		var usd float64
		for _, turn := range c.Turns[1:] {
			if turn.LLM == nil || turn.LLM.InputTokens == 0 || turn.LLM.ThinkingTokens != 5 || turn.LLM.Attempts != 1 {
				t.Errorf("turn %d: llm %+v", turn.N, turn.LLM)
				continue
			}
			usd += turn.LLM.CostUSD
		}
		if c.Turns[0].LLM != nil || c.Turns[0].Sent != "Olá" {
			t.Errorf("the opening was generated: %+v", c.Turns[0])
		}
		if math.Abs(c.CostUSD-usd) > 1e-12 || c.Tokens.Thinking != 55 {
			t.Errorf("conversation cost %v (thinking %d), want the sum of its turns %v (55)", c.CostUSD, c.Tokens.Thinking, usd)
		}
	}
	if !sawImageNote {
		t.Error("no image reached the model as the image note (image_every = 3)")
	}
	s := res.Snapshot
	if s.LLM.Count != int64(len(reqs)) || s.LLM.Failed != 0 || len(reqs) != 44 {
		t.Errorf("llm count %d failed %d, %d requests; want 44, 0, 44", s.LLM.Count, s.LLM.Failed, len(reqs))
	}
	if math.Abs(s.Cost.USD-wantUSD) > 1e-9 || s.Cost.ThinkingTokens != thinking {
		t.Errorf("cost %+v; want usd %v, thinking %d", s.Cost, wantUSD, thinking)
	}
	if k := s.Personas["kataryna"]; math.Abs(k.Cost.USD-wantUSD) > 1e-9 || k.PassK[4] != 1 {
		t.Errorf("kataryna: cost %v, pass_k %v", k.Cost.USD, k.PassK)
	}
}

func TestLLMFailureEndsAsLLMError(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(func(llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Status: 500, Message: "Internal error encountered."}
	})
	defer srv.Close()
	res, convs := runPlan(t, llmPlan(t, srv.URL, 2, ""))
	for _, c := range convs {
		if c.Outcome != transcript.Failed || c.Reason != transcript.ReasonLLMError || !strings.Contains(c.Error, "HTTP 500") {
			t.Errorf("conversation %s: %s %s %q; want failed llm_error", c.ID, c.Outcome, c.Reason, c.Error)
		}
		if len(c.Turns) != 1 {
			t.Errorf("conversation %s: %d turns, want only the opening", c.ID, len(c.Turns))
		}
	}
	s := res.Snapshot
	if s.LLM.Count != 2 || s.LLM.Failed != 2 || s.LLM.Attempts != 4 || s.Reply.Failed != 0 {
		t.Errorf("llm %+v, reply failed %d; want 2 generations failed after 2 attempts each, no reply timeout", s.LLM, s.Reply.Failed)
	}
	if len(srv.Requests()) != 4 {
		t.Errorf("%d requests, want 4 (max_retries = 1)", len(srv.Requests()))
	}
}

func TestStopMarkerAbandons(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(func(r llmtest.Request) llmtest.Reply {
		if len(r.Contents) >= 3 {
			return llmtest.Reply{Text: "Deixa pra lá. " + persona.StopMarker, Prompt: 1000, Candidates: 4}
		}
		return walkReply(r)
	})
	defer srv.Close()
	res, convs := runPlan(t, llmPlan(t, srv.URL, 1, ""))
	c := convs[0]
	if c.Outcome != transcript.Abandoned || len(c.Turns) != 2 {
		t.Fatalf("outcome %s after %d turns, want abandoned after 2", c.Outcome, len(c.Turns))
	}
	// The generation that wrote the marker was billed: it counts.
	if c.Tokens.Input != 1000+100 || res.Snapshot.Cost.InputTokens != 1100 || res.Snapshot.Conversations.Abandoned != 1 {
		t.Errorf("tokens %+v, run cost %+v", c.Tokens, res.Snapshot.Cost)
	}
}

// TestBudgetAbortStopsTheRun: every generation costs 0.30 USD (a million
// input tokens); the budget threshold aborts once cost.usd passes 1.
func TestBudgetAbortStopsTheRun(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	n := 0
	srv := llmtest.New(func(r llmtest.Request) llmtest.Reply {
		mu.Lock()
		n++
		mu.Unlock()
		reply := walkReply(r)
		reply.Prompt, reply.Candidates, reply.Thoughts = 1_000_000, 0, 0
		return reply
	})
	defer srv.Close()
	p := llmPlan(t, srv.URL, 2, `
threshold "budget" {
  check = "cost.usd <= 1.0"
  abort = true
}`)
	p.Conversation.ConversationsPerUser = 0 // repeat until the stages end: only the budget stops it
	p.Conversation.ThinkTime = plan.FixedWait(50 * time.Millisecond)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sink := &memSink{}
	res, err := New(p, Options{Sink: sink, GracefulStop: 10 * time.Second}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	if res.Aborted != "budget" || !res.Interrupted {
		t.Fatalf("aborted %q, interrupted %v; want the budget threshold to stop the run", res.Aborted, res.Interrupted)
	}
	if el := time.Since(start); el > 15*time.Second {
		t.Errorf("the run went on for %v of its 20s stage", el)
	}
	// Crossed at the 4th generation (1.20 USD): the check runs at once after
	// each billed generation, and the other user's generation in flight may
	// still land (1.50 USD). After the stop no conversation asks for more.
	if usd := res.Snapshot.Cost.USD; usd <= 1.0 || usd > 1.5+1e-9 {
		t.Errorf("cost at the end %.2f USD, want 1.20 or 1.50", usd)
	}
	t.Logf("aborted after %d generations, %.2f USD, %d conversations", n, res.Snapshot.Cost.USD, len(sink.convs))
}

// TestDriftIsCountedPerPersona: a scripted customer that asks the
// assistant for a CPF, and one that gives someone else's, are flagged on
// their turn and counted for their persona.
func TestDriftIsCountedPerPersona(t *testing.T) {
	t.Parallel()
	src := `
plan "drift" { seed = 2 }
simulator { latency = "5ms" }
target "sim" {}
data "customer" {
  name = name()
  cpf  = cpf()
}
persona "confused" {
  script = ["Olá", "Qual o seu CPF?", "111.444.777-35"]
}
conversation {
  reply_timeout          = "2s"
  reply_settle           = "20ms"
  conversations_per_user = 1
}
stage "s" {
  users      = 2
  spawn_rate = 100
  duration   = "10s"
}
`
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "drift.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	res, convs := runPlan(t, p)
	for _, c := range convs {
		if len(c.Turns) != 3 {
			t.Fatalf("%d turns, want 3", len(c.Turns))
		}
		if !slices.Equal(c.Turns[1].Drift, []string{persona.DriftAsksForData}) || len(c.Turns[0].Drift) != 0 {
			t.Errorf("drift by turn: %v, %v; want asks_for_data on turn 2 only", c.Turns[0].Drift, c.Turns[1].Drift)
		}
		if !slices.Equal(c.Turns[2].DataMismatch, []string{"cpf"}) {
			t.Errorf("turn 3 %q: data mismatch %v, want cpf (the user's is %s)", c.Turns[2].Sent, c.Turns[2].DataMismatch, c.Data["customer"]["cpf"])
		}
	}
	if c := res.Snapshot.Personas["confused"]; c.SimulatorDrift != 2 || c.DataMismatch != 2 {
		t.Errorf("confused: simulator_drift %d, data_mismatch %d; want 2 and 2", c.SimulatorDrift, c.DataMismatch)
	}
}
