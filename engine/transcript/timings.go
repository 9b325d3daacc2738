package transcript

import (
	"iter"
	"math"
	"time"
)

// Timing is one timed operation read back from a conversation, as the
// metric of that name times it (metrics.Recorder): Metric is "send",
// "reply", "reply_ok", "llm", "first_token", "stall" or "conversation";
// At is when the operation ended; Censored marks a wait that ran out of
// time, timed at the time it waited.
type Timing struct {
	Metric   string
	At       time.Time
	MS       float64
	Censored bool
}

// Timings yields the timings of c in the order they happened. It is the
// one reading of a transcript's timings — the samples compare bootstraps,
// the report's histograms and the history merge rebuilds — so they agree
// with each other and with the live metrics:
//
//   - reply is every reply that came and the wait that timed out (the last
//     turn of a conversation that failed with reply_timeout), censored at
//     the time it waited, from the POST to the end of the conversation, as
//     the run timed it; reply_ok is the replies that came;
//   - send is every accepted POST (a send that timed out is not told apart
//     from one refused in a transcript, so neither is in it);
//   - first_token and stall are the streamed replies', conversation the
//     completed conversations'.
func (c *Conversation) Timings() iter.Seq[Timing] {
	return func(yield func(Timing) bool) {
		for i := range c.Turns {
			if !turnTimings(&c.Turns[i], yield) {
				return
			}
		}
		if n := len(c.Turns); c.Reason == ReasonReplyTimeout && n > 0 && c.Turns[n-1].ReplyMS == nil {
			waited := c.EndedAt.Sub(c.Turns[n-1].SentAt)
			if !yield(Timing{Metric: "reply", At: c.EndedAt, MS: Ms(waited), Censored: true}) {
				return
			}
		}
		if c.Outcome == Completed {
			yield(Timing{Metric: "conversation", At: c.EndedAt, MS: c.DurationMS})
		}
	}
}

// turnTimings yields the timings of one turn; false when yield stopped.
func turnTimings(t *Turn, yield func(Timing) bool) bool {
	after := func(ms float64) time.Time { return t.SentAt.Add(Duration(ms)) }
	if t.LLM != nil && !yield(Timing{Metric: "llm", At: t.SentAt, MS: t.LLM.MS}) {
		return false
	}
	if t.Status >= 200 && t.Status < 300 && !yield(Timing{Metric: "send", At: after(t.SendMS), MS: t.SendMS}) {
		return false
	}
	if s := t.Stream; s != nil && s.FirstTokenMS != nil {
		if !yield(Timing{Metric: "first_token", At: after(*s.FirstTokenMS), MS: *s.FirstTokenMS}) {
			return false
		}
		end := *s.FirstTokenMS
		if t.ReplyMS != nil {
			end = *t.ReplyMS
		}
		if !yield(Timing{Metric: "stall", At: after(end), MS: s.StallMS}) {
			return false
		}
	}
	if t.ReplyMS != nil {
		at := after(*t.ReplyMS)
		return yield(Timing{Metric: "reply", At: at, MS: *t.ReplyMS}) &&
			yield(Timing{Metric: "reply_ok", At: at, MS: *t.ReplyMS})
	}
	return true
}

// Duration is a transcript's milliseconds as a duration, to the nearest
// nanosecond: the inverse of Ms.
func Duration(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}
