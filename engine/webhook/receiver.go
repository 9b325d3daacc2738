package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/voyplan/voyplan/engine/internal/offstack"
	"github.com/voyplan/voyplan/engine/transcript"
)

// limits are the server's timeouts: a callback is one small POST, so a
// client that trickles its headers or body (slowloris) or holds a
// connection idle is cut off.
type limits struct {
	readHeader, read, write, idle time.Duration
}

var defaultLimits = limits{
	readHeader: 5 * time.Second,
	read:       30 * time.Second,
	write:      30 * time.Second,
	idle:       120 * time.Second,
}

// maxHeaderBytes bounds a request's headers; more gets 431.
const maxHeaderBytes = 64 << 10

// The receiver remembers a closed conversation for closedFor, and at most
// closedMemory of them, so that a callback arriving after its mailbox was
// closed counts as Late (or a Duplicate) rather than Unmatched. Older ones
// are forgotten (and then count as Unmatched): memory stays bounded however
// long the run, and flat once the run has gone on for closedFor — a long
// run's memory does not creep up for the quarter of an hour 65,536
// conversations take at a thousand users (make soak).
const (
	closedFor    = 2 * time.Minute
	closedMemory = 1 << 16
)

// Receiver accepts reply callbacks and routes them to open mailboxes.
type Receiver struct {
	token string // 32 hex digits, this run's secret path segment
	seed  maphash.Seed
	stats counters
	// refusals counts requests turned away (refusals.go); refused
	// connections are counted by conns.
	refusals refusalCounters
	base     atomic.Pointer[string] // public base URL, no trailing slash
	// afterEnd, when set, is told of each callback that came after its
	// conversation's mailbox was closed (see OnLateAfterEnd).
	afterEnd atomic.Pointer[func(convID string, turn int, items []transcript.Message)]
	bodies   sync.Pool // *bodyBuffer for reading callback bodies
	// parser reads callback bodies (decoder.go); nil until the protocol
	// installs one, and every callback is Malformed.
	parser atomic.Pointer[parserBox]
	// decoder routes callbacks to the shared URL by their body
	// (decoder.go); nil: the shared URL is off.
	decoder atomic.Pointer[decoderBox]
	// api, when set, serves the paths that are not hook paths (api.go).
	api atomic.Pointer[apiBox]
	// inspector, when set, keeps the last callbacks for a live view
	// (inspect.go); nil: off.
	inspector atomic.Pointer[Inspector]
	// spawn runs a parked wait's done when a callback ended it (the
	// handler's goroutine is not done's to keep): offstack.Go. Tests in a
	// synctest bubble use go instead: the process-wide workers cannot be
	// shared with a bubble.
	spawn func(func())

	// mu guards boxes and closed. Invariant: boxes holds exactly the open
	// mailboxes, by conversation id; closed holds the ids of the mailboxes
	// closed in the last closedFor, at most closedMemory of them, each also
	// in closedOrder (oldest first, from closedHead).
	mu          sync.RWMutex
	boxes       map[string]*Mailbox
	closed      map[string]*closedConv
	closedOrder []closedID
	closedHead  int

	ln    net.Listener
	srv   *http.Server
	conns *conns // the connection budget (conns.go)
	// bodyMem bounds the bytes of callback bodies being read at once
	// (handler.go): maxBody each, maxBodyMemory in all.
	bodyMem *semaphore.Weighted
	// signature, when set, is the HMAC every callback must carry (sign.go).
	signature atomic.Pointer[signature]
	// onRefusal, when set, is told of the first refusal of each kind.
	onRefusal   atomic.Pointer[func(kind, detail string)]
	refusedOnce [numRefusals]atomic.Bool
	served      sync.WaitGroup // the serving goroutines, one per listener
}

// Stats counts callbacks. Every POST to a hook path carrying this run's token,
// and every reply an installed API hands over (Deliver), is Received, and
// each ends up in exactly one place: taken by a Wait, or
// counted as one of the others. Once every mailbox is closed,
// Received = taken by Wait + Malformed + Unmatched + Duplicates + Late.
type Stats struct {
	Received   uint64 // POSTs on a hook path with the right token (and signature, when required)
	Malformed  uint64 // body unreadable, too large (413) or not a known payload (400)
	Unmatched  uint64 // for a conversation this receiver does not know
	Duplicates uint64 // byte-identical to a callback already received for the same turn
	// Late callbacks came for a turn already closed or a mailbox already
	// closed, or were buffered for a turn that was skipped or never waited.
	Late uint64
	// Refused is what was turned away before reaching a mailbox
	// (refusals.go). Only Oversize is also in Received (and Malformed):
	// the others never reached a hook path, or are not taken as the
	// assistant's callbacks.
	Refused Refused
}

type counters struct {
	received, malformed, unmatched, duplicates, late atomic.Uint64
}

// Listen binds addr now, so a port in use fails here with an error naming the
// address, and serves callbacks in a goroutine until Close.
func Listen(addr string) (*Receiver, error) {
	return listenWith(addr, defaultLimits)
}

func listenWith(addr string, lim limits) (*Receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen for webhook callbacks on %s: %w", addr, err)
	}
	r := newReceiver()
	r.ln = ln
	r.srv = &http.Server{
		Handler:           r,
		ReadHeaderTimeout: lim.readHeader,
		ReadTimeout:       lim.read,
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         r.conns.track,
		ConnContext:       withConn, // arrival.go: a callback's kernel receive time
	}
	r.srv.RegisterOnShutdown(r.conns.closeAll)
	r.SetMaxConns(defaultMaxConns())
	r.SetPublicBase("http://" + ln.Addr().String())
	r.Serve(rxListener{ln})
	return r, nil
}

// newReceiver builds a receiver that is not listening: Listen's core, and
// what tests use to drive ServeHTTP directly.
func newReceiver() *Receiver {
	r := &Receiver{
		token:   newToken(),
		seed:    maphash.MakeSeed(),
		boxes:   make(map[string]*Mailbox),
		closed:  make(map[string]*closedConv),
		conns:   newConns(),
		bodyMem: semaphore.NewWeighted(maxBodyMemory),
		spawn:   offstack.Go,
	}
	r.bodies.New = func() any { return new(bodyBuffer) }
	r.conns.onRefuse = func() {
		r.refused(RefusedConnections, func() string { return fmt.Sprintf("more than %d connections open at once", r.MaxConns()) })
	}
	r.SetPublicBase("") // URLs are bare paths until Listen knows the address
	return r
}

// newToken returns 128 random bits in hex. crypto/rand.Read never fails.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Serve serves callbacks on ln too, in a goroutine, with the same routes,
// timeouts and limits as the listen address: how a tunnel's listener (a
// public address whose connections arrive in process) reaches the
// receiver. Close stops serving ln and closes it. Serve must not be called
// after Close.
func (r *Receiver) Serve(ln net.Listener) {
	r.served.Go(func() {
		// Serve returns ErrServerClosed after Close; any other error means
		// the listener broke, and callbacks then fail on the assistant's side.
		_ = r.srv.Serve(limitListener{Listener: ln, c: r.conns})
	})
}

// Addr is the address actually bound, host:port.
func (r *Receiver) Addr() string {
	return r.ln.Addr().String()
}

// SetPublicBase sets the base of the URLs handed to the assistant, e.g. a
// tunnel's https URL; it defaults to "http://" + Addr(). It may be called at
// any time; mailboxes read it on every URL call.
func (r *Receiver) SetPublicBase(u string) {
	u = strings.TrimRight(u, "/")
	r.base.Store(&u)
}

// OnLateAfterEnd sets f to be called, from the handler, with each callback
// that arrives after its conversation's mailbox was closed: counted Late,
// but too late for the conversation's record, so f is the last place it can
// be seen (the run logs it). f must be quick and safe for concurrent use.
func (r *Receiver) OnLateAfterEnd(f func(convID string, turn int, items []transcript.Message)) {
	r.afterEnd.Store(&f)
}

// Stats returns the counters so far.
func (r *Receiver) Stats() Stats {
	return Stats{
		Received:   r.stats.received.Load(),
		Malformed:  r.stats.malformed.Load(),
		Unmatched:  r.stats.unmatched.Load(),
		Duplicates: r.stats.duplicates.Load(),
		Late:       r.stats.late.Load(),
		Refused: Refused{
			Connections: r.conns.refused.Load() + r.conns.evicted.Load(),
			Token:       r.refusals.token.Load(),
			Signature:   r.refusals.signature.Load(),
			Oversize:    r.refusals.oversize.Load(),
			Busy:        r.refusals.busy.Load(),
		},
	}
}

// Close stops accepting callbacks and waits for the ones in flight to be
// handled, or for ctx to end, when it drops the remaining connections and
// returns ctx's error. Connections with no request started are closed at
// once. Open mailboxes are left as they are: their waits end
// by their own timeout or context.
func (r *Receiver) Close(ctx context.Context) error {
	err := r.srv.Shutdown(ctx)
	if err != nil {
		_ = r.srv.Close()
	}
	r.served.Wait()
	if err != nil {
		return fmt.Errorf("cannot finish webhook callbacks in flight: %w", err)
	}
	return nil
}

// Open registers conversation convID and returns its mailbox. convID must be
// unique among the open mailboxes; opening an id that is already open
// replaces the old mailbox, whose later callbacks then go to the new one.
func (r *Receiver) Open(convID string) *Mailbox {
	m := newMailbox(r, convID)
	r.mu.Lock()
	r.boxes[convID] = m
	r.mu.Unlock()
	return m
}

// lookup finds the open mailbox for convID; when there is none, known says
// whether convID was closed recently.
func (r *Receiver) lookup(convID string) (m *Mailbox, known bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if m = r.boxes[convID]; m != nil {
		return m, true
	}
	_, known = r.closed[convID]
	return nil, known
}

// closedConv is what the receiver keeps of a closed conversation: the
// fingerprints of the bodies it received, per turn, so that a copy of one
// arriving after the end is a duplicate, not a second late callback.
type closedConv struct {
	sums []turnSum
}

// closedID is a closed conversation's id and when it closed.
type closedID struct {
	id string
	at time.Time
}

type turnSum struct {
	turn int
	sum  uint64
}

// unregister removes m, if it is still the open mailbox for its id, and
// remembers the id as closed, with the fingerprints of what it received.
func (r *Receiver) unregister(m *Mailbox) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.boxes[m.id] != m {
		return
	}
	delete(r.boxes, m.id)
	r.remember(m.id, &closedConv{sums: m.sums()})
}

// lateAfterEnd reports whether a callback for closed conversation id is new —
// late — rather than a copy of one received before (a duplicate), and
// remembers it.
func (r *Receiver) lateAfterEnd(id string, turn int, sum uint64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.closed[id]
	if c == nil { // forgotten meanwhile: counted late, as before
		return true
	}
	ts := turnSum{turn: turn, sum: sum}
	if slices.Contains(c.sums, ts) {
		return false
	}
	c.sums = append(c.sums, ts)
	return true
}

// remember records id as closed, forgetting those closed more than
// closedFor ago and, past closedMemory, the oldest. Called with r.mu held.
func (r *Receiver) remember(id string, c *closedConv) {
	if _, ok := r.closed[id]; ok {
		return
	}
	now := time.Now()
	for r.closedHead < len(r.closedOrder) {
		old := r.closedOrder[r.closedHead]
		if now.Sub(old.at) <= closedFor && len(r.closedOrder)-r.closedHead < closedMemory {
			break
		}
		delete(r.closed, old.id)
		r.closedOrder[r.closedHead] = closedID{}
		r.closedHead++
	}
	if r.closedHead > len(r.closedOrder)/2 { // reuse the forgotten half
		n := copy(r.closedOrder, r.closedOrder[r.closedHead:])
		clear(r.closedOrder[n:])
		r.closedOrder, r.closedHead = r.closedOrder[:n], 0
	}
	r.closedOrder = append(r.closedOrder, closedID{id, now})
	r.closed[id] = c
}
