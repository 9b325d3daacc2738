package protocol

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/expr-lang/expr"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/voyplan/voyplan/engine/plan/target"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/webhook"
)

// Webhook is a generic asynchronous API: each message is a request that
// carries a callback URL, any 2xx answer means accepted, and the reply
// arrives later on the receiver. A callback is matched to its turn by its
// path (a URL per turn) or, with a callback match expression, by the
// conversation id in its body, when it goes to the turn its turn expression
// reads, or else to the turn in flight.
//
// It implements webhook.Decoder; FromPlan installs it on the receiver when
// callbacks are not Voyager payloads or are matched by their body.
type Webhook struct {
	API      *target.API
	Client   *http.Client
	Receiver *webhook.Receiver
	Wait     ReplyWait
	Retry    Retrying // a send answered 5xx or cut short, tried again
	// AssignGrace is how long a body-matched callback naming an id no
	// session holds waits for one to take it, when the assistant assigns
	// ids (session id_from): a fast assistant may call back before its
	// answer assigning the id has been read. 0: defaultAssignGrace.
	AssignGrace time.Duration

	// byID maps the ids a body-matched callback may name (conversation.id,
	// and session.id once assigned) to their open *webhookSession.
	byID sync.Map
	// mu guards added: nil, or a channel closed (and dropped) the next
	// time an id is added to byID.
	mu    sync.Mutex
	added chan struct{}

	seed   uint64
	chOnce sync.Once
	ch     *channel // API.Faults, made on the first Open
}

// SetSeed implements Seeded: channel faults are drawn from seed. Call it
// before the first conversation.
func (w *Webhook) SetSeed(seed uint64) { w.seed = seed }

// ChannelStats counts the channel faults made (channel_faults) and the
// bot's answers to re-delivered messages.
func (w *Webhook) ChannelStats() ChannelStats {
	if ch := w.channel(); ch != nil {
		return ch.stats()
	}
	return ChannelStats{}
}

// channel is the target's channel, nil when it has no faults.
func (w *Webhook) channel() *channel {
	w.chOnce.Do(func() {
		if w.API.Faults.Any() {
			w.ch = newChannel(w.API.Faults, w.seed)
		}
	})
	return w.ch
}

const defaultAssignGrace = 2 * time.Second

// Open implements Protocol.
func (w *Webhook) Open(c Conversation) Session {
	s := &webhookSession{w: w, conn: newAPIConn(w.API, c, w.Client, w.Retry), mailbox: w.Receiver.Open(c.ID)}
	if ch := w.channel(); ch != nil {
		s.cc = ch.open(c.User)
		s.mailbox.OnClosedTurn(s.closedTurn)
	}
	if w.byBody() {
		w.register(c.ID, s)
	}
	return s
}

// register files s under id and wakes the callbacks waiting for an id.
func (w *Webhook) register(id string, s *webhookSession) {
	s.ids = append(s.ids, id)
	w.byID.Store(id, s)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.added != nil {
		close(w.added)
		w.added = nil
	}
}

// nextAdd returns a channel closed when the next id is registered.
func (w *Webhook) nextAdd() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.added == nil {
		w.added = make(chan struct{})
	}
	return w.added
}

// lookup finds the session an id names, waiting up to AssignGrace for it
// when the assistant assigns ids.
func (w *Webhook) lookup(id string) (*webhookSession, bool) {
	var deadline <-chan time.Time
	for {
		added := w.nextAdd() // before Load, so a registration in between is not missed
		if s, ok := w.byID.Load(id); ok {
			return s.(*webhookSession), true
		}
		if w.API.Session.IDFrom == nil {
			return nil, false
		}
		if deadline == nil {
			grace := w.AssignGrace
			if grace <= 0 {
				grace = defaultAssignGrace
			}
			t := time.NewTimer(grace)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-added:
		case <-deadline:
			return nil, false
		}
	}
}

func (w *Webhook) byBody() bool { return w.API.Callback.Match != nil }

// Parse implements webhook.Decoder.
func (w *Webhook) Parse(body []byte) ([]transcript.Message, error) {
	return readItems(w.API.Callback.Reading, body, callbackEnv)
}

// Route implements webhook.Decoder: the conversation the callback's match
// expression names, at its turn in flight.
func (w *Webhook) Route(body []byte) (string, int, bool) {
	if !w.byBody() {
		return "", 0, false
	}
	decoded, err := decodeJSON(body)
	if err != nil {
		return "", 0, false
	}
	v, err := expr.Run(w.API.Callback.Match.Program, callbackEnv(decoded))
	if err != nil {
		return "", 0, false
	}
	id, ok := idString(v)
	if !ok {
		return "", 0, false
	}
	s, ok := w.lookup(id)
	if !ok {
		return "", 0, false
	}
	inFlight := int(s.turn.Load())
	return s.conn.conv.ID, w.turnOf(decoded, inFlight), true
}

// turnOf is the turn a body-matched callback answers: the one its turn
// expression reads, when the plan has one and it names a turn already sent,
// else the turn in flight. A callback for an earlier turn is filed under
// it, and so counted late there, not taken as part of the current reply.
func (w *Webhook) turnOf(decoded any, inFlight int) int {
	x := w.API.Callback.Turn
	if x == nil {
		return inFlight
	}
	v, err := expr.Run(x.Program, callbackEnv(decoded))
	if err != nil {
		return inFlight
	}
	n, ok := turnNumber(v)
	if !ok || n < 1 || n > inFlight {
		return inFlight
	}
	return n
}

// turnNumber reads a turn number: a whole JSON number or a string of
// digits.
func turnNumber(v any) (int, bool) {
	switch v := v.(type) {
	case float64:
		if v == math.Trunc(v) && v >= 0 && v <= math.MaxInt32 {
			return int(v), true
		}
	case int:
		return v, true
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	return 0, false
}

type webhookSession struct {
	w       *Webhook
	conn    *apiConn
	mailbox *webhook.Mailbox
	turn    atomic.Int64 // the turn in flight, for body-matched callbacks
	ids     []string     // keys of this session in w.byID
	cc      *convChannel // nil without channel faults
	// copied holds the turns whose message was re-delivered (the copy
	// posted): a callback for one of them after it closed answers the
	// copy. Read by the receiver's goroutines.
	copied sync.Map
}

// Exchange implements Session.
func (s *webhookSession) Exchange(ctx context.Context, n int, text string) (Turn, error) {
	if s.cc != nil {
		return s.exchangeFaulty(ctx, n, text)
	}
	t, err := s.send(ctx, n, text)
	if err != nil {
		return t, err
	}
	return s.await(ctx, n, t)
}

// burst sends a thought as several messages to turn n (burst.go).
func (s *webhookSession) burst(ctx context.Context, n int, b Burst) (Turn, error) {
	return asyncBurst(ctx, s.mailbox, n, s.w.Wait, b, func(ctx context.Context, text string) (Turn, error) {
		return s.send(ctx, n, text)
	})
}

// send makes the request of one message of turn n, without waiting for
// the reply.
func (s *webhookSession) send(ctx context.Context, n int, text string) (Turn, error) {
	t := Turn{SentAt: time.Now(), Attempts: 1}
	s.turn.Store(int64(n))
	r, o, attempts, err := s.conn.send(ctx, n, text, s.callbackURL(ctx, n))
	t.Send, t.Status, t.Attempts = time.Since(t.SentAt), r.status, attempts
	return s.afterSend(ctx, n, t, r, o, err)
}

// afterSend checks a message's send; it does not wait for the reply.
func (s *webhookSession) afterSend(ctx context.Context, n int, t Turn, r response, o outgoing, err error) (Turn, error) {
	switch {
	case ctx.Err() != nil:
		return t, ctx.Err()
	case err != nil:
		return t, &SendError{Status: r.status, Err: err}
	case !r.ok():
		return t, statusError(r, o)
	}
	if id, ok := s.conn.capture(r); ok && s.w.byBody() {
		s.w.register(id, s)
	}
	return t, nil
}

// callbackURL is where turn n's reply is to be delivered: the turn's own
// URL, or the shared one when callbacks are matched by their body; with
// the turn's trace context in its query when the callback block asks
// (traceparent = true) and the run is traced.
func (s *webhookSession) callbackURL(ctx context.Context, n int) string {
	u := s.mailbox.URL(n)
	if s.w.byBody() {
		u = s.w.Receiver.SharedURL()
	}
	if s.w.API.Callback.TraceParent {
		u = withTraceContext(ctx, u)
	}
	return u
}

// withTraceContext adds the W3C trace context ctx carries (traceparent,
// and tracestate when there is one) to u's query; u as it is when ctx
// carries none (the run is not traced).
func withTraceContext(ctx context.Context, u string) string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return u
	}
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	q := url.Values{}
	for _, k := range carrier.Keys() {
		q.Set(k, carrier.Get(k))
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + q.Encode()
}

// await waits for turn n's callbacks, as the Voyager protocol does.
func (s *webhookSession) await(ctx context.Context, n int, t Turn) (Turn, error) {
	err := awaitReply(ctx, s.mailbox, n, s.w.Wait, &t)
	return t, err
}

// Late implements Session.
func (s *webhookSession) Late() map[int][]transcript.Message { return s.mailbox.Late() }

// Close implements Session.
func (s *webhookSession) Close() {
	if s.cc != nil {
		s.cc.close()
	}
	for _, id := range s.ids {
		s.w.byID.CompareAndDelete(id, s)
	}
	s.mailbox.Close()
}
