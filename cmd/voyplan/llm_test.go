package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/llm/llmtest"
	"github.com/voyplan/voyplan/engine/persona"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/sim"
)

const missingKey = `llm "gemini": api_key is empty — set GOOGLE_API_KEY (the plan reads it with env("GOOGLE_API_KEY"))`

// TestMissingKeyFailsAtApplyNotAtValidate uses a shipped Gemini plan with
// no GOOGLE_API_KEY anywhere.
func TestMissingKeyFailsAtApplyNotAtValidate(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if code := ta.main([]string{"validate", "../../plans/smoke.hcl"}); code != exitOK {
		t.Fatalf("validate exit %d, want 0: keys are checked at apply\n%s", code, ta.err.String())
	}
	ta = newTestApp(t)
	out := filepath.Join(t.TempDir(), "out")
	code := ta.main([]string{"apply", "../../plans/smoke.hcl", "--out", out, "--quiet"})
	if code != exitError || !strings.Contains(ta.err.String(), missingKey) {
		t.Fatalf("apply exit %d, stderr:\n%s\nwant exit 1 and %q", code, ta.err.String(), missingKey)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the results directory exists (%v): the run must not have started", err)
	}
}

// TestKeyFromDotEnv: the key in .env in the working directory is enough to
// get past the key check (the live plan then stops at the ngrok token).
func TestKeyFromDotEnv(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	wd, _ := ta.getwd()
	if err := os.WriteFile(filepath.Join(wd, ".env"), []byte("GOOGLE_API_KEY=from-dot-env\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	plan, err := filepath.Abs("../../plans/smoke.hcl")
	if err != nil {
		t.Fatal(err)
	}
	code := ta.main([]string{"apply", plan, "--out", filepath.Join(t.TempDir(), "out"), "--quiet"})
	if strings.Contains(ta.err.String(), "api_key") || strings.Contains(ta.err.String(), "from-dot-env") {
		t.Errorf("exit %d, stderr:\n%s\nwant no key complaint and no key printed", code, ta.err.String())
	}
}

var promptField = regexp.MustCompile(`(?m)^- (Nome completo|Celular|E-mail|CPF): (.+)$`)

// walk plays the customer for the stand-in: the simulator's walkthrough,
// with the data of the system instruction, one line per generation.
func walk(r llmtest.Request) llmtest.Reply {
	f := map[string]string{}
	for _, m := range promptField.FindAllStringSubmatch(r.System, -1) {
		f[m[1]] = m[2]
	}
	lines := sim.Walkthrough(f["Nome completo"], f["Celular"], f["E-mail"], f["CPF"])
	if k := len(r.Contents)/2 + 1; k < len(lines) {
		return llmtest.Reply{Text: lines[k], Prompt: 400 + 100*len(r.Contents), Candidates: 12, Thoughts: 20}
	}
	return llmtest.Reply{Text: persona.StopMarker, Prompt: 100, Candidates: 2}
}

// TestApplyGeminiPersonaEndToEnd: apply, a Gemini persona against the
// loopback stand-in and the simulator, the key from the environment.
func TestApplyGeminiPersonaEndToEnd(t *testing.T) {
	t.Parallel()
	const key = "AIza-test-key-never-printed"
	srv := llmtest.New(walk)
	defer srv.Close()
	prompt, err := filepath.Abs("../../personas/edman.txt")
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`
plan "gemini" { seed = 5 }
simulator { latency = "5ms" }
target "sim" {}
llm "gemini" {
  model           = "gemini-2.5-flash"
  api_key         = env("GOOGLE_API_KEY")
  base_url        = %q
  price_input     = 0.30
  price_output    = 2.50
  thinking_budget = 0
}
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("smarttalks.com.br")
  cpf   = cpf()
}
persona "edman" {
  llm    = "gemini"
  prompt = templatefile(%q, { customer = data.customer })
}
conversation {
  reply_timeout          = "2s"
  reply_settle           = "20ms"
  conversations_per_user = 1
}
stage "s" {
  users      = 3
  spawn_rate = 50
  duration   = "20s"
}
threshold "success" { check = "conversations.success_rate == 1" }
threshold "budget" {
  check = "cost.usd <= 1.0"
  abort = true
}
threshold "in_character" { check = "personas[\"edman\"].simulator_drift == 0 && personas[\"edman\"].pass_k[3] == 1" }
`, srv.URL, prompt)
	path := filepath.Join(t.TempDir(), "gemini.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ta := newTestApp(t)
	ta.environ = append(ta.environ, "GOOGLE_API_KEY="+key)
	out := filepath.Join(t.TempDir(), "out")
	if code := ta.main([]string{"apply", path, "--out", out, "--quiet"}); code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, ta.out.String(), ta.err.String())
	}
	if !regexp.MustCompile(`GEMINI\s+│ Gemini Response\s+│\s+33 │\s+0 │`).MatchString(ta.out.String()) {
		t.Errorf("no GEMINI row with 33 generations (3 conversations × 11):\n%s", ta.out.String())
	}
	sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c := sum.Metrics.Cost; c.USD <= 0 || c.ThinkingTokens != 33*20 || c.OutputTokens != 33*12 {
		t.Errorf("summary cost %+v; want 660 thinking and 396 output tokens", c)
	}
	for _, r := range srv.Requests() {
		if r.APIKey != key {
			t.Fatalf("the stand-in got key %q", r.APIKey)
		}
	}
	assertNoSecret(t, key, ta.out.String()+ta.err.String(), out)
}

// assertNoSecret fails if secret appears in the output or any result file.
func assertNoSecret(t *testing.T, secret, output, dir string) {
	t.Helper()
	if strings.Contains(output, secret) {
		t.Error("the key appears in the command's output")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil && strings.Contains(string(b), secret) {
			t.Errorf("the key appears in %s", e.Name())
		}
	}
}

func TestPlanPrintsTheWorstCaseBill(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if code := ta.main([]string{"plan", "../../plans/simple.hcl"}); code != exitOK {
		t.Fatalf("exit %d\n%s", code, ta.err.String())
	}
	for _, want := range []string{`llm "gemini" (gemini-2.5-flash, USD 0.3 in / 2.5 out per 1M tokens): worst case USD `, "× 14 generations", "thinking ≤ 0 (thinking_budget)"} {
		if !strings.Contains(ta.out.String(), want) {
			t.Errorf("plan output lacks %q:\n%s", want, ta.out.String())
		}
	}
}
