package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/internal/wait"
)

const (
	// Path is the widget endpoint, the only one the simulator serves.
	Path = "/v1/webhooks/widget"
	// SentAtHeader carries, on every callback, the simulator's wall clock in
	// Unix nanoseconds taken right before the callback's bytes are written
	// to the socket (with Options.Client set: right before the POST).
	SentAtHeader = "X-Voyplan-Sim-Sent-At"

	shardCount   = 64
	maxBodyBytes = 1 << 20
)

// Server is a Voyager-compatible assistant. It implements http.Handler for
// POST Path; Listen also serves it on an address.
type Server struct {
	opts   Options
	client *http.Client
	owned  *http.Transport // the default client's transport, closed by Close; nil for Options.Client

	ctx    context.Context // cancelled by Close: aborts waits and deliveries
	cancel context.CancelFunc
	track  *tracker
	rng    *lockedRand
	stats  counters
	// pending counts the replies queued and not yet taken for delivery:
	// the replies in flight LatencyPerInflight slows each new one by.
	pending atomic.Int64
	seed    maphash.Seed
	shards  [shardCount]shard
	sse     sseConversations
	ws      sseConversations         // the WebSocket endpoint's, by conversation id
	wa      atomic.Pointer[WhatsApp] // the bot mode's settings; nil: off
	leaks   leakPool                 // what CrosstalkRate draws from (crosstalk.go)

	srv *http.Server // set by Listen
	url string

	closeOnce sync.Once
	closeErr  error
}

// shard holds a slice of the conversations.
type shard struct {
	mu sync.Mutex
	// conv maps a clientIdentifier to its conversation. A conversation's
	// fields are read and written only with mu held, and each conversation
	// has at most one armed timer or delivering goroutine at a time, which
	// is what keeps its replies in order.
	conv map[string]*conversation
}

// conversation is one clientIdentifier's state: the dialogue, and the
// replies computed but not yet delivered.
type conversation struct {
	dialogue dialogue
	replies  int             // replies computed so far, for ImageEvery and SplitEvery
	queue    []*delivery     // pending replies, oldest first
	timer    *time.Timer     // armed for queue[0]; nil when none is armed
	busy     bool            // a goroutine is delivering a reply taken off the queue
	seen     map[string]bool // the idempotency keys (WhatsApp: message ids) taken; nil until one came
	leak     leakState       // its part in cross-talk (crosstalk.go)
	held     held            // messages waiting for the customer to finish typing (debounce.go)
}

// New returns a simulator; it starts nothing until it gets a request.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		opts: opts, client: opts.Client, ctx: ctx, cancel: cancel,
		track: newTracker(), rng: newLockedRand(opts.Seed), seed: maphash.MakeSeed(),
	}
	if s.client == nil {
		s.client, s.owned = defaultClient()
	}
	for i := range s.shards {
		s.shards[i].conv = make(map[string]*conversation)
	}
	return s
}

// Listen binds addr (for example "127.0.0.1:0") and serves the simulator on
// it in a goroutine until Close.
func Listen(addr string, opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	s := New(opts)
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + dialable(ln.Addr()) + Path
	s.track.add()
	go func() {
		defer s.track.done()
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed once Close runs
	}()
	return s, nil
}

// dialable turns a listening address into one a client can dial: an
// unspecified IP (0.0.0.0, ::) becomes loopback.
func dialable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
}

// URL returns the widget endpoint's absolute URL after Listen, "" for a
// Server made by New.
func (s *Server) URL() string { return s.url }

// BaseURL is URL without its path (http://host:port): CompletionsPath and
// SSEPath are under it.
func (s *Server) BaseURL() string { return strings.TrimSuffix(s.url, Path) }

// Stats returns the counters so far.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// Close stops the listener, cancels pending deliveries and waits for every
// goroutine and timer the server started. It is safe to call twice.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.track.close()
		s.cancel()
		if s.srv != nil {
			s.closeErr = s.srv.Close()
		}
		s.disarmAll()
		s.track.wait()
		if s.owned != nil {
			s.owned.CloseIdleConnections()
		}
	})
	return s.closeErr
}

// disarmAll stops every armed timer and forgets every pending reply.
func (s *Server) disarmAll() {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for _, c := range sh.conv {
			if c.timer != nil && c.timer.Stop() {
				s.track.done()
			}
			c.timer, c.queue = nil, nil
			s.dropHeld(c) // debounce.go
		}
		sh.mu.Unlock()
	}
}

// enter counts a request in for Close to wait on (the caller defers
// s.track.done()); false, with a 503 written, once the server is closing.
func (s *Server) enter(w http.ResponseWriter) bool {
	if !s.track.add() {
		writeJSON(w, http.StatusServiceUnavailable, errorBody("simulator closed"))
		return false
	}
	return true
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == WebSocketPath {
		s.serveWS(w, r)
		return
	}
	if r.URL.Path == WhatsAppPath {
		if !s.enter(w) {
			return
		}
		defer s.track.done()
		s.serveWhatsApp(w, r)
		return
	}
	stream := r.URL.Path == CompletionsPath || r.URL.Path == SSEPath
	if !stream && r.URL.Path != Path {
		writeJSON(w, http.StatusNotFound, errorBody("not found"))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody("method not allowed"))
		return
	}
	if !s.enter(w) {
		return
	}
	defer s.track.done()
	s.stats.received.Add(1)
	if stream {
		s.serveStream(w, r)
		return
	}
	s.handleMessage(w, r)
}

// serveWS answers WebSocketPath: a GET upgrading to a WebSocket, held
// while the connection lasts (Close ends it).
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody("method not allowed: open a WebSocket with GET"))
		return
	}
	if !s.enter(w) {
		return
	}
	defer s.track.done()
	s.serveWebSocket(w, r)
}

// serveStream answers the chat completions and SSE endpoints, once
// ServeHTTP has checked the method and counted the request.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request) {
	if !s.pause(r.Context(), s.opts.SlowPost) {
		return
	}
	if r.URL.Path == SSEPath {
		s.serveSSE(w, r)
		return
	}
	s.serveCompletions(w, r)
}

// handleMessage validates one message, plays SlowPost and FailRate, and
// accepts it.
func (s *Server) handleMessage(w http.ResponseWriter, r *http.Request) {
	msg, err := decodeMessage(w, r)
	if err != nil {
		s.stats.invalid.Add(1)
		writeJSON(w, http.StatusBadRequest, errorBody(err.Error()))
		return
	}
	if !s.pause(r.Context(), s.opts.SlowPost) {
		writeJSON(w, http.StatusServiceUnavailable, errorBody("interrupted"))
		return
	}
	if s.rng.hit(s.opts.FailRate) {
		s.stats.failed.Add(1)
		writeJSON(w, s.opts.FailStatus, errorBody("simulated failure"))
		return
	}
	s.accept(msg, r.Header.Get("Idempotency-Key"), time.Now())
	h := w.Header()
	h["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(acceptedBody) // the client may be gone; nothing to do then
}

// acceptedBody is what writeJSON writes for {"status": "accepted"}, made
// once: every message gets it (the simulator's hot path, issue 16).
var (
	acceptedBody    = []byte(`{"status":"accepted"}` + "\n")
	jsonContentType = []string{"application/json"}
)

// message is the widget API's request body (VOYAGER.md §1).
type message struct {
	Type             string `json:"type"`
	Text             string `json:"text"`
	ChannelID        string `json:"channelId"`
	ClientIdentifier string `json:"clientIdentifier"`
	Webhook          string `json:"webhook"`
}

func decodeMessage(w http.ResponseWriter, r *http.Request) (message, error) {
	var m message
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&m); err != nil {
		return m, errors.New("invalid JSON body")
	}
	return m, m.validate()
}

func (m message) validate() error {
	switch {
	case m.Type != "" && m.Type != "text":
		return fmt.Errorf("unsupported type %q", m.Type)
	case strings.TrimSpace(m.Text) == "":
		return errors.New("missing text")
	case strings.TrimSpace(m.ClientIdentifier) == "":
		return errors.New("missing clientIdentifier")
	case m.Webhook == "":
		return errors.New("missing webhook")
	}
	u, err := url.Parse(m.Webhook)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("webhook must be an absolute http(s) URL")
	}
	return nil
}

func errorBody(msg string) map[string]string { return map[string]string{"error": msg} }

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body) // the client may be gone; nothing to do then
}

// pause waits d, or less if ctx or the server ends first; it reports
// whether the whole wait happened.
func (s *Server) pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	return wait.ForOrStop(ctx, d, s.ctx.Done())
}

func (s *Server) shardFor(id string) *shard {
	return &s.shards[maphash.String(s.seed, id)%shardCount]
}

// accept runs one message through its conversation's dialogue and queues
// the reply. Messages of one conversation are processed in arrival order.
// A message with an idempotency key its conversation took before is a
// re-delivery: not answered again, unless NotIdempotent.
func (s *Server) accept(m message, key string, now time.Time) {
	sh := s.shardFor(m.ClientIdentifier)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	c := sh.conv[m.ClientIdentifier]
	if c == nil {
		c = &conversation{}
		sh.conv[m.ClientIdentifier] = c
		s.stats.conversations.Add(1)
	}
	if s.repeat(c, key, s.opts.NotIdempotent) {
		return
	}
	answer := func(text string, now time.Time) { s.answer(sh, c, text, m.Webhook, now) }
	if !s.hold(sh, c, m.Text, answer) { // debounce.go
		answer(m.Text, now)
	}
}

// answer runs a customer's text through the conversation's dialogue and
// queues the reply to webhook. The caller holds sh.mu.
func (s *Server) answer(sh *shard, c *conversation, text, webhook string, now time.Time) {
	out := s.reply(c, &c.dialogue, &c.leak, text, env{now: now, link: s.paymentLink})
	if out.paid {
		s.stats.completed.Add(1)
	}
	c.replies++
	s.enqueue(sh, c, webhook, s.items(c.replies, out.texts), now)
}

// repeat reports whether key was taken before by c and is not answered
// again (counted); it remembers key.
func (s *Server) repeat(c *conversation, key string, answerAgain bool) bool {
	if key == "" {
		return false
	}
	if c.seen[key] && !answerAgain {
		s.stats.repeats.Add(1)
		return true
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[key] = true
	return false
}

func (s *Server) paymentLink() string {
	return "https://pay." + s.opts.PaymentDomain + "/" + s.rng.hex24()
}
