package metrics

import "github.com/voyplan/voyplan/engine/transcript"

// MaxPassK is the largest k pass^k is reported for.
const MaxPassK = 8

// PassK estimates pass^k — the chance that k conversations all succeed —
// from n judged conversations of which c succeeded, as C(c,k)/C(n,k), for
// k = 1..min(n, MaxPassK). nil when n is 0.
func PassK(c, n int64) map[int]float64 {
	if n <= 0 {
		return nil
	}
	out := make(map[int]float64, min(n, MaxPassK))
	p := 1.0
	for k := int64(1); k <= min(n, MaxPassK); k++ {
		// C(c,k)/C(n,k) = Π_{i<k} (c-i)/(n-i)
		p *= float64(max(c-(k-1), 0)) / float64(n-(k-1))
		out[int(k)] = p
	}
	return out
}

// llmLatency is t's figures (llm or llm_ok), with the requests the
// generations took.
func (r *Recorder) llmLatency(t *timer) Latency {
	l := t.latency()
	l.Attempts = r.llmAttempts.Load()
	return l
}

// character counts a conversation's customer messages that broke
// character, and the assistant's replies that carried another customer's
// data.
func (t *tally) character(c *transcript.Conversation) {
	for _, turn := range c.Turns {
		if len(turn.Drift) > 0 {
			t.drift.Add(1)
		}
		if len(turn.DataMismatch) > 0 {
			t.mismatch.Add(1)
		}
		if len(turn.Crosstalk) > 0 {
			t.crosstalk.Add(1)
		}
	}
}
