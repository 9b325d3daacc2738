package plan

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan/names"
)

// namesPlan is a plan with two personas and a data block, and the
// thresholds given.
func namesPlan(t *testing.T, thresholds string) string {
	t.Helper()
	src := `target "assistant" {
  url = "http://localhost:8080/"
}

data "customer" {
  cpf = cpf()
}

persona "kataryna" {
  script = ["Olá"]
}

persona "edman" {
  script = ["Olá"]
}

stage "smoke" {
  users      = 1
  spawn_rate = 1
  duration   = "30s"
}
` + thresholds
	file := filepath.Join(t.TempDir(), "plan.hcl")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestCheckNamesResolve: a persona that is not the plan's is a diagnostic
// pointing at the name inside the string, with the name meant, where it
// used to compile and be judged on zeros.
func TestCheckNamesResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		threshold string
		line, col int
		detail    string
	}{
		{"index", `threshold "x" {
  check = "conversations.success_rate >= 0.9 && personas['katarina'].failed == 0"
}`, 23, 58, `the plan has no persona "katarina"; it has "kataryna" and "edman". Did you mean "kataryna"?`},
		{"member", `threshold "x" {
  check = "personas.edmann.failed == 0"
}`, 23, 21, `Did you mean "edman"?`},
		{"heredoc", `threshold "x" {
  check = <<EOT
conversations.success_rate >= 0.9 &&
  personas["kataryma"].failed == 0
EOT
}`, 25, 12, `Did you mean "kataryna"?`},
		{"percentile", `threshold "x" {
  check = "reply.p97 < duration('2s')"
}`, 23, 18, "The percentiles recorded are p50, p90, p95, p99."},
		{"cost per success", `threshold "x" {
  check = "cost.per_sucess < 0.05"
}`, 23, 17, `Did you mean "per_success"?`},
		{"goodput", `threshold "x" {
  check = "goodpt >= 10"
}`, 23, 12, `Did you mean "goodput"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, diags := Load(namesPlan(t, tt.threshold), Options{})
			if p != nil || len(diags) != 1 {
				t.Fatalf("want one diagnostic, got %d:\n%s", len(diags), diagsText(diags))
			}
			d := diags[0]
			if d.Subject.Start.Line != tt.line || d.Subject.Start.Column != tt.col || !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("at %d:%d %q; want %d:%d and %q", d.Subject.Start.Line, d.Subject.Start.Column, d.Detail, tt.line, tt.col, tt.detail)
			}
		})
	}
}

func TestCheckReads(t *testing.T) {
	t.Parallel()
	p, diags := Load(namesPlan(t, `threshold "a" {
  check = "conversations.success_rate >= 0.9 && reply.p95 < duration('2s') && personas['edman'].pass_k[2] > 0.5"
}
threshold "b" {
  check      = "all(values(personas), .failed == 0) && cost.usd < 1 && (let s = send; s.count > 0)"
  on_no_data = "pass"
}`), Options{})
	if diags.HasErrors() {
		t.Fatal(diagsText(diags))
	}
	want := [][]names.Read{
		{{Metric: "conversations", Field: "success_rate"}, {Metric: "reply", Field: "p95"}, {Metric: "personas", Key: "edman", Field: "pass_k"}},
		{{Metric: "personas"}, {Metric: "cost", Field: "usd"}, {Metric: "send"}},
	}
	for i, th := range p.Thresholds {
		if !reflect.DeepEqual(th.Reads, want[i]) {
			t.Errorf("%s reads %+v; want %+v", th.Name, th.Reads, want[i])
		}
	}
	if p.Thresholds[0].OnNoData != NoDataFail || p.Thresholds[1].OnNoData != NoDataPass {
		t.Errorf("on_no_data %q, %q", p.Thresholds[0].OnNoData, p.Thresholds[1].OnNoData)
	}
}

func TestCompileCheckResolvesPersonas(t *testing.T) {
	t.Parallel()
	src := CheckSource{Name: "x", Check: `personas["katarina"].failed == 0`}
	if _, err := CompileCheck(src); err != nil {
		t.Errorf("personas not known: %v", err)
	}
	src.Personas = []string{"kataryna"}
	if _, err := CompileCheck(src); err == nil || !strings.Contains(err.Error(), `Did you mean "kataryna"?`) {
		t.Errorf("personas known: %v", err)
	}
	src.Check, src.OnNoData = "reply.count > 0", "maybe"
	if _, err := CompileCheck(src); err == nil {
		t.Error("on_no_data maybe accepted")
	}
}

// TestWindowAndTurnSLO: a threshold's window and the conversation's
// turn_slo are read, and a window under a second is refused where it is.
func TestWindowAndTurnSLO(t *testing.T) {
	t.Parallel()
	p, diags := Load(namesPlan(t, `conversation {
  turn_slo = "5s"
}
threshold "p95" {
  check  = "reply.p95 < duration('2s') && goodput >= 10 && cost.per_success < 0.05"
  window = "1m"
  abort  = true
}`), Options{})
	if diags.HasErrors() {
		t.Fatal(diagsText(diags))
	}
	if th := p.Thresholds[0]; th.Window != time.Minute || !th.Abort || p.Conversation.TurnSLO != 5*time.Second {
		t.Errorf("window %v, abort %v, turn_slo %v; want 1m, true, 5s", th.Window, th.Abort, p.Conversation.TurnSLO)
	}
	_, diags = Load(namesPlan(t, `threshold "p95" {
  check  = "reply.p95 < duration('2s')"
  window = "500ms"
}`), Options{})
	if len(diags) != 1 || diags[0].Subject.Start.Line != 24 || !strings.Contains(diags[0].Detail, "1s or more") {
		t.Errorf("want one diagnostic on the window, line 24; got:\n%s", diagsText(diags))
	}
}

// TestCapacityBlock: a capacity block takes the stages' place (its worst
// case stands for them), and what it cannot run is a diagnostic.
func TestCapacityBlock(t *testing.T) {
	t.Parallel()
	src := func(vary, stage string) string {
		return `target "assistant" {
  url = "http://localhost:8080/"
}
persona "p" {
  script = ["Olá"]
}
` + stage + `capacity {
  vary  = "` + vary + `"
  from  = 1
  to    = 64
  hold  = "2m"
  ramp  = "20s"
  steps = 8
}
`
	}
	load := func(s string) (*Plan, string) {
		file := filepath.Join(t.TempDir(), "plan.hcl")
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		p, diags := Load(file, Options{})
		return p, diagsText(diags)
	}
	p, diags := load(src("users", ""))
	if p == nil {
		t.Fatal(diags)
	}
	if c := p.Capacity; c == nil || c.Steps != 8 || c.Hold != 2*time.Minute || len(p.Stages) != 1 ||
		p.Stages[0].Users != 64 || p.Stages[0].Duration != 8*140*time.Second {
		t.Errorf("capacity %+v, stages %+v; want the search and its worst case, 64 users for 18m40s", c, p.Stages)
	}
	p, diags = load(src("arrival_rate", ""))
	if p == nil {
		t.Fatal(diags)
	}
	if c := p.Capacity; c == nil || c.Vary != "arrival_rate" || c.MaxUsers != DefaultMaxUsers || len(p.Stages) != 1 ||
		!p.Stages[0].Open || p.Stages[0].ArrivalRate != 64 || p.Stages[0].Duration != 8*140*time.Second {
		t.Errorf("capacity %+v, stages %+v; want an arrival_rate search, its worst case 64/s for 18m40s", c, p.Stages)
	}
	if _, diags := load(strings.Replace(src("users", ""), "steps = 8", "steps = 8\n  max_users = 5", 1)); !strings.Contains(diags, "Argument of an arrival_rate search") {
		t.Errorf("max_users in a users search: %s", diags)
	}
	if _, diags := load(strings.Replace(src("arrival_rate", ""), "from  = 1", "from  = 0", 1)); !strings.Contains(diags, "a rate above 0") {
		t.Errorf("from = 0: %s", diags)
	}
	if _, diags := load(src("userz", "")); !strings.Contains(diags, `Did you mean "users"?`) {
		t.Errorf("userz: %s", diags)
	}
	stage := "stage \"s\" {\n  users      = 1\n  spawn_rate = 1\n  duration   = \"1m\"\n}\n"
	if _, diags := load(src("users", stage)); !strings.Contains(diags, "Stages beside a capacity block") {
		t.Errorf("stages beside: %s", diags)
	}
}
