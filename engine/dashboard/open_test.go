package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/run"
)

// TestOpenStagesRefuseSettingUsers: a plan of open stages has no users to
// set; the page is told why (409), and sees the stages' rates.
func TestOpenStagesRefuseSettingUsers(t *testing.T) {
	t.Parallel()
	src := `
plan "open-dash" { seed = 5 }
simulator { latency = "30ms" }
target "sim" {}
persona "p" { script = ["Olá", "Me chamo Ana", "Sim", "Quero comprar ingressos"] }
stage "arrivals" {
  arrival_rate = 4
  duration     = "1m"
  max_users    = 20
}
`
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "open.hcl"), plan.Options{})
	if len(diags) != 0 {
		t.Fatalf("plan: %s", diags.Error())
	}
	r := run.New(p, run.Options{GracefulStop: 5 * time.Second})
	srv, err := Start(Options{Addr: "127.0.0.1:0", Plan: p, Runner: r})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	f := &fixture{srv: srv, runner: r, base: "http://" + srv.Addr(), token: srv.token}
	code, body := f.do(t, "POST", "/api/users", `{"users": 4}`, f.auth())
	var e errorBody
	if code != http.StatusConflict || json.Unmarshal([]byte(body), &e) != nil || e.Error != run.ErrOpenStage.Error() {
		t.Errorf("set users in an open stage: %d %s; want 409 with %q", code, body, run.ErrOpenStage)
	}
	v := srv.planView()
	if len(v.Stages) != 1 || v.Stages[0].ArrivalRate == nil || *v.Stages[0].ArrivalRate != 4 || v.Stages[0].MaxUsers != 20 {
		t.Errorf("stages on the page: %+v", v.Stages)
	}
	if b, _ := json.Marshal(testPlanView(t)); strings.Contains(string(b), "arrival_rate") {
		t.Errorf("a closed stage carries arrival_rate: %s", b)
	}
}

// testPlanView is the page's view of the closed test plan.
func testPlanView(t *testing.T) planView {
	p := testPlan(t)
	s := &Server{opts: Options{Plan: p}}
	return s.planView()
}
