package rig

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/tunnel"
)

// simPlan loads a plan of one user against the in-process simulator, with
// the webhook block's attributes given.
func simPlan(t *testing.T, webhook string) *plan.Plan {
	t.Helper()
	src := `
plan "rig" { seed = 1 }
simulator { latency = "5ms" }
target "sim" {}
webhook {
` + webhook + `
}
persona "p" { script = ["oi"] }
conversation { reply_timeout = "2s" }
stage "all" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "rig.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("plan does not load: %s", diags.Error())
	}
	return p
}

func TestOpenStartsWhatThePlanNeeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		webhook string
		tunnel  bool
		want    func(rg *Rig) string // the public URL expected
	}{
		{name: "receiver", webhook: `listen = "127.0.0.1:0"`,
			want: func(rg *Rig) string { return "http://" + rg.Receiver().Addr() }},
		{name: "public_url", webhook: "listen = \"127.0.0.1:0\"\npublic_url = \"https://hooks.example.com\"",
			want: func(*Rig) string { return "https://hooks.example.com" }},
		{name: "tunnel stand-in", webhook: "listen = \"127.0.0.1:0\"\ntunnel = \"ngrok\"", tunnel: true,
			want: func(rg *Rig) string { return rg.tunnel.URL() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := simPlan(t, tt.webhook)
			lb := &tunnel.Loopback{}
			var opts Options
			if tt.tunnel {
				opts.Tunnel = lb
			}
			rg, err := Open(context.Background(), p, opts)
			if err != nil {
				t.Fatal(err)
			}
			if rg.sim == nil || rg.Receiver() == nil || rg.Protocol() == nil {
				t.Errorf("sim %v, receiver %v, protocol %v: want all three", rg.sim, rg.Receiver(), rg.Protocol())
			}
			if got, want := rg.PublicURL(), tt.want(rg); got != want {
				t.Errorf("public URL %q, want %q", got, want)
			}
			if s := rg.Stats(); s.Received != 0 {
				t.Errorf("stats before any conversation: %+v", s)
			}
			rg.Close()
			if tt.tunnel && !lb.Closed() {
				t.Error("the tunnel is still open after Close")
			}
		})
	}
}

func TestCheckNeedsAnNgrokToken(t *testing.T) {
	t.Parallel()
	p := simPlan(t, "listen = \"127.0.0.1:0\"\ntunnel = \"ngrok\"")
	if err := Check(p); !errors.Is(err, tunnel.ErrNoAuthtoken) {
		t.Fatalf("Check = %v, want ErrNoAuthtoken", err)
	}
	if _, err := Open(context.Background(), p, Options{}); !errors.Is(err, tunnel.ErrNoAuthtoken) {
		t.Fatalf("Open = %v, want ErrNoAuthtoken", err)
	}
	p.Webhook.PublicURL = "https://hooks.example.com"
	if err := Check(p); err != nil {
		t.Errorf("Check with a public_url = %v, want nil: no tunnel is opened", err)
	}
}

func TestOpenFailsOnABusyPortAndClosesWhatItStarted(t *testing.T) {
	t.Parallel()
	first, err := Open(context.Background(), simPlan(t, `listen = "127.0.0.1:0"`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	addr := first.Receiver().Addr()
	p := simPlan(t, `listen = "`+addr+`"`)
	if _, err := Open(context.Background(), p, Options{}); err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Open on a busy port = %v, want an error naming %s", err, addr)
	}
}
