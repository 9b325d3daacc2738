package rig

import (
	"context"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/tunnel"
)

// expose opens the plan's tunnel, if it has one: the receiver serves the
// tunnel's listener, and the assistant is given the tunnel's URL.
func (rg *Rig) expose(ctx context.Context, p *plan.Plan, opts Options) error {
	if !needsTunnel(p) {
		return nil
	}
	t, err := opener(p, opts).Open(ctx)
	if err != nil {
		return err
	}
	rg.tunnel = t
	rg.receiver.Serve(t.Listener())
	rg.receiver.SetPublicBase(t.URL())
	rg.publicURL = t.URL()
	opts.Log.Info("tunnel open", "public_url", t.URL())
	return nil
}

// opener is opts' tunnel stand-in, or ngrok with the plan's settings.
func opener(p *plan.Plan, opts Options) tunnel.Opener {
	if opts.Tunnel != nil {
		return opts.Tunnel
	}
	w := p.Webhook
	return &tunnel.Ngrok{
		Authtoken:    w.Authtoken,
		Domain:       w.Domain,
		StartTimeout: w.StartTimeout,
		Log:          opts.Log.With("component", "ngrok"),
	}
}
