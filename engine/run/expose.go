package run

import (
	"context"
	"fmt"
	"time"

	"github.com/voyplan/voyplan/engine/fdlimit"
	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/tunnel"
)

// Open files a run needs (an estimate): one socket per concurrent user at a
// time — its send, then the assistant's callback, never both at once — and
// a second one when the built-in simulator runs in this process, holding
// the other end; plus fdReserve for the idle connection pools, the log and
// the result files.
const fdReserve = 256

// Check reports what would stop a plan from running before anything
// starts: an ngrok tunnel without a token, or more concurrent users than
// the open-file limit allows (raising the soft limit first, where allowed).
func Check(p *plan.Plan) error {
	if needsTunnel(p) && p.Webhook.Authtoken == "" {
		return tunnel.ErrNoAuthtoken
	}
	return checkFiles(p)
}

// check is Check, but a tunnel stand-in in Options needs no token.
func (r *Runner) check() error {
	if r.opts.Tunnel == nil {
		return Check(r.plan)
	}
	return checkFiles(r.plan)
}

func needsTunnel(p *plan.Plan) bool {
	return p.Webhook.Tunnel == "ngrok" && p.Webhook.PublicURL == "" && protocol.NeedsReceiver(p)
}

// checkFiles raises the open-file limit and fails when the plan's peak of
// concurrent users still needs more.
func checkFiles(p *plan.Plan) error {
	users := peakUsers(p)
	perUser := uint64(1)
	if p.Simulator != nil {
		perUser = 2
	}
	_, err := fdlimit.Ensure(uint64(users)*perUser + fdReserve)
	if err == nil {
		return nil
	}
	return fmt.Errorf("cannot run %d concurrent users: %w. Raise the limit (ulimit -n, or LimitNOFILE in a "+
		"systemd unit) up to the hard limit, or as root beyond it; run fewer users per process; "+
		"or, with the built-in simulator, serve it from its own process (voyplan sim) and target its url", users, err)
}

// peakUsers is the most concurrent users any stage asks for; for open
// stages, the most conversations that can be in flight (max_users, or
// fewer when fewer arrive).
func peakUsers(p *plan.Plan) int {
	if p.Open() {
		return p.Schedule().Peak()
	}
	peak := 0
	for _, s := range p.Stages {
		peak = max(peak, s.Users)
	}
	return peak
}

// expose opens the plan's tunnel, if it has one: the receiver serves the
// tunnel's listener, and the assistant is given the tunnel's URL.
func (r *Runner) expose(ctx context.Context, env *environment) error {
	if !needsTunnel(r.plan) {
		return nil
	}
	t, err := r.opener().Open(ctx)
	if err != nil {
		return err
	}
	env.tunnel = t
	env.receiver.Serve(t.Listener())
	env.receiver.SetPublicBase(t.URL())
	env.publicURL = t.URL()
	r.log.Info("tunnel open", "public_url", t.URL())
	return nil
}

func (r *Runner) opener() tunnel.Opener {
	if r.opts.Tunnel != nil {
		return r.opts.Tunnel
	}
	w := r.plan.Webhook
	return &tunnel.Ngrok{
		Authtoken:    w.Authtoken,
		Domain:       w.Domain,
		StartTimeout: w.StartTimeout,
		Log:          r.log.With("component", "ngrok"),
	}
}

// webhookCounts is the receiver's counters as the metrics carry them.
func (e *environment) webhookCounts() metrics.Webhook {
	s := e.receiverStats()
	return metrics.Webhook{
		Received:   int64(s.Received),
		Malformed:  int64(s.Malformed),
		Unmatched:  int64(s.Unmatched),
		Duplicates: int64(s.Duplicates),
		Late:       int64(s.Late),
	}
}

// ready wires the receiver's counters into the metrics, hands it the
// Inspector (if any), and announces the public URL.
func (r *Runner) ready(env *environment) {
	r.rec.WatchWebhook(env.webhookCounts)
	if env.receiver != nil { // nil for protocols whose reply is the response
		env.receiver.OnLateAfterEnd(func(id string, turn int, items []transcript.Message) {
			r.log.Info("late callback after its conversation ended (counted in webhook.late)",
				"id", id, "turn", turn, "reply", plan.ReplyText(items))
			if r.opts.Late == nil {
				return
			}
			late := &transcript.LateCallback{Conversation: id, Turn: turn, ReceivedAt: time.Now().UTC(), Messages: items}
			if err := r.opts.Late.WriteLate(late); err != nil {
				r.log.Error("cannot keep a late callback", "id", id, "turn", turn, "err", err)
			}
		})
	}
	if i := r.opts.Inspector; i != nil && env.receiver != nil {
		i.SetLatency(r.live.latency)
		env.receiver.SetInspector(i)
	}
	if r.opts.Ready != nil && env.receiver != nil {
		r.opts.Ready(env.publicURL)
	}
}
