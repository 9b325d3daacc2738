package run

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/rig"
	"github.com/voyplan/voyplan/engine/tunnel"
)

func TestTunnelWiring(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, nil, nil)
	p.Webhook.Tunnel = "ngrok" // no token: the stand-in needs none
	lb := &tunnel.Loopback{}
	var announced string
	sink := &memSink{}
	rg, err := rig.Open(context.Background(), p, rig.Options{Tunnel: lb})
	if err != nil {
		t.Fatal(err)
	}
	r := New(p, Options{Sink: sink, Rig: rg, Ready: func(u string) { announced = u }})
	res, err := r.Run(context.Background())
	rg.Close()
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	if res.Snapshot.Conversations.Succeeded != 2 {
		t.Fatalf("conversations %+v", res.Snapshot.Conversations)
	}
	if !strings.HasPrefix(res.PublicURL, "http://127.0.0.1:") || announced != res.PublicURL {
		t.Errorf("public URL %q, announced %q: want the tunnel's", res.PublicURL, announced)
	}
	if got := res.PublicURL; strings.HasSuffix(got, ":"+port(t, rg.Receiver().Addr())) {
		t.Errorf("public URL %q is the receiver's own address, not the tunnel's", got)
	}
	if lb.Accepted() == 0 || res.Webhook.Received != uint64(res.Snapshot.Reply.Count) {
		t.Errorf("%d connections through the tunnel, %d callbacks for %d replies", lb.Accepted(),
			res.Webhook.Received, res.Snapshot.Reply.Count)
	}
	if !lb.Closed() {
		t.Error("the tunnel is still open after the run")
	}
}

func port(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Without a token nothing starts: the error comes before the receiver
// would bind its (here busy) port.
func TestTunnelWithoutTokenFailsBeforeAnythingStarts(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	p := testPlan(t, 1, nil, nil)
	p.Webhook.Tunnel, p.Webhook.Listen = "ngrok", busy.Addr().String()
	sink := &memSink{}
	_, err = New(p, Options{Sink: sink}).Run(context.Background())
	if !errors.Is(err, tunnel.ErrNoAuthtoken) {
		t.Fatalf("Run = %v, want ErrNoAuthtoken", err)
	}
	if len(sink.convs) != 0 {
		t.Errorf("%d conversations ran", len(sink.convs))
	}
}

// The real ngrok agent, offline: Run fails within the start-up timeout
// with the clear message, and no conversation starts.
func TestTunnelOfflineFailsTheRun(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()
	p := testPlan(t, 1, nil, nil)
	p.Webhook.Tunnel = "ngrok"
	sink := &memSink{}
	start := time.Now()
	_, err = runOn(p, Options{Sink: sink}, rig.Options{Tunnel: &tunnel.Ngrok{Authtoken: "tok", ConnectURL: refused, StartTimeout: 3 * time.Second}})
	var se *tunnel.StartError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "NGROK_AUTHTOKEN") {
		t.Fatalf("Run = %v, want a tunnel start error naming NGROK_AUTHTOKEN", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Run took %v to give up", took)
	}
	if len(sink.convs) != 0 {
		t.Errorf("%d conversations ran", len(sink.convs))
	}
}

// runOn runs p on a rig opened with ro, as apply does; the rig's error is
// the run's.
func runOn(p *plan.Plan, opts Options, ro rig.Options) (*Result, error) {
	rg, err := rig.Open(context.Background(), p, ro)
	if err != nil {
		return nil, err
	}
	defer rg.Close()
	opts.Rig = rg
	return New(p, opts).Run(context.Background())
}
