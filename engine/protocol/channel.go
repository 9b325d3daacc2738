package protocol

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/internal/wait"
	"github.com/voyplan/voyplan/engine/plan/target"
)

// channel makes a target's channel faults (target.ChannelFaults) for the
// whatsapp and webhook protocols, and counts them. Its draws come from the
// plan's seed and, for each conversation, its user and how many
// conversations that user had before: the same seed makes the same faults,
// whatever the other users do meanwhile.
type channel struct {
	faults target.ChannelFaults
	seed   uint64

	mu     sync.Mutex
	opened map[int]uint64 // conversations opened per user

	redelivered, duplicateReplies, delayed, outOfOrder atomic.Uint64
}

// ChannelStats counts the channel faults made and what the bot did with
// them.
type ChannelStats struct {
	Redelivered      uint64 // messages delivered again, same id, after their turn's reply
	DuplicateReplies uint64 // the bot's answers to a re-delivered copy
	Delayed          uint64 // deliveries held back by channel_faults.delay
	OutOfOrder       uint64 // deliveries posted after one that became due later
}

func newChannel(f target.ChannelFaults, seed uint64) *channel {
	return &channel{faults: f, seed: seed, opened: map[int]uint64{}}
}

func (c *channel) stats() ChannelStats {
	return ChannelStats{Redelivered: c.redelivered.Load(), DuplicateReplies: c.duplicateReplies.Load(),
		Delayed: c.delayed.Load(), OutOfOrder: c.outOfOrder.Load()}
}

// open is a conversation's side of the channel.
func (c *channel) open(user int) *convChannel {
	c.mu.Lock()
	k := c.opened[user]
	c.opened[user] = k + 1
	c.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	key := uint64(user)<<32 | k
	return &convChannel{ch: c, posted: make(chan struct{}), ctx: ctx, cancel: cancel,
		msgs:     draws{rng: rand.New(rand.NewPCG(c.seed, key))},
		statuses: draws{rng: rand.New(rand.NewPCG(c.seed^0x5157415455534553, key))}} // "QWATUSES": a stream of its own
}

// draws is a stream of seeded draws. The session's own draws and the
// statuses' (made on the Graph API's goroutines) are apart, so neither
// changes the other's.
type draws struct {
	mu  sync.Mutex
	rng *rand.Rand
}

// chance draws true with probability rate.
func (d *draws) chance(rate float64) bool {
	if rate <= 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.Float64() < rate
}

// between draws a duration in [lo, hi].
func (d *draws) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return lo + time.Duration(d.rng.Int64N(int64(hi-lo)+1))
}

// convChannel is one conversation's deliveries: its draws, and the order
// its deliveries became due in (a sequence number each) against the order
// they were posted in.
type convChannel struct {
	ch *channel

	msgs, statuses draws

	mu     sync.Mutex    // guards due, last, posted, closed
	closed bool          // close began: nothing more runs beside the conversation
	due    uint64        // sequence numbers handed out
	last   uint64        // the highest sequence posted
	posted chan struct{} // closed (and replaced) when a delivery is posted

	// ctx ends when the conversation closes: deliveries the channel still
	// holds stop waiting.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// next hands out the sequence number of a delivery that became due.
func (cc *convChannel) next() uint64 {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.due++
	return cc.due
}

// hold keeps a delivery back as the faults say before it is posted: the
// delay (counted when not zero; from draws it), and, when reorder, until
// a delivery that became due after it went out. A delivery held back takes
// its place in the order when it becomes due (now, unless seq already
// says); one not held takes it when posted (seq 0). It reports false when
// ctx ended or the conversation closed first.
func (cc *convChannel) hold(ctx context.Context, from *draws, seq uint64, reorder bool) (uint64, bool) {
	f := cc.ch.faults
	d := from.between(f.DelayMin, f.DelayMax)
	if d <= 0 && !reorder {
		return seq, true
	}
	if seq == 0 {
		seq = cc.next()
	}
	if d > 0 {
		cc.ch.delayed.Add(1)
		if !wait.ForOrStop(ctx, d, cc.ctx.Done()) {
			return seq, false
		}
	}
	for reorder {
		cc.mu.Lock()
		overtaken, posted := cc.last > seq, cc.posted
		cc.mu.Unlock()
		if overtaken {
			return seq, true
		}
		select {
		case <-posted:
		case <-ctx.Done():
			return seq, false
		case <-cc.ctx.Done():
			return seq, false
		}
	}
	return seq, true
}

// post records that a delivery is being posted, and where it stands in the
// order (seq 0: here, as it was not held back); one posted after a later
// one is out of order.
func (cc *convChannel) post(seq uint64) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if seq == 0 {
		cc.due++
		seq = cc.due
	}
	if seq < cc.last {
		cc.ch.outOfOrder.Add(1)
	}
	cc.last = max(cc.last, seq)
	close(cc.posted)
	cc.posted = make(chan struct{})
}

// async runs f beside the conversation; close waits for it. Once close
// began, f is not run.
func (cc *convChannel) async(f func()) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.closed {
		return
	}
	cc.wg.Add(1)
	go func() {
		defer cc.wg.Done()
		f()
	}()
}

// close ends the holds and waits for the deliveries running beside the
// conversation.
func (cc *convChannel) close() {
	cc.mu.Lock()
	cc.closed = true
	cc.mu.Unlock()
	cc.cancel()
	cc.wg.Wait()
}
