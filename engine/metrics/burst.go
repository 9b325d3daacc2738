package metrics

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// Burst counts how the customers' thoughts typed as several messages
// (conversation.burst, double_text_rate) were answered. All zero when the
// plan sends every message whole. The reply to a burst is timed from its
// last message in reply, from its first in reply_from_first; the thoughts
// answered more than once are the snapshot's double_answers.
type Burst struct {
	Bursts    int64 `expr:"bursts" json:"bursts"`       // thoughts sent as more than one message
	Fragments int64 `expr:"fragments" json:"fragments"` // the messages they were sent as (follow-ups apart)
	// Replies counts the bursts' messages the bot answered before the
	// next one came; RepliesPerBurst is Replies over Bursts: 1 for a bot
	// that waits for the customer to finish, up to the fragments per
	// burst for one that answers each.
	Replies         int64   `expr:"replies" json:"replies"`
	RepliesPerBurst float64 `expr:"replies_per_burst" json:"replies_per_burst"`
	DoubleTexts     int64   `expr:"double_texts" json:"double_texts"` // follow-ups sent while a reply settled
}

// bursts is the Recorder's part for bursts: atomics.
type bursts struct {
	bursts, fragments, replies, doubleAnswers, doubleTexts atomic.Int64
}

// Burst records how one thought typed as several messages (or followed
// up) was answered; nil records nothing.
func (r *Recorder) Burst(b *transcript.Burst) {
	if b == nil {
		return
	}
	st := &r.burst
	if b.FollowedUp() {
		st.doubleTexts.Add(1)
	}
	if !b.Fragmented() {
		return
	}
	st.bursts.Add(1)
	for _, f := range b.Fragments {
		if !f.FollowUp {
			st.fragments.Add(1)
		}
	}
	st.replies.Add(int64(b.Answers))
	if b.Answers > 1 {
		st.doubleAnswers.Add(1)
	}
}

// ReplyFromFirst records the wait from a thought's first message to the
// reply's first callback (for a message sent whole, the reply's own
// latency); ok is false for a reply that failed otherwise than by timing
// out (counted, not timed).
func (r *Recorder) ReplyFromFirst(d time.Duration, ok bool) { r.replyFromFirst.add(d, ok) }

// ReplyFromFirstTimedOut records a wait that gave up after d from the
// thought's first message: failed, and timed at d (censored).
func (r *Recorder) ReplyFromFirstTimedOut(d time.Duration) { r.replyFromFirst.censor(d) }

func (st *bursts) snapshot() (Burst, int64) {
	b := Burst{Bursts: st.bursts.Load(), Fragments: st.fragments.Load(), Replies: st.replies.Load(),
		DoubleTexts: st.doubleTexts.Load()}
	b.derive()
	return b, st.doubleAnswers.Load()
}

// derive computes RepliesPerBurst from the counts.
func (b *Burst) derive() {
	b.RepliesPerBurst = 0
	if b.Bursts > 0 {
		b.RepliesPerBurst = math.Round(float64(b.Replies)/float64(b.Bursts)*1e6) / 1e6
	}
}

// plus sums two runs' burst counts.
func (b Burst) plus(o Burst) Burst {
	out := Burst{Bursts: b.Bursts + o.Bursts, Fragments: b.Fragments + o.Fragments, Replies: b.Replies + o.Replies,
		DoubleTexts: b.DoubleTexts + o.DoubleTexts}
	out.derive()
	return out
}
