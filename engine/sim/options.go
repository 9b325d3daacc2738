package sim

import (
	"math"
	"net/http"
	"sync/atomic"
	"time"
)

// Options configure the simulator's timing and its misbehaviour. The zero
// value is a prompt, well-behaved assistant.
type Options struct {
	Latency time.Duration // delay before each reply is delivered (default 0)
	Jitter  time.Duration // uniform extra delay in [0, Jitter)
	// LatencyPerInflight is added to a reply's delay once for each reply
	// in flight when it is queued, itself included (callback protocols):
	// an assistant whose latency grows with its load, so a capacity search
	// has a knee to find — at n conversations waiting on a reply, each
	// waits about Latency + n × LatencyPerInflight.
	LatencyPerInflight time.Duration
	PaymentDomain      string // links are https://pay.<PaymentDomain>/<24 lowercase hex>; default "smarttalks.ai"
	ImageEvery         int    // attach a park image (media item) to every n-th reply of a conversation; 0 never
	SplitEvery         int    // deliver every n-th reply as two callbacks, the second ~20ms after the first; 0 never
	// RewordFrom makes the n-th reply of each conversation and every later
	// one come in other words — a new build's copy: each text item is
	// Reworded, its links kept, so the flow (and a payment link) goes on
	// while a replay of an earlier run sees the replies diverge from that
	// turn on. 0 never.
	RewordFrom    int
	FailRate      float64 // fraction of POSTs answered with FailStatus (state not advanced)
	FailStatus    int     // status used for failures: 4xx or 5xx, default 500
	DropRate      float64 // fraction of replies never delivered
	DuplicateRate float64 // fraction of replies delivered twice, identical bodies
	LateRate      float64 // fraction of replies delayed by LateDelay on top of Latency
	LateDelay     time.Duration
	MalformedRate float64 // fraction of callbacks whose body is not valid JSON
	// CrosstalkRate is the fraction of replies, once the customer gave
	// their full name, that also carry another conversation's full name or
	// a payment link another conversation was sent (and answered): an
	// assistant mixing sessions. Stats.Crosstalk counts them. The widget
	// endpoint only.
	CrosstalkRate float64
	SlowPost      time.Duration // the POST itself takes this long before answering
	Seed          uint64        // for the fault draws and link ids; 0 = random
	// SignSecret, when set, signs every callback as Meta's webhooks are
	// signed: X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>.
	SignSecret string
	Client     *http.Client // delivers callbacks; default a tuned keep-alive client

	// Streaming (CompletionsPath with "stream": true, SSEPath): the first
	// content chunk goes FirstChunk after the request (a role-only chunk
	// at once), the next ones ChunkInterval apart, ChunkSize runes of text
	// each (default 24); every StallEvery-th chunk waits Stall instead; a
	// CutRate fraction of the streams end after half their chunks, without
	// their end marker.
	FirstChunk    time.Duration
	ChunkInterval time.Duration
	ChunkSize     int
	StallEvery    int
	Stall         time.Duration
	CutRate       float64
	// CloseRate is the fraction of WebSocket replies (WebSocketPath)
	// whose connection is closed half way, with 1011 (internal error).
	CloseRate float64
	// NotIdempotent makes the widget endpoint answer a message again when
	// it comes again with an Idempotency-Key it took before (a channel's
	// re-delivery); without it such a repeat is accepted and not answered.
	NotIdempotent bool
	// Debounce is how long the assistant waits after a customer's message
	// for another before it answers (widget and WhatsApp bot): messages
	// that come within it of each other are answered together, once, as
	// one text — a bot that lets the customer finish typing. 0 answers
	// each message as it comes.
	Debounce time.Duration
	// AnswersEachFragment is the bug of a bot that answers every message
	// at once instead of waiting for the customer to finish: Debounce is
	// ignored.
	AnswersEachFragment bool
}

const (
	defaultPaymentDomain = "smarttalks.ai"
	splitGap             = 20 * time.Millisecond // between the two callbacks of a split reply
)

// withDefaults fills defaults and clamps out-of-range values: negative
// durations and counts become 0, rates are clamped to [0, 1], and a
// FailStatus outside 400–599 becomes 500.
func (o Options) withDefaults() Options {
	if o.PaymentDomain == "" {
		o.PaymentDomain = defaultPaymentDomain
	}
	if o.FailStatus < 400 || o.FailStatus > 599 {
		o.FailStatus = http.StatusInternalServerError
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = defaultChunkSize
	}
	o.StallEvery = max(o.StallEvery, 0)
	for _, d := range []*time.Duration{&o.Latency, &o.Jitter, &o.LatencyPerInflight, &o.LateDelay, &o.SlowPost, &o.FirstChunk, &o.ChunkInterval, &o.Stall, &o.Debounce} {
		*d = max(*d, 0)
	}
	o.ImageEvery, o.SplitEvery, o.RewordFrom = max(o.ImageEvery, 0), max(o.SplitEvery, 0), max(o.RewordFrom, 0)
	for _, r := range []*float64{&o.FailRate, &o.DropRate, &o.DuplicateRate, &o.LateRate, &o.MalformedRate, &o.CutRate, &o.CloseRate, &o.CrosstalkRate} {
		*r = clampRate(*r)
	}
	return o
}

func clampRate(r float64) float64 {
	if math.IsNaN(r) || r < 0 {
		return 0
	}
	return min(r, 1)
}

// defaultClient returns the client used when Options.Client is nil: keep-
// alives on and many idle connections per host, since thousands of
// conversations call back to the same receiver.
func defaultClient() (*http.Client, *http.Transport) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0
	tr.MaxIdleConnsPerHost = 1024
	tr.IdleConnTimeout = 90 * time.Second
	tr.DialContext = stampDialer(tr.DialContext) // stamp.go: SentAtHeader at the write
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, tr
}

// Stats counts what the simulator did. Every field only grows.
type Stats struct {
	Received       uint64 // POSTs to the widget endpoint, whatever their outcome
	Invalid        uint64 // POSTs answered 400 (bad JSON or a missing field)
	Failed         uint64 // POSTs answered with FailStatus on purpose
	Delivered      uint64 // callbacks answered 2xx by the webhook
	Dropped        uint64 // replies never delivered on purpose
	Duplicated     uint64 // replies whose second copy was sent
	DeliveryErrors uint64 // callbacks that failed: transport error or non-2xx status
	Conversations  uint64 // distinct clientIdentifiers seen
	Completed      uint64 // payment links sent
	Crosstalk      uint64 // replies that carried another conversation's name or link (CrosstalkRate)
	// Repeats are messages that came again (the same Idempotency-Key, or
	// WhatsApp message id) and were not answered again.
	Repeats uint64
	// Statuses are the WhatsApp statuses webhooks the bot took, signature
	// checked.
	Statuses uint64
}

// counters are Stats as atomics.
type counters struct {
	received, invalid, failed, delivered, dropped, duplicated atomic.Uint64
	deliveryErrors, conversations, completed, crosstalk       atomic.Uint64
	repeats, statuses                                         atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Received:       c.received.Load(),
		Invalid:        c.invalid.Load(),
		Failed:         c.failed.Load(),
		Delivered:      c.delivered.Load(),
		Dropped:        c.dropped.Load(),
		Duplicated:     c.duplicated.Load(),
		DeliveryErrors: c.deliveryErrors.Load(),
		Conversations:  c.conversations.Load(),
		Completed:      c.completed.Load(),
		Crosstalk:      c.crosstalk.Load(),
		Repeats:        c.repeats.Load(),
		Statuses:       c.statuses.Load(),
	}
}
