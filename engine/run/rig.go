package run

import (
	"context"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/rig"
	"github.com/voyplan/voyplan/engine/transcript"
)

// openRig is the rig in Options, or one opened for the plan; closeRig
// closes the rig only when the run opened it.
func (r *Runner) openRig(ctx context.Context) (_ *rig.Rig, closeRig func(), _ error) {
	if r.opts.Rig != nil {
		return r.opts.Rig, func() {}, nil
	}
	rg, err := rig.Open(ctx, r.plan, rig.Options{Log: r.log, Tracer: r.opts.Tracer})
	if err != nil {
		return nil, nil, err
	}
	return rg, rg.Close, nil
}

// webhookCounts is the receiver's counters as the metrics carry them.
func (r *Runner) webhookCounts() metrics.Webhook {
	s := r.rig.Stats()
	by := metrics.Refused{
		Connections: int64(s.Refused.Connections),
		Token:       int64(s.Refused.Token),
		Signature:   int64(s.Refused.Signature),
		Oversize:    int64(s.Refused.Oversize),
		Busy:        int64(s.Refused.Busy),
	}
	return metrics.Webhook{
		Received:   int64(s.Received),
		Malformed:  int64(s.Malformed),
		Unmatched:  int64(s.Unmatched),
		Duplicates: int64(s.Duplicates),
		Late:       int64(s.Late),
		Refused:    by.Total(),
		RefusedBy:  by,
	}
}

// whatsappCounts is a whatsapp protocol's counters as the metrics carry
// them.
func whatsappCounts(s protocol.WhatsAppStats) metrics.WhatsApp {
	g := s.Graph
	return metrics.WhatsApp{
		Deliveries: int64(s.Deliveries), SignatureRefused: int64(s.SignatureRefused), DeliveryFailed: int64(s.DeliveryFailed),
		GraphCalls: int64(g.Requests), Messages: int64(g.Messages), Text: int64(g.Text), Media: int64(g.Media),
		Interactive: int64(g.Interactive), Templates: int64(g.Templates), WithContext: int64(g.WithContext),
		ReadMarks: int64(g.ReadMarks), AuthFailures: int64(g.AuthFailures), UnknownRecipients: int64(g.UnknownTo),
		UnknownPhone: int64(g.UnknownPhone), Malformed: int64(g.Malformed + g.BadRoute), Oversize: int64(g.Oversize),
		Statuses: int64(s.Statuses), StatusFailed: int64(s.StatusFailed),
	}
}

// channelCounts is a protocol's channel faults as the metrics carry them.
func channelCounts(s protocol.ChannelStats) metrics.Channel {
	return metrics.Channel{Redelivered: int64(s.Redelivered), DuplicateReplies: int64(s.DuplicateReplies),
		Delayed: int64(s.Delayed), OutOfOrder: int64(s.OutOfOrder)}
}

// ready wires the receiver's counters into the metrics, hands it the
// Inspector (if any), and announces the public URL.
func (r *Runner) ready() {
	r.rec.WatchWebhook(r.webhookCounts)
	switch p := r.rig.Protocol().(type) {
	case *protocol.WhatsApp:
		r.rec.WatchWhatsApp(func() metrics.WhatsApp { return whatsappCounts(p.Stats()) })
		r.rec.WatchChannel(func() metrics.Channel { return channelCounts(p.Stats().Channel) })
	case *protocol.Webhook:
		r.rec.WatchChannel(func() metrics.Channel { return channelCounts(p.ChannelStats()) })
	}
	rcv := r.rig.Receiver()
	if rcv == nil { // protocols whose reply is the response
		return
	}
	rcv.OnLateAfterEnd(r.lateAfterEnd)
	if i := r.opts.Inspector; i != nil {
		i.SetLatency(r.live.latency)
		rcv.SetInspector(i)
	}
	if r.opts.Ready != nil {
		r.opts.Ready(r.rig.PublicURL())
	}
}

// lateAfterEnd logs a callback that came after its conversation ended and
// hands it to the LateSink, if any.
func (r *Runner) lateAfterEnd(id string, turn int, items []transcript.Message) {
	r.log.Info("late callback after its conversation ended (counted in webhook.late)",
		"id", id, "turn", turn, "reply", plan.ReplyText(items))
	if r.opts.Late == nil {
		return
	}
	late := &transcript.LateCallback{Conversation: id, Turn: turn, ReceivedAt: time.Now().UTC(), Messages: items}
	if err := r.opts.Late.WriteLate(late); err != nil {
		r.log.Error("cannot keep a late callback", "id", id, "turn", turn, "err", err)
	}
}
