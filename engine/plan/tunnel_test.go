package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

const tunnelRest = `
target "x" { url = "https://example.com/" }
persona "p" { script = ["a"] }
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`

func TestLoadTunnel(t *testing.T) {
	t.Parallel()
	env := map[string]string{NgrokTokenEnv: "tok-from-env", "MY_TOKEN": "tok-from-attr"}
	tests := []struct {
		name, block string
		env         map[string]string
		want        Webhook
	}{
		{"token from NGROK_AUTHTOKEN", `webhook { tunnel = "ngrok" }`, env,
			Webhook{Listen: "127.0.0.1:0", Tunnel: "ngrok", Authtoken: "tok-from-env", StartTimeout: 20 * time.Second}},
		{"authtoken attribute wins", `webhook {
  tunnel        = "ngrok"
  authtoken     = env("MY_TOKEN")
  domain        = "voyplan.ngrok.app"
  start_timeout = "5s"
}`, env, Webhook{Listen: "127.0.0.1:0", Tunnel: "ngrok", Authtoken: "tok-from-attr",
			Domain: "voyplan.ngrok.app", StartTimeout: 5 * time.Second}},
		{"no token anywhere loads", `webhook { tunnel = "ngrok" }`, nil,
			Webhook{Listen: "127.0.0.1:0", Tunnel: "ngrok", StartTimeout: 20 * time.Second}},
		{"no tunnel: the environment's token is not read", `webhook { tunnel = "none" }`, env,
			Webhook{Listen: "127.0.0.1:0", Tunnel: "none", StartTimeout: 20 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, diags := LoadSource([]byte(tt.block+tunnelRest), "w.hcl", Options{Env: tt.env})
			if len(diags) != 0 {
				t.Fatal(diagsText(diags))
			}
			if p.Webhook != tt.want {
				t.Errorf("webhook = %+v, want %+v", p.Webhook, tt.want)
			}
		})
	}
}

func TestTunnelWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, block, summary string
		line                 int
	}{
		{"domain without ngrok", `webhook {
  tunnel = "none"
  domain = "x.ngrok.app"
}`, "Argument ignored", 3},
		{"authtoken without ngrok", `webhook {
  authtoken = "x"
}`, "Argument ignored", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, diags := LoadSource([]byte(tt.block+tunnelRest), "w.hcl", Options{})
			if diags.HasErrors() || len(diags) != 1 {
				t.Fatalf("want one warning, got:\n%s", diagsText(diags))
			}
			d := diags[0]
			if d.Severity != hcl.DiagWarning || d.Summary != tt.summary || d.Subject.Start.Line != tt.line {
				t.Errorf("got %s at line %d, want warning %q at line %d", d.Summary, d.Subject.Start.Line, tt.summary, tt.line)
			}
		})
	}
}

func TestLoadSimulatorFaultsAndRetries(t *testing.T) {
	t.Parallel()
	src := `
simulator {
  fail_rate      = 0.1
  fail_status    = 503
  drop_rate      = 0.2
  duplicate_rate = 0.3
  late_rate      = 0.4
  late_delay     = "3s"
  malformed_rate = 0.5
  slow_post      = "250ms"
}
target "sim" { retries = 3 }
persona "p" { script = ["a"] }
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`
	p, diags := LoadSource([]byte(src), "f.hcl", Options{})
	if len(diags) != 0 {
		t.Fatal(diagsText(diags))
	}
	want := Simulator{Listen: "127.0.0.1:0", Latency: 50 * time.Millisecond, PaymentDomain: "smarttalks.ai",
		FailRate: 0.1, FailStatus: 503, DropRate: 0.2, DuplicateRate: 0.3, LateRate: 0.4,
		LateDelay: 3 * time.Second, MalformedRate: 0.5, SlowPost: 250 * time.Millisecond}
	if *p.Simulator != want {
		t.Errorf("simulator = %+v\nwant        %+v", *p.Simulator, want)
	}
	if p.Target.Retries != 3 {
		t.Errorf("retries = %d, want 3", p.Target.Retries)
	}
}

// The token is a secret: nothing a plan prints may carry it.
func TestAuthtokenNotInDiagnostics(t *testing.T) {
	t.Parallel()
	src := `webhook {
  tunnel    = "ngrok"
  authtoken = ["x"]
}` + tunnelRest
	_, diags := LoadSource([]byte(src), "w.hcl", Options{Env: map[string]string{NgrokTokenEnv: "secret-tok"}})
	if !diags.HasErrors() {
		t.Fatal("a list for authtoken loaded")
	}
	if strings.Contains(diagsText(diags), "secret-tok") {
		t.Errorf("diagnostics carry the token:\n%s", diagsText(diags))
	}
}
