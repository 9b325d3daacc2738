package rig

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/protocol/widget"
	"github.com/voyplan/voyplan/engine/sim"
	"github.com/voyplan/voyplan/engine/tracing"
	"github.com/voyplan/voyplan/engine/tunnel"
	"github.com/voyplan/voyplan/engine/webhook"
)

// Options tune Open; the zero value is what a run from the CLI uses.
type Options struct {
	// Tunnel opens the tunnel when the plan says tunnel = "ngrok" (and no
	// public_url); nil: ngrok itself, with the plan's token. Tests put a
	// tunnel.Loopback here.
	Tunnel tunnel.Opener
	Log    *slog.Logger // nil: discard
	// Tracer, when set, wraps the HTTP client to the assistant so that a
	// request made within a turn's span carries its traceparent
	// (engine/tracing); nil: tracing off.
	Tracer *tracing.Tracer
}

// Rig is what one run talks through, open. Its accessors are safe for
// concurrent use; Close it once the run is over.
type Rig struct {
	sim       *sim.Server       // nil unless the plan has a simulator
	receiver  *webhook.Receiver // nil unless the protocol is answered through callbacks
	tunnel    tunnel.Tunnel     // nil unless the plan asks for one
	publicURL string            // where the assistant is told to deliver replies
	client    *http.Client
	protocol  protocol.Protocol
	llms      llmClients // one client per llm block in use, shared by every user
}

// Open checks p (Check; a tunnel stand-in in opts needs no token), starts
// the simulator and the webhook receiver when p needs them, opens the
// tunnel, and builds the LLM clients, the HTTP client and the protocol.
// On error whatever was started is closed again.
func Open(ctx context.Context, p *plan.Plan, opts Options) (_ *Rig, err error) {
	if err := check(p, opts.Tunnel != nil); err != nil {
		return nil, err
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	rg := &Rig{}
	defer func() {
		if err != nil {
			rg.Close()
		}
	}()
	if err := rg.start(p, opts.Log); err != nil {
		return nil, err
	}
	rg.client.Transport = opts.Tracer.Transport(rg.client.Transport) // the protocol holds rg.client: it sees the change
	if err := rg.expose(ctx, p, opts); err != nil {
		return nil, err
	}
	if wa, ok := rg.protocol.(*protocol.WhatsApp); ok {
		opts.Log.Info("Graph API stand-in ready: the bot's Graph API base URL", "graph_url", rg.publicURL)
		if err := wa.Verify(ctx); err != nil {
			return nil, err
		}
	}
	return rg, nil
}

// start starts the simulator (when the plan has one) and the webhook
// receiver (when the target's protocol replies through callbacks), and
// builds the clients and the protocol the conversations speak.
func (rg *Rig) start(p *plan.Plan, log *slog.Logger) (err error) {
	if rg.llms, err = newLLMClients(p); err != nil {
		return err
	}
	url := p.Target.URL
	if p.Simulator != nil {
		rg.sim, err = sim.Listen(p.Simulator.Listen, simOptions(p.Simulator, p.Seed, p.SimDebounce()))
		if err != nil {
			return fmt.Errorf("cannot start the built-in simulator on %s: %w", p.Simulator.Listen, err)
		}
		url = rg.sim.URL()
		if p.Target.WhatsApp != nil {
			url = rg.sim.BaseURL() + sim.WhatsAppPath
		}
	}
	if !protocol.NeedsReceiver(p) { // http, openai: the reply is the response
		return rg.connect(p, url)
	}
	listen, what := p.Webhook.Listen, "the webhook receiver"
	if wa := p.Target.WhatsApp; wa != nil { // the Graph API stand-in is served on the receiver's address
		listen, what = wa.GraphListen, "the Graph API stand-in (graph_listen)"
	}
	rg.receiver, err = webhook.Listen(listen)
	if err != nil {
		return fmt.Errorf("cannot start %s on %s: %w", what, listen, err)
	}
	if n := receiverConns(p); n > 0 {
		rg.receiver.SetMaxConns(n)
	}
	if w := p.Webhook; w.SignatureSecret != "" {
		rg.receiver.RequireSignature(w.SignatureHeader, w.SignatureSecret)
	}
	rg.receiver.OnRefusal(func(kind, detail string) {
		log.Warn("webhook receiver refused a request: the first of its kind, all are counted in webhook.refused",
			"kind", kind, "detail", detail, "max_conns", rg.receiver.MaxConns())
	})
	rg.publicURL = "http://" + rg.receiver.Addr()
	if p.Webhook.PublicURL != "" {
		rg.publicURL = p.Webhook.PublicURL
		rg.receiver.SetPublicBase(p.Webhook.PublicURL)
	}
	if rg.sim != nil && p.Target.WhatsApp != nil {
		rg.sim.SetWhatsApp(simWhatsApp(p, "http://"+rg.receiver.Addr()))
	}
	return rg.connect(p, url)
}

// simWhatsApp is what the simulator's bot needs to know of the target:
// the Graph API stand-in's base URL (on loopback: the simulator runs in
// process), the secrets it shares with voyplan, and its bugs.
func simWhatsApp(p *plan.Plan, graph string) sim.WhatsApp {
	wa, s := p.Target.WhatsApp, p.Simulator
	return sim.WhatsApp{
		GraphURL:      graph,
		AccessToken:   wa.AccessToken,
		AppSecret:     wa.AppSecret,
		VerifyToken:   wa.VerifyToken,
		NoToken:       s.WANoToken,
		NotIdempotent: s.WANotIdempotent,
		NoMarkRead:    s.WANoMarkRead,
	}
}

// connect builds the HTTP client and the protocol the conversations speak.
// url is where a voyager target is: the simulator's endpoint when the plan
// starts one. The receiver must already run when the protocol needs it.
func (rg *Rig) connect(p *plan.Plan, url string) error {
	rg.client = widget.NewHTTPClient(p.Target.Timeout)
	t := p.Target
	t.URL = url
	proto, err := protocol.FromTarget(t, p.Conversation, rg.receiver, rg.client)
	if err != nil {
		return fmt.Errorf("cannot set up the %s target: %w", t.ProtocolName(), err)
	}
	if s, ok := proto.(protocol.Seeded); ok { // channel faults: the same seed makes the same faults
		s.SetSeed(p.Seed)
	}
	rg.protocol = proto
	return nil
}

// simOptions are the simulator's options from its block; debounce is the
// plan's SimDebounce.
func simOptions(s *plan.Simulator, seed uint64, debounce time.Duration) sim.Options {
	return sim.Options{
		Latency:             s.Latency,
		Jitter:              s.Jitter,
		LatencyPerInflight:  s.LatencyPerInflight,
		PaymentDomain:       s.PaymentDomain,
		ImageEvery:          s.ImageEvery,
		RewordFrom:          s.RewordFrom,
		SplitEvery:          s.SplitEvery,
		FailRate:            s.FailRate,
		FailStatus:          s.FailStatus,
		DropRate:            s.DropRate,
		DuplicateRate:       s.DuplicateRate,
		LateRate:            s.LateRate,
		LateDelay:           s.LateDelay,
		MalformedRate:       s.MalformedRate,
		CrosstalkRate:       s.CrosstalkRate,
		SlowPost:            s.SlowPost,
		SignSecret:          s.SignSecret,
		Seed:                seed,
		FirstChunk:          s.FirstChunk,
		ChunkInterval:       s.ChunkInterval,
		ChunkSize:           s.ChunkSize,
		StallEvery:          s.StallEvery,
		Stall:               s.Stall,
		CutRate:             s.CutRate,
		CloseRate:           s.CloseRate,
		Debounce:            debounce,
		AnswersEachFragment: s.AnswersEachFragment,
		NotIdempotent:       s.NotIdempotent,
	}
}

// Close stops what Open started: the receiver, then the tunnel whose
// listener it served, the simulator, the LLM clients and the HTTP client's
// idle connections.
func (rg *Rig) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if rg.receiver != nil {
		_ = rg.receiver.Close(ctx)
	}
	if rg.tunnel != nil {
		_ = rg.tunnel.Close() // after the receiver: it stopped serving the tunnel's listener
	}
	if rg.sim != nil {
		_ = rg.sim.Close()
	}
	rg.llms.close()
	if rg.client != nil {
		rg.client.CloseIdleConnections()
	}
}

// Protocol is how conversations talk to the assistant.
func (rg *Rig) Protocol() protocol.Protocol { return rg.protocol }

// Receiver is the webhook receiver; nil when the target's protocol needs
// none (http, openai: the reply is the response).
func (rg *Rig) Receiver() *webhook.Receiver { return rg.receiver }

// PublicURL is where the assistant is told to deliver replies: the
// tunnel's URL, the plan's public_url or the receiver's own address; ""
// without a receiver.
func (rg *Rig) PublicURL() string { return rg.publicURL }

// SimStats is what the plan's simulator did so far (what it injected, for
// the tests that check the run caught it); false when the plan has none.
func (rg *Rig) SimStats() (sim.Stats, bool) {
	if rg.sim == nil {
		return sim.Stats{}, false
	}
	return rg.sim.Stats(), true
}

// Stats is the receiver's counters; zero without a receiver.
func (rg *Rig) Stats() webhook.Stats {
	if rg.receiver == nil {
		return webhook.Stats{}
	}
	return rg.receiver.Stats()
}
