package live

import (
	"sort"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/voyplan/voyplan/engine/metrics"
)

// namespace prefixes every series.
const namespace = "voyplan"

// Identity is the run a series belongs to: constant labels on every
// series, so that the segments of one run (--segment) and several runs
// land apart in one Prometheus.
type Identity struct {
	Plan    string // the plan's name
	RunID   string // one run; the segments of a run share it
	Segment string // "2/8"; "1/1" for a whole run
}

func (id Identity) labels() prometheus.Labels {
	return prometheus.Labels{"plan": id.Plan, "run_id": id.RunID, "segment": id.Segment}
}

// Source is what a Collector reads.
type Source struct {
	Recorder *metrics.Recorder
	// Stage names the stage the schedule is in, for the gauges' stage
	// label; nil: the label is empty.
	Stage func() string
}

// histograms maps each timed operation (metrics.BucketNames) to its series.
var histograms = map[string]string{
	"send": "send_duration_seconds", "reply": "reply_duration_seconds", "llm": "llm_duration_seconds",
	"conversation": "conversation_duration_seconds", "first_token": "first_token_duration_seconds",
	"stall": "stall_duration_seconds",
}

// Collector is a prometheus.Collector of a run's Recorder: every Collect
// reads a fresh snapshot, so a scrape or a push always sends the figures
// of that instant, and the Recorder's hot path is untouched.
type Collector struct {
	src   Source
	descs map[string]*prometheus.Desc
}

// NewCollector returns a Collector of src's figures labelled with id.
func NewCollector(src Source, id Identity) *Collector {
	c := &Collector{src: src, descs: map[string]*prometheus.Desc{}}
	for _, s := range series {
		c.descs[s.name] = prometheus.NewDesc(namespace+"_"+s.name, s.help, s.labels, id.labels())
	}
	return c
}

// Describe sends every series' description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect sends the figures of this instant.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.src.Recorder.Snapshot(0)
	stage := ""
	if c.src.Stage != nil {
		stage = c.src.Stage()
	}
	e := emitter{c: c, ch: ch}
	e.conversations(s, stage)
	e.operations(s)
	e.cost(s)
	e.webhook(s.Webhook)
	e.customers(s)
	e.whatsapp(s.WhatsApp)
	e.gauge("users", float64(s.Users), stage)
	for op, name := range histograms {
		b, _ := c.src.Recorder.Buckets(op)
		e.histogram(name, b)
	}
}

// emitter sends one Collect's metrics.
type emitter struct {
	c  *Collector
	ch chan<- prometheus.Metric
}

func (e emitter) counter(name string, v float64, labels ...string) {
	e.ch <- prometheus.MustNewConstMetric(e.c.descs[name], prometheus.CounterValue, v, labels...)
}

func (e emitter) gauge(name string, v float64, labels ...string) {
	e.ch <- prometheus.MustNewConstMetric(e.c.descs[name], prometheus.GaugeValue, v, labels...)
}

func (e emitter) histogram(name string, b metrics.Buckets) {
	buckets := make(map[float64]uint64, len(metrics.BucketBounds))
	for i, d := range metrics.BucketBounds {
		buckets[d.Seconds()] = b.Cumulative[i]
	}
	e.ch <- prometheus.MustNewConstHistogram(e.c.descs[name], b.Count, b.Sum.Seconds(), buckets)
}

// conversations sends the conversation counters and the in-flight gauge,
// by persona, in a stable order.
func (e emitter) conversations(s metrics.Snapshot, stage string) {
	for _, p := range sortedKeys(s.Personas) {
		c := s.Personas[p]
		e.counter("conversations_started_total", float64(c.Started), p)
		e.counter("conversations_completed_total", float64(c.Succeeded), p)
		e.counter("conversations_abandoned_total", float64(c.Abandoned), p)
		e.counter("conversations_interrupted_total", float64(c.Interrupted), p)
		e.counter("conversations_dropped_total", float64(c.Dropped), p)
		e.counter("conversations_late_starts_total", float64(c.LateStarts), p)
		e.counter("turns_total", float64(c.Turns), p)
		e.counter("conversations_crosstalk_total", float64(c.Crosstalk), p)
		for _, r := range sortedKeys(c.Reasons) {
			e.counter("conversations_failed_total", float64(c.Reasons[r]), p, r)
		}
		e.gauge("conversations_in_flight", float64(c.InFlight), p, stage)
	}
}

// operations sends the counts of each timed operation.
func (e emitter) operations(s metrics.Snapshot) {
	ops := []struct {
		name string
		l    metrics.Latency
	}{{"send", s.Send}, {"reply", s.Reply}, {"llm", s.LLM}, {"first_token", s.FirstToken}}
	for _, op := range ops {
		e.counter("operations_total", float64(op.l.Count), op.name)
		e.counter("operations_failed_total", float64(op.l.Failed), op.name)
		e.counter("operations_timed_out_total", float64(op.l.Censored), op.name)
	}
	e.counter("send_attempts_total", float64(s.Send.Attempts))
	e.counter("stream_replies_total", float64(s.Stream.Replies))
	e.counter("stream_incomplete_total", float64(s.Stream.Incomplete))
}

// cost sends what the simulated customers' model calls cost, and the
// assistant's own tokens.
func (e emitter) cost(s metrics.Snapshot) {
	e.counter("llm_cost_usd_total", s.Cost.USD)
	e.counter("llm_tokens_total", float64(s.Cost.InputTokens), "input")
	e.counter("llm_tokens_total", float64(s.Cost.OutputTokens), "output")
	e.counter("llm_tokens_total", float64(s.Cost.ThinkingTokens), "thinking")
	e.counter("assistant_tokens_total", float64(s.Assistant.InputTokens), "input")
	e.counter("assistant_tokens_total", float64(s.Assistant.OutputTokens), "output")
	e.counter("assistant_cost_usd_total", s.Cost.Assistant)
}

// customers sends how the customers typed (bursts, double texts), what
// the channel did to their messages, and how replayed conversations went.
func (e emitter) customers(s metrics.Snapshot) {
	b := s.Burst
	e.counter("bursts_total", float64(b.Bursts))
	e.counter("burst_fragments_total", float64(b.Fragments))
	e.counter("burst_replies_total", float64(b.Replies))
	e.counter("double_answers_total", float64(s.DoubleAnswers))
	e.counter("double_texts_total", float64(b.DoubleTexts))
	ch := s.Channel
	for kind, n := range map[string]int64{"redelivered": ch.Redelivered, "duplicate_replies": ch.DuplicateReplies,
		"delayed": ch.Delayed, "out_of_order": ch.OutOfOrder} {
		e.counter("channel_faults_total", float64(n), kind)
	}
	e.counter("replay_conversations_total", float64(s.Replay.Conversations))
	e.counter("replay_diverged_total", float64(s.Replay.Diverged))
	e.counter("replay_matched_turns_total", float64(s.Replay.MatchedTurns))
}

// whatsapp sends a whatsapp target's counters, each a kind named as
// thresholds name it (whatsapp.auth_failures: kind="auth_failures").
func (e emitter) whatsapp(w metrics.WhatsApp) {
	for kind, n := range map[string]int64{"deliveries": w.Deliveries, "signature_refused": w.SignatureRefused,
		"delivery_failed": w.DeliveryFailed, "graph_calls": w.GraphCalls, "messages": w.Messages, "text": w.Text,
		"media": w.Media, "interactive": w.Interactive, "templates": w.Templates, "with_context": w.WithContext,
		"read_marks": w.ReadMarks, "auth_failures": w.AuthFailures, "unknown_recipients": w.UnknownRecipients,
		"unknown_phone": w.UnknownPhone, "malformed": w.Malformed, "oversize": w.Oversize,
		"statuses": w.Statuses, "status_failed": w.StatusFailed} {
		e.counter("whatsapp_events_total", float64(n), kind)
	}
}

// webhook sends the receiver's counters.
func (e emitter) webhook(w metrics.Webhook) {
	e.counter("webhook_received_total", float64(w.Received))
	for reason, n := range map[string]int64{"malformed": w.Malformed, "unmatched": w.Unmatched,
		"duplicate": w.Duplicates, "late": w.Late} {
		e.counter("webhook_discarded_total", float64(n), reason)
	}
	r := w.RefusedBy
	for reason, n := range map[string]int64{"connections": r.Connections, "token": r.Token,
		"signature": r.Signature, "oversize": r.Oversize, "busy": r.Busy} {
		e.counter("webhook_refused_total", float64(n), reason)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
