package protocoltest

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/internal/wait"

	"github.com/voyplan/voyplan/engine/sim"
)

// Options are what every bot shares.
type Options struct {
	Listen  string        // address to serve on; default 127.0.0.1:0
	Token   string        // when set, a request must carry "Authorization: Bearer <Token>" or gets 401
	Latency time.Duration // the assistant's think time before each reply
	Sim     sim.Options   // the dialogue's ImageEvery, PaymentDomain and Seed
}

// Stats count what a bot saw.
type Stats struct {
	Requests     int64 // requests to its endpoint
	Unauthorized int64 // answered 401
	Rejected     int64 // answered 4xx for a malformed request
	Replies      int64 // replies sent (responses or callbacks delivered)
}

// server is the part every bot shares: the listener, the dialogues and the
// goroutines it starts.
type server struct {
	opts Options
	url  string
	srv  *http.Server
	sim  *sim.Server

	ctx    context.Context // cancelled by Close: ends latencies and callbacks
	cancel context.CancelFunc
	wg     sync.WaitGroup // the serving goroutine and callbacks in flight

	requests, unauthorized, rejected, replies atomic.Int64

	// mu guards convs and next. A conversation's dialogue is used only with
	// mu held, so its replies are computed in the order messages arrive.
	mu    sync.Mutex
	convs map[string]*conversation
	next  int
}

// conversation is one conversation the bot holds.
type conversation struct {
	dialogue *sim.Dialogue
	customer map[string]string // the customer data the requests carried, if any
}

func newServer(o Options) *server {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &server{opts: o, sim: sim.New(o.Sim), ctx: ctx, cancel: cancel, convs: make(map[string]*conversation)}
}

// start binds the address and serves h in a goroutine until Close.
func (s *server) start(h http.Handler) error {
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", s.opts.Listen, err)
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln) // http.ErrServerClosed after Close
	}()
	return nil
}

// URL is the bot's base URL, http://host:port.
func (s *server) URL() string { return s.url }

// Stats returns the counters so far.
func (s *server) Stats() Stats {
	return Stats{
		Requests:     s.requests.Load(),
		Unauthorized: s.unauthorized.Load(),
		Rejected:     s.rejected.Load(),
		Replies:      s.replies.Load(),
	}
}

// Close stops serving, cancels the callbacks not yet delivered and waits
// for every goroutine the bot started.
func (s *server) Close() error {
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	s.wg.Wait()
	return err
}

// Customer returns the customer data the requests of conversation key
// carried (nil when none did).
func (s *server) Customer(key string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.convs[key]; c != nil {
		return c.customer
	}
	return nil
}

// Conversations is how many conversations the bot has held.
func (s *server) Conversations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.convs)
}

// admit counts a request and checks its method and token; false means it
// was answered.
func (s *server) admit(w http.ResponseWriter, r *http.Request) bool {
	s.requests.Add(1)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.fail(w, http.StatusMethodNotAllowed, "POST only")
		return false
	}
	if s.opts.Token == "" {
		return true
	}
	want := "Bearer " + s.opts.Token
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) != 1 {
		s.unauthorized.Add(1)
		writeJSON(w, http.StatusUnauthorized, errorBody("missing or wrong bearer token"))
		return false
	}
	return true
}

// fail answers a malformed request.
func (s *server) fail(w http.ResponseWriter, status int, msg string) {
	s.rejected.Add(1)
	writeJSON(w, status, errorBody(msg))
}

// reply runs text through conversation key, creating it if needed, and
// records the customer data when given.
func (s *server) reply(key, text string, customer map[string]string) []sim.ChatItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.convs[key]
	if c == nil {
		c = &conversation{dialogue: s.sim.NewDialogue()}
		s.convs[key] = c
	}
	if len(customer) > 0 {
		c.customer = customer
	}
	return c.dialogue.Reply(text)
}

// known reports whether key is a conversation the bot holds.
func (s *server) known(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.convs[key] != nil
}

// newKey assigns a conversation id of the bot's own.
func (s *server) newKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	return fmt.Sprintf("bot-%06d", s.next)
}

// think waits the bot's latency; false when the bot is closing.
func (s *server) think(ctx context.Context) bool {
	if s.opts.Latency <= 0 {
		return true
	}
	return wait.ForOrStop(ctx, s.opts.Latency, s.ctx.Done())
}

func errorBody(msg string) map[string]any {
	return map[string]any{"error": map[string]string{"message": msg}}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// decode reads a JSON request body of at most 1 MiB into v.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v)
}
