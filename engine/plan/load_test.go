package plan

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/schedule"
)

// mustLoad loads a fixture that must have no error diagnostics.
func mustLoad(t *testing.T, path string, opts Options) *Plan {
	t.Helper()
	p, diags := Load(path, opts)
	if diags.HasErrors() || p == nil {
		t.Fatalf("Load(%s): unexpected diagnostics:\n%s", path, diagsText(diags))
	}
	return p
}

func diagsText(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString("  " + d.Error() + "\n")
	}
	return b.String()
}

func TestLoadFull(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/valid/full.hcl", Options{Env: map[string]string{"GOOGLE_API_KEY": "k-123"}})

	if p.Name != "smoke" || p.Description == "" || p.Seed != 42 || !p.SeedFromFile {
		t.Errorf("plan block: name %q, description %q, seed %d (from file %v)", p.Name, p.Description, p.Seed, p.SeedFromFile)
	}
	if p.File != "testdata/valid/full.hcl" || p.Dir != "testdata/valid" || len(p.Hash) != 64 {
		t.Errorf("file %q, dir %q, hash %q", p.File, p.Dir, p.Hash)
	}
	wantTarget := Target{Name: "voyager", URL: "https://voyager.g121.io/v1/webhooks/widget",
		ChannelID: "68e4464832ec9940d9993a12", ClientDomain: "@stw.ai", Timeout: 30 * time.Second}
	if p.Target != wantTarget {
		t.Errorf("target = %+v, want %+v", p.Target, wantTarget)
	}
	if want := (Webhook{Listen: "127.0.0.1:5001", Tunnel: "ngrok", StartTimeout: 20 * time.Second}); p.Webhook != want {
		t.Errorf("webhook = %+v, want %+v", p.Webhook, want)
	}
	if p.Simulator != nil {
		t.Errorf("simulator = %+v, want nil", p.Simulator)
	}
	checkFullLLM(t, p.LLMs)
	checkFullConversation(t, p.Conversation)
	wantStages := []schedule.Stage{
		{Name: "ramp", Users: 10, SpawnRate: 2, Duration: 10 * time.Minute},
		{Name: "hold", Users: 10, SpawnRate: 0.5, Duration: time.Hour},
	}
	if !reflect.DeepEqual(p.Stages, wantStages) {
		t.Errorf("stages = %+v, want %+v", p.Stages, wantStages)
	}
	checkPersonas(t, p, []Persona{
		{Name: "kataryna", Weight: 2, Driver: DriverLLM, LLM: "gemini"},
		{Name: "edman", Weight: 1, Driver: DriverScript},
	})
	var checks []string
	for _, th := range p.Thresholds {
		checks = append(checks, th.Name+": "+th.Check)
		if th.Program == nil {
			t.Errorf("threshold %s has no program", th.Name)
		}
		if th.Abort != (th.Name == "budget") {
			t.Errorf("threshold %s abort = %v", th.Name, th.Abort)
		}
	}
	wantChecks := []string{"success: conversations.success_rate >= 0.9", "reply_p95: reply.p95 < duration('30s')", "budget: cost.usd <= 1.0"}
	if !reflect.DeepEqual(checks, wantChecks) {
		t.Errorf("thresholds = %q, want %q", checks, wantChecks)
	}
}

func checkFullLLM(t *testing.T, llms map[string]*LLM) {
	t.Helper()
	m := llms["gemini"]
	if len(llms) != 1 || m == nil {
		t.Fatalf("llms = %v, want gemini", llms)
	}
	if m.Model != "gemini-2.5-flash" || m.APIKey != "k-123" || m.BaseURL != "https://gateway.example.com" ||
		m.PriceInput != 0.30 || m.PriceOutput != 2.50 || m.MaxOutputTokens != 256 || m.Timeout != 90*time.Second ||
		m.MaxRetries != 3 || m.RequestsPerMinute != 600 || m.TokensPerMinute != 1_000_000 {
		t.Errorf("llm = %+v", m)
	}
	if m.Temperature == nil || *m.Temperature != 0.7 || m.ThinkingBudget == nil || *m.ThinkingBudget != 0 {
		t.Errorf("llm temperature %v, thinking budget %v", m.Temperature, m.ThinkingBudget)
	}
}

func checkFullConversation(t *testing.T, c Conversation) {
	t.Helper()
	if c.CompleteWhen == nil || c.CompleteWhen.Program == nil ||
		c.CompleteWhen.Source != "reply matches 'https://pay[.]' || turn > 18 && customer.cpf != ''" {
		t.Fatalf("complete_when = %+v", c.CompleteWhen)
	}
	c.CompleteWhen = nil
	want := Conversation{Opening: "Oi", MaxTurns: 20, ReplyTimeout: 90 * time.Second, ReplySettle: 300 * time.Millisecond,
		ThinkTime: FixedWait(500 * time.Millisecond), ConversationsPerUser: 0, Pacing: FixedWait(3 * time.Second)}
	if c != want {
		t.Errorf("conversation = %+v, want %+v", c, want)
	}
}

func checkPersonas(t *testing.T, p *Plan, want []Persona) {
	t.Helper()
	if len(p.Personas) != len(want) {
		t.Fatalf("%d personas, want %d", len(p.Personas), len(want))
	}
	for i, got := range p.Personas {
		w := want[i]
		if got.Name != w.Name || got.Weight != w.Weight || got.Driver != w.Driver || got.LLM != w.LLM {
			t.Errorf("persona %d = %+v, want %+v", i, *got, w)
		}
		if got.DeclRange.Filename != p.File {
			t.Errorf("persona %s has no declaration range", got.Name)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/valid/minimal.hcl", Options{})
	if p.Name != "minimal" || p.SeedFromFile || p.Seed == 0 {
		t.Errorf("name %q, seed %d (from file %v): want the file's name and a drawn seed", p.Name, p.Seed, p.SeedFromFile)
	}
	wantTarget := Target{Name: "assistant", URL: "http://localhost:8080/v1/webhooks/widget",
		ChannelID: defaultChannelID, ClientDomain: "@stw.ai", Timeout: 30 * time.Second}
	if p.Target != wantTarget {
		t.Errorf("target = %+v, want %+v", p.Target, wantTarget)
	}
	if want := (Webhook{Listen: "127.0.0.1:0", Tunnel: "none", StartTimeout: 20 * time.Second}); p.Webhook != want {
		t.Errorf("webhook = %+v, want %+v", p.Webhook, want)
	}
	c := p.Conversation
	if c.CompleteWhen == nil || c.CompleteWhen.Source != "reply matches 'https://pay[.]'" {
		t.Fatalf("complete_when = %+v", c.CompleteWhen)
	}
	c.CompleteWhen = nil
	want := Conversation{Opening: "Olá", MaxTurns: 15, ReplyTimeout: 120 * time.Second,
		ReplySettle: 200 * time.Millisecond, ConversationsPerUser: 1}
	if c != want {
		t.Errorf("conversation = %+v, want %+v", c, want)
	}
	checkPersonas(t, p, []Persona{{Name: "edman", Weight: 1, Driver: DriverScript}})
	if len(p.LLMs) != 0 || len(p.Thresholds) != 0 || p.Simulator != nil {
		t.Errorf("llms %v, thresholds %v, simulator %v: want none", p.LLMs, p.Thresholds, p.Simulator)
	}
	// A drawn seed differs between loads.
	if q := mustLoad(t, "testdata/valid/minimal.hcl", Options{}); q.Seed == p.Seed {
		t.Errorf("two loads drew the same seed %d", p.Seed)
	}
}

func TestLoadSimulator(t *testing.T) {
	t.Parallel()
	// GOOGLE_API_KEY is unset: validate must still succeed.
	p, diags := Load("testdata/valid/local.hcl", Options{})
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics:\n%s", diagsText(diags))
	}
	want := Simulator{Listen: "127.0.0.1:0", Latency: 20 * time.Millisecond, Jitter: 5 * time.Millisecond,
		PaymentDomain: "example.com", ImageEvery: 3, SplitEvery: 4, FailRate: 0.01, FailStatus: 500}
	if p.Simulator == nil || *p.Simulator != want {
		t.Errorf("simulator = %+v, want %+v", p.Simulator, want)
	}
	if p.Target.URL != "" || p.Target.Name != "sim" {
		t.Errorf("target = %+v, want no url (the engine points it at the simulator)", p.Target)
	}
	if want := (Webhook{Listen: "127.0.0.1:0", Tunnel: "none", PublicURL: "https://hooks.example.com/voyplan", StartTimeout: 20 * time.Second}); p.Webhook != want {
		t.Errorf("webhook = %+v, want %+v", p.Webhook, want)
	}
	if k := p.LLMs["gemini"].APIKey; k != "" {
		t.Errorf("api key = %q, want empty", k)
	}
	if got := p.Conversation.CompleteWhen.Source; got != "reply contains 'pay.example.com' && persona == 'edman'\n" {
		t.Errorf("complete_when = %q", got)
	}
	checkPersonas(t, p, []Persona{
		{Name: "kataryna", Weight: 1, Driver: DriverLLM, LLM: "gemini"},
		{Name: "edman", Weight: 3, Driver: DriverScript},
		{Name: "dormant", Weight: 0, Driver: DriverScript},
	})
	if want := []schedule.Stage{{Name: "only", Users: 0, SpawnRate: 1, Duration: time.Second}}; !reflect.DeepEqual(p.Stages, want) {
		t.Errorf("stages = %+v, want %+v", p.Stages, want)
	}
}

func TestLoadWarnsIgnoredTargetURL(t *testing.T) {
	t.Parallel()
	src := `
simulator {}
target "x" { url = "https://example.com/" }
persona "p" { script = ["a"] }
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`
	p, diags := LoadSource([]byte(src), "w.hcl", Options{})
	if p == nil || diags.HasErrors() || len(diags) != 1 || diags[0].Summary != "Target url ignored" {
		t.Fatalf("want one warning, got:\n%s", diagsText(diags))
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	p, diags := Load("testdata/nope.hcl", Options{})
	if p != nil || len(diags) != 1 || diags[0].Summary != "Cannot read plan file" {
		t.Fatalf("got plan %v, diagnostics:\n%s", p, diagsText(diags))
	}
}

func TestLoadStopsOnSyntaxErrors(t *testing.T) {
	t.Parallel()
	p, diags := LoadSource([]byte("target \"x\" {\n  url = \n}\n"), "syntax.hcl", Options{})
	if p != nil || !diags.HasErrors() {
		t.Fatalf("want a syntax error, got plan %v, diagnostics:\n%s", p, diagsText(diags))
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	in := "stage \"s\" {\nusers = 1\n  spawn_rate=2\n duration = \"1s\"\n}\n"
	want := "stage \"s\" {\n  users      = 1\n  spawn_rate = 2\n  duration   = \"1s\"\n}\n"
	out, diags := Format("s.hcl", []byte(in))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := string(out); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
}

func TestLoadWebhook(t *testing.T) {
	t.Parallel()
	const rest = `
target "x" { url = "https://example.com/" }
persona "p" { script = ["a"] }
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`
	tests := []struct {
		name, block string
		want        Webhook
	}{
		{"defaults", "", Webhook{Listen: "127.0.0.1:0", Tunnel: "none", StartTimeout: 20 * time.Second}},
		{"ngrok", `webhook { tunnel = "ngrok" }`, Webhook{Listen: "127.0.0.1:0", Tunnel: "ngrok", StartTimeout: 20 * time.Second}},
		{"public_url wins over the tunnel", `webhook {
  listen     = ":5001"
  tunnel     = "ngrok"
  public_url = "https://hooks.example.com"
}`, Webhook{Listen: ":5001", Tunnel: "ngrok", PublicURL: "https://hooks.example.com", StartTimeout: 20 * time.Second}},
		{"empty public_url: derive it", `webhook { public_url = "" }`, Webhook{Listen: "127.0.0.1:0", Tunnel: "none", StartTimeout: 20 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, diags := LoadSource([]byte(tt.block+rest), "w.hcl", Options{})
			if diags.HasErrors() {
				t.Fatal(diagsText(diags))
			}
			if p.Webhook != tt.want {
				t.Errorf("webhook = %+v, want %+v", p.Webhook, tt.want)
			}
		})
	}
}
