package plan

import (
	"fmt"
	"testing"
	"time"

	"github.com/expr-lang/expr"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

const predicateBase = `
target "x" { url = "https://example.com/" }
data "customer" { cpf = cpf() }
persona "edman" { script = ["a"] }
persona "kataryna" { script = ["b"] } # the checks below read both personas
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`

func TestThresholdPrograms(t *testing.T) {
	t.Parallel()
	snap := metrics.Snapshot{
		Conversations: metrics.Conversations{Started: 10, Succeeded: 9, Failed: 1, SuccessRate: 0.9},
		Reply:         metrics.Latency{Count: 40, P95: 12 * time.Second, Max: 31 * time.Second},
		Cost:          metrics.Cost{USD: 1.25},
		Personas: map[string]metrics.Conversations{
			"edman":    {SuccessRate: 0.75},
			"kataryna": {SuccessRate: 0.25},
		},
	}
	tests := []struct {
		check string
		want  bool
	}{
		{"reply.p95 < duration('30s')", true},
		{"reply.max < duration('30s')", false},
		{"conversations.success_rate >= 0.9", true},
		{"conversations.failed == 0", false},
		{`personas["edman"].success_rate > 0.5`, true},
		{`personas["kataryna"].success_rate > 0.5`, false},
		{"cost.usd <= 1.0", false},
		{"reply.count > 0 && send.error_rate < 0.01", true},
	}
	for _, tt := range tests {
		t.Run(tt.check, func(t *testing.T) {
			t.Parallel()
			src := fmt.Sprintf("%sthreshold \"t\" {\n  check = %q\n}\n", predicateBase, tt.check)
			p, diags := LoadSource([]byte(src), "t.hcl", Options{})
			if diags.HasErrors() {
				t.Fatal(diagsText(diags))
			}
			got, err := expr.Run(p.Thresholds[0].Program, snap)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s = %v, want %v", tt.check, got, tt.want)
			}
		})
	}
}

func TestCompleteWhenPrograms(t *testing.T) {
	t.Parallel()
	pay := []transcript.Message{
		{Role: "assistant", Type: "text", Text: "Pronto!"},
		{Role: "assistant", Type: "text", Text: "Pague em https://pay.smarttalks.ai/abc"},
	}
	image := []transcript.Message{{Role: "assistant", Type: "media", Link: "https://pay.example.com/x.jpg"}}
	data := map[string]map[string]string{"customer": {"cpf": "529.982.247-25"}}
	tests := []struct {
		name, when string // "" = the default
		messages   []transcript.Message
		turn       int
		want       bool
	}{
		{"default, payment link", "", pay, 3, true},
		{"default, no link", "", pay[:1], 3, false},
		{"default ignores media links", "", image, 3, false},
		{"turn", "turn >= 5", pay[:1], 5, true},
		{"persona and data", "persona == 'edman' && customer.cpf == '529.982.247-25'", nil, 1, true},
		{"messages", "any(messages, .type == 'media')", image, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := predicateBase
			if tt.when != "" {
				src += fmt.Sprintf("conversation {\n  complete_when = %q\n}\n", tt.when)
			}
			p, diags := LoadSource([]byte(src), "c.hcl", Options{})
			if diags.HasErrors() {
				t.Fatal(diagsText(diags))
			}
			got, err := expr.Run(p.Conversation.CompleteWhen.Program, TurnEnv(tt.messages, tt.turn, "edman", data))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("complete_when = %v, want %v", got, tt.want)
			}
		})
	}
}
