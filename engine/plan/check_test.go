package plan

import (
	"strings"
	"testing"

	"github.com/expr-lang/expr"

	"github.com/voyplan/voyplan/engine/metrics"
)

func TestCompileCheck(t *testing.T) {
	t.Parallel()
	th, err := CompileCheck(CheckSource{Name: "fast", Check: "reply.p95 < duration('30s') && personas['p'].pass_k[2] >= 0.5", Abort: true})
	if err != nil {
		t.Fatal(err)
	}
	if th.Name != "fast" || !th.Abort || th.Program == nil {
		t.Fatalf("threshold %+v", th)
	}
	s := metrics.Snapshot{Personas: map[string]metrics.Conversations{"p": {PassK: map[int]float64{2: 0.6}}}}
	if out, err := expr.Run(th.Program, s); err != nil || out != true {
		t.Errorf("run: %v, %v; want true", out, err)
	}
	_, err = CompileCheck(CheckSource{Name: "typo", Check: "conversations.sucess_rate >= 0.9"})
	if err == nil || !strings.Contains(err.Error(), "The check does not compile") || !strings.Contains(err.Error(), `Did you mean "success_rate"`) {
		t.Errorf("typo: %v", err)
	}
	if _, err := CompileCheck(CheckSource{Name: "not a bool", Check: "cost.usd"}); err == nil {
		t.Error("a check that is not a bool compiled")
	}
}
