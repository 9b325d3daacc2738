package target

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// ChannelFaults break the channel on the customer's side, as Meta's (or
// any messaging platform's) does, for whatsapp and webhook targets:
//
//   - RedeliverRate: that fraction of the messages are delivered again,
//     with the same id (whatsapp) or Idempotency-Key (webhook),
//     RedeliverAfter after the first delivery and never before the turn's
//     reply settled — so a bot that answers the copy is seen answering
//     twice (channel.duplicate_replies).
//   - Delay: every delivery is held back, drawn between DelayMin and
//     DelayMax, before it is posted (the message keeps the time the
//     customer sent it).
//   - ReorderRate: that fraction of the deliveries the channel makes on
//     its own (re-delivered copies, statuses webhooks) are held back until
//     the conversation's next delivery went out, so they arrive out of
//     order (channel.out_of_order). A customer's message is never overtaken
//     by the next one: the customer waits for the reply before writing.
//
// Every draw comes from the plan's seed and the conversation's id: the same
// seed makes the same faults.
type ChannelFaults struct {
	RedeliverRate      float64
	RedeliverAfter     time.Duration
	ReorderRate        float64
	DelayMin, DelayMax time.Duration
}

// Any reports whether the block asks for any fault.
func (f ChannelFaults) Any() bool {
	return f.RedeliverRate > 0 || f.ReorderRate > 0 || f.DelayMax > 0
}

var channelFaultsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "redeliver_rate"}, {Name: "redeliver_after"}, {Name: "reorder_rate"}, {Name: "delay"}},
}

// decodeChannelFaults decodes the optional channel_faults block.
func (d *decoder) decodeChannelFaults(b *hcl.Block) ChannelFaults {
	var f ChannelFaults
	if b == nil {
		return f
	}
	a, _ := d.content(b, channelFaultsSchema)
	a.Rate("redeliver_rate", &f.RedeliverRate)
	a.Duration("redeliver_after", &f.RedeliverAfter)
	a.Require("redeliver_after", f.RedeliverAfter >= 0, `a duration of 0 or more, e.g. "20s" (Meta re-delivers what was not acknowledged in time)`)
	a.Rate("reorder_rate", &f.ReorderRate)
	f.DelayMin, f.DelayMax, _ = a.DurationRange("delay", "500ms")
	return f
}
