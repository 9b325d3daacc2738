package metrics

import (
	"errors"
	"fmt"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Distribution is one timed operation of a run in a form that travels and
// merges: the exact counts and extremes, and the HDR histogram of the timed
// (successful) operations, V2-compressed and base64-encoded as every HDR
// implementation reads it. summary.json carries one per operation so that the
// runs of one plan on several machines (--segment) merge into the figures one
// run of all their users would have given: counts add, min and max are exact,
// and the percentiles are read from the sum of the histograms, so they are
// within the histogram's precision (0.1%) of the true ones, never an average
// of percentiles.
type Distribution struct {
	Count    int64   `json:"count"`              // operations, failed ones included
	Failed   int64   `json:"failed"`             // operations that failed (counted; timed only when censored)
	Censored int64   `json:"censored,omitempty"` // failed operations that timed out, timed at the time they waited
	Attempts int64   `json:"attempts,omitempty"` // requests made, retries included (send and llm)
	MinNS    int64   `json:"min_ns"`             // shortest timed operation, exact
	MaxNS    int64   `json:"max_ns"`             // longest, exact
	SumNS    float64 `json:"sum_ns"`             // sum of the timed operations, for the exact mean
	HDR      string  `json:"hdr"`                // the histogram (microseconds): hdrhistogram.Decode reads it
}

// DistributionNames lists the timed operations a Recorder exports, as
// thresholds name them: the _ok ones are their operation's successful
// samples only.
var DistributionNames = []string{"send", "reply", "llm", "llm_wait", "conversation", "send_ok", "reply_ok", "llm_ok",
	"first_token", "stall", "reply_from_first"}

// addedLater lists the distributions summaries written before them lack: a
// merge reads such a summary as having none of those operations.
var addedLater = map[string]bool{"first_token": true, "stall": true, "reply_from_first": true}

// okOf maps each _ok distribution to the operation it is the successful
// part of. Summaries written before timed-out waits were censored in lack
// the _ok distributions; their plain ones timed the successful operations
// only, so a merge reads those in their place.
var okOf = map[string]string{"send_ok": "send", "reply_ok": "reply", "llm_ok": "llm"}

// Distributions exports every timed operation's distribution, by name
// (DistributionNames). Like Snapshot, it is exact once every user has
// stopped.
func (r *Recorder) Distributions() (map[string]Distribution, error) {
	attempts := map[string]int64{"send": r.attempts.Load(), "llm": r.llmAttempts.Load(),
		"send_ok": r.attempts.Load(), "llm_ok": r.llmAttempts.Load()}
	out := make(map[string]Distribution, len(DistributionNames))
	for name, t := range r.allTimers() {
		d, err := t.distribution()
		if err != nil {
			return nil, fmt.Errorf("cannot export the %s distribution: %w", name, err)
		}
		d.Attempts = attempts[name]
		out[name] = d
	}
	return out, nil
}

// allTimers is every timed operation by name, llm_wait included (History
// samples only the four of timers).
func (r *Recorder) allTimers() map[string]*timer {
	return map[string]*timer{
		"send": r.send.all, "reply": r.reply.all, "llm": r.llm.all, "llm_wait": r.llmWait, "conversation": r.conversation,
		"send_ok": r.send.ok, "reply_ok": r.reply.ok, "llm_ok": r.llm.ok,
		"first_token": r.firstToken, "stall": r.stall, "reply_from_first": r.replyFromFirst,
	}
}

// distribution reads the timer in the order latency does (histogram under
// mu, then censored, failed, count), so count - failed + censored >= timed
// samples.
func (t *timer) distribution() (Distribution, error) {
	t.mu.Lock()
	snap := t.h.Export()
	d := Distribution{MinNS: int64(t.min), MaxNS: int64(t.max), SumNS: t.sum}
	t.mu.Unlock()
	d.Censored = t.censored.Load()
	d.Failed = t.failed.Load()
	d.Count = t.count.Load()
	enc, err := hdrhistogram.Import(snap).Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return Distribution{}, err
	}
	d.HDR = string(enc)
	return d, nil
}

// absorb adds the operations of d to t, as if t had recorded them too.
func (t *timer) absorb(d Distribution) error {
	if d.Count < 0 || d.Failed < 0 || d.Failed > d.Count || d.Censored < 0 || d.Censored > d.Failed {
		return fmt.Errorf("%d operations, %d failed, %d censored: impossible counts", d.Count, d.Failed, d.Censored)
	}
	var n int64
	if d.HDR != "" {
		h, err := hdrhistogram.Decode([]byte(d.HDR))
		if err != nil {
			return fmt.Errorf("cannot decode the histogram: %w", err)
		}
		if n = h.TotalCount(); n > d.Count-d.Failed+d.Censored {
			return fmt.Errorf("the histogram holds %d timings, more than the %d operations that succeeded or timed out",
				n, d.Count-d.Failed+d.Censored)
		}
		if dropped := t.h.Merge(h); dropped > 0 {
			return fmt.Errorf("%d timings are outside the histogram's range", dropped)
		}
	}
	t.count.Add(d.Count)
	t.failed.Add(d.Failed)
	t.censored.Add(d.Censored)
	if n == 0 {
		return nil
	}
	lo, hi := time.Duration(d.MinNS), time.Duration(d.MaxNS)
	if lo > hi || lo < 0 {
		return fmt.Errorf("min %s above max %s", lo, hi)
	}
	if t.h.TotalCount() == n || lo < t.min {
		t.min = lo
	}
	t.max = max(t.max, hi)
	t.sum += d.SumNS
	return nil
}

// Part is one run to merge: its final Snapshot (as summary.json carries it)
// and its Distributions. Name says where it comes from, in errors.
type Part struct {
	Name          string
	Snapshot      Snapshot
	Distributions map[string]Distribution
}

// Merge combines runs of one plan on several machines, each a slice of the
// virtual users, into the Snapshot and Distributions one run of all the
// users would have ended with. Counts of every kind add up — conversations
// by outcome, failure reasons, turns, late starts, drift, cost, webhook
// counters, active users, and each persona's — and what is derived from
// counts (success_rate, turns_avg, in_flight, pass_k) is computed afresh from
// the sums by the code a Recorder's snapshot uses. Latencies come from the
// merged distributions: counts and min, avg and max exact, percentiles from
// the summed histograms. Elapsed is the longest part's; the caller knows
// the wall-clock span and sets it.
func Merge(parts []Part) (Part, error) {
	if len(parts) == 0 {
		return Part{}, errors.New("nothing to merge")
	}
	out := Part{Snapshot: Snapshot{Personas: map[string]Conversations{}}, Distributions: map[string]Distribution{}}
	s := &out.Snapshot
	for _, p := range parts {
		s.Elapsed = max(s.Elapsed, p.Snapshot.Elapsed)
		s.Users += p.Snapshot.Users
		s.Conversations.add(p.Snapshot.Conversations)
		s.Cost = s.Cost.plus(p.Snapshot.Cost)
		s.Webhook = s.Webhook.plus(p.Snapshot.Webhook)
		s.WhatsApp = s.WhatsApp.plus(p.Snapshot.WhatsApp)
		s.Channel = s.Channel.plus(p.Snapshot.Channel)
		s.Assistant = s.Assistant.plus(p.Snapshot.Assistant)
		s.Stream = s.Stream.plus(p.Snapshot.Stream)
		s.Replay = s.Replay.plus(p.Snapshot.Replay)
		s.Burst, s.DoubleAnswers = s.Burst.plus(p.Snapshot.Burst), s.DoubleAnswers+p.Snapshot.DoubleAnswers
		s.Errors = mergeErrors(s.Errors, p.Snapshot.Errors)
		for _, f := range p.Snapshot.Unrecorded { // a figure one segment could not know, the sum cannot either
			if !slices.Contains(s.Unrecorded, f) {
				s.Unrecorded = append(s.Unrecorded, f)
			}
		}
		for name, c := range p.Snapshot.Personas {
			sum := s.Personas[name]
			sum.add(c)
			s.Personas[name] = sum
		}
	}
	s.Conversations.derive()
	s.SetElapsed(s.Elapsed)
	s.perSuccess()
	for name, c := range s.Personas {
		c.derive()
		c.derivePassK()
		s.Personas[name] = c
	}
	lats := s.latencies()
	for _, name := range DistributionNames {
		d, l, err := mergeDistribution(name, parts)
		if err != nil {
			return Part{}, err
		}
		out.Distributions[name] = d
		*lats[name] = l
	}
	return out, nil
}

// mergeDistribution merges one operation's distributions and reads its
// figures through a timer, as a Recorder would.
func mergeDistribution(name string, parts []Part) (Distribution, Latency, error) {
	t := newTimer()
	var attempts int64
	for _, p := range parts {
		d, ok := p.Distributions[name]
		if !ok && okOf[name] != "" {
			d, ok = p.Distributions[okOf[name]] // an older summary: its plain distribution timed only successes
		}
		if !ok && addedLater[name] {
			continue // an older summary: no streamed replies
		}
		if !ok {
			return Distribution{}, Latency{}, fmt.Errorf("%s: no %s distribution", p.Name, name)
		}
		if err := t.absorb(d); err != nil {
			return Distribution{}, Latency{}, fmt.Errorf("%s: the %s distribution: %w", p.Name, name, err)
		}
		attempts += d.Attempts
	}
	d, err := t.distribution()
	if err != nil {
		return Distribution{}, Latency{}, fmt.Errorf("cannot export the merged %s distribution: %w", name, err)
	}
	d.Attempts = attempts
	l := t.latency()
	l.Attempts = attempts
	return d, l, nil
}

// latencies points at the snapshot's timed operations by name.
func (s *Snapshot) latencies() map[string]*Latency {
	return map[string]*Latency{
		"send": &s.Send, "reply": &s.Reply, "llm": &s.LLM, "llm_wait": &s.LLMWait, "conversation": &s.Conversation,
		"send_ok": &s.SendOK, "reply_ok": &s.ReplyOK, "llm_ok": &s.LLMOK,
		"first_token": &s.FirstToken, "stall": &s.Stall, "reply_from_first": &s.ReplyFromFirst,
	}
}

// add sums o's counts into c; derive recomputes the rest.
func (c *Conversations) add(o Conversations) {
	c.Started += o.Started
	c.Succeeded += o.Succeeded
	c.Failed += o.Failed
	c.Abandoned += o.Abandoned
	c.Interrupted += o.Interrupted
	c.Turns += o.Turns
	c.LateStarts += o.LateStarts
	c.Dropped += o.Dropped
	c.SimulatorDrift += o.SimulatorDrift
	c.DataMismatch += o.DataMismatch
	c.Crosstalk += o.Crosstalk
	c.WithinSLO += o.WithinSLO
	c.Cost = c.Cost.plus(o.Cost)
	if c.Reasons == nil {
		c.Reasons = map[string]int64{}
	}
	for r, n := range o.Reasons {
		c.Reasons[r] += n
	}
}

func (c Cost) plus(o Cost) Cost {
	return Cost{
		USD:            c.USD + o.USD,
		Assistant:      c.Assistant + o.Assistant,
		InputTokens:    c.InputTokens + o.InputTokens,
		OutputTokens:   c.OutputTokens + o.OutputTokens,
		ThinkingTokens: c.ThinkingTokens + o.ThinkingTokens,
	}
}

func (a Assistant) plus(o Assistant) Assistant {
	return Assistant{
		Conversations: a.Conversations + o.Conversations,
		InputTokens:   a.InputTokens + o.InputTokens,
		OutputTokens:  a.OutputTokens + o.OutputTokens,
	}
}

func (w Webhook) plus(o Webhook) Webhook {
	return Webhook{
		Received:   w.Received + o.Received,
		Malformed:  w.Malformed + o.Malformed,
		Unmatched:  w.Unmatched + o.Unmatched,
		Duplicates: w.Duplicates + o.Duplicates,
		Late:       w.Late + o.Late,
		Refused:    w.Refused + o.Refused,
		RefusedBy: Refused{
			Connections: w.RefusedBy.Connections + o.RefusedBy.Connections,
			Token:       w.RefusedBy.Token + o.RefusedBy.Token,
			Signature:   w.RefusedBy.Signature + o.RefusedBy.Signature,
			Oversize:    w.RefusedBy.Oversize + o.RefusedBy.Oversize,
			Busy:        w.RefusedBy.Busy + o.RefusedBy.Busy,
		},
	}
}

// Timing accumulates the durations of one operation into the distribution a
// Recorder keeps for it (the same histogram, min, max and mean), for figures
// computed afresh from recorded timings — a merged run's history, whose
// interval percentiles cannot be taken from the segments' own.
type Timing struct{ t *timer }

// NewTiming returns an empty Timing.
func NewTiming() *Timing { return &Timing{t: newTimer()} }

// Add records one operation; a failed one is counted but not timed.
func (t *Timing) Add(d time.Duration, ok bool) { t.t.add(d, ok) }

// Latency is the figures of what was added, as a Snapshot gives them.
func (t *Timing) Latency() Latency { return t.t.latency() }

// Reset empties the Timing, keeping its histogram's memory.
func (t *Timing) Reset() {
	t.t.mu.Lock()
	defer t.t.mu.Unlock()
	t.t.h.Reset()
	t.t.min, t.t.max, t.t.sum = 0, 0, 0
	t.t.count.Store(0)
	t.t.failed.Store(0)
	t.t.censored.Store(0)
}

// TimedOut records an operation that timed out after waiting d: failed,
// and timed at d (censored), as a Recorder's send, reply and llm count it.
func (t *Timing) TimedOut(d time.Duration) { t.t.censor(d) }
