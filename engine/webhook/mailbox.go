package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/voyplan/voyplan/engine/internal/wake"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Wait's errors besides ctx.Err().
var (
	// ErrTimeout: no callback arrived within the reply timeout.
	ErrTimeout = errors.New("no reply within the reply timeout")
	// ErrClosed: the mailbox was closed before or while Wait waited.
	ErrClosed = errors.New("mailbox closed")
)

// Reply is what Wait gathered for one turn.
type Reply struct {
	// First is when the turn's first callback reached the handler, read
	// before its body: time.Now(), so it carries the monotonic clock and
	// First.Sub(sentAt) is the reply latency.
	First time.Time
	// SentAt is the first callback's SentAtHeader: when its sender says it
	// sent it (wall clock). Zero unless the sender stamps its callbacks, as
	// the built-in simulator does; First minus SentAt is then the delivery
	// time, and SentAt minus the POST's start the true reply latency.
	SentAt     time.Time
	Messages   []transcript.Message // every item of the turn's callbacks, in arrival order
	Callbacks  int                  // distinct callbacks gathered
	Duplicates int                  // callbacks dropped as byte-identical repeats
	// Later are when the second and later callbacks reached the handler,
	// in arrival order (First is the first's): nil for a reply of one
	// callback, which is most, so the common reply allocates nothing for
	// it. A customer's burst reads it to tell which message a callback
	// followed.
	Later []time.Time
}

// Mailbox receives one conversation's callbacks, one numbered turn at a
// time. It is small (no goroutine, nothing pre-sized) and holds one wait at
// a time; the handler delivers to it concurrently.
//
// A wait holds no goroutine (Park): it is a record the mailbox checks
// whenever something that may end it happens — a callback for the awaited
// turn, its timer, its context ending, Close — and the check that ends it
// calls the waiter's done. Wait, WaitInto and AwaitAfter are the blocking
// forms of it. Ten thousand conversations waiting on their replies are ten
// thousand such records, not ten thousand goroutines' stacks (BENCH.md,
// memory).
type Mailbox struct {
	r  *Receiver
	id string
	// timer bounds the wait in progress: one per mailbox, made by the
	// first wait and reset by the next (one waits at a time), not one per
	// turn. It calls check, which reads the time against the wait's
	// deadline, so a stale firing, for a wait already over, costs a look.
	timer *time.Timer

	// mu guards the fields below. Invariants: turn n is closed iff
	// n <= closedThrough or closed is set, and a closed turn's record has no
	// pending callbacks (they were taken by a wait or moved to late); turns
	// holds at most one record per turn number, sorted by turn number, so
	// the current turn is found from the end; a record's pending callbacks
	// are sorted by arrival time; waitTurn is meaningful only while waiting;
	// park is the wait in progress, nil when none (or when it is over and
	// its done is being called).
	mu            sync.Mutex
	turns         []turnRecord
	closedThrough int
	waitTurn      int
	waiting       bool
	closed        bool
	park          *parking
	// onClosed, when set, is told of each callback for a turn already
	// closed (late, or a byte-identical repeat) while the mailbox is open.
	onClosed func(turn int)
}

// parking is one wait in progress: what ends it and whom to tell.
type parking struct {
	ctx      context.Context
	turn     int
	deadline time.Time // no first callback by then: ErrTimeout
	stop     time.Time // timeout+settle after the start: the wait never outlasts it
	settle   time.Duration
	after    time.Time // AwaitAfter: only a callback that reached the handler at or after it counts
	open     bool      // AwaitAfter: the turn stays open, its callbacks pending
	settling bool      // the first callback is in; gathering until quiet
	done     func(Reply, error)
	watched  bool // listed under its context's watcher (engine/internal/wake)
}

// waker is a Mailbox as its wait's wake.Waiter: its context ended.
type waker Mailbox

func (w *waker) Wake() { (*Mailbox)(w).check(false) }

// turnRecord is everything received for one turn.
type turnRecord struct {
	n       int
	pending []callback           // open turn: callbacks not yet taken by a wait
	late    []transcript.Message // items that came after the turn closed
	sums    []uint64             // fingerprints of every distinct body received
	dups    int
}

type callback struct {
	at     time.Time
	sentAt time.Time // the sender's stamp; zero when none
	items  []transcript.Message
}

// outcome is what deliver did with a callback.
type outcome int

const (
	delivered outcome = iota
	duplicate
	late
)

func newMailbox(r *Receiver, id string) *Mailbox {
	return &Mailbox{
		r:             r,
		id:            id,
		closedThrough: -1,
	}
}

// URL is where the assistant must deliver the reply to turn:
// <public base>/hooks/<token>/<convID>/<turn>.
func (m *Mailbox) URL(turn int) string {
	// Built whole each time rather than kept: the path would be ~80 bytes
	// of every waiting conversation's heap, and this is one string either
	// way (PathEscape returns an id with nothing to escape as it is).
	return *m.r.base.Load() + hooksPrefix + m.r.token + "/" + url.PathEscape(m.id) + "/" + strconv.Itoa(turn)
}

// Wait returns the reply to turn. It blocks until the turn's first callback
// (one that came before Wait was called counts), then keeps gathering the
// turn's callbacks until settle passes after the latest one with no other
// arriving (settle <= 0: only those already in), and returns their items in
// arrival order. Wait returns within timeout+settle in all cases.
//
// With no callback within timeout (<= 0: unless one is already in) it
// returns ErrTimeout; when ctx ends first, ctx.Err(); when the mailbox is
// closed, ErrClosed. If ctx ends or the mailbox closes after the first
// callback, the reply gathered so far comes with the error.
//
// However it returns, turn is closed: its later callbacks go to Late. Wait
// must not be called for a turn already closed, nor while another wait on
// the same mailbox runs.
func (m *Mailbox) Wait(ctx context.Context, turn int, timeout, settle time.Duration) (Reply, error) {
	var reply Reply
	err := m.WaitInto(ctx, turn, timeout, settle, &reply)
	return reply, err
}

// WaitInto is Wait with the reply put in *into.
func (m *Mailbox) WaitInto(ctx context.Context, turn int, timeout, settle time.Duration, into *Reply) error {
	ended := make(chan error, 1)
	m.Park(ctx, turn, timeout, settle, func(reply Reply, err error) {
		*into = reply
		ended <- err
	})
	return <-ended
}

// Park is Wait without a waiting goroutine: it returns at once, and the
// wait goes on without one. When it is over, done is called exactly once
// with what Wait would have returned, on a goroutine of its own that done
// may keep (it is never the caller's, nor the receiver's handler's).
func (m *Mailbox) Park(ctx context.Context, turn int, timeout, settle time.Duration, done func(Reply, error)) {
	now := time.Now()
	m.start(&parking{ctx: ctx, turn: turn, deadline: now.Add(timeout), stop: now.Add(timeout + settle),
		settle: settle, done: done})
}

// AwaitAfter blocks until turn has a callback that reached the handler at
// or after after (a zero after: any, one that came before the call
// included), as Wait awaits its first, but leaves the turn open: a later
// Wait for it gathers that callback and the others. It returns ErrTimeout
// when none came within timeout, ctx.Err() or ErrClosed. A customer who
// typed a thought in several messages waits with it for the reply to the
// last; one who writes again while the reply is still coming (a double
// text), for the reply to begin.
func (m *Mailbox) AwaitAfter(ctx context.Context, turn int, after time.Time, timeout time.Duration) error {
	now := time.Now()
	ended := make(chan error, 1)
	m.start(&parking{ctx: ctx, turn: turn, deadline: now.Add(timeout), stop: now.Add(timeout),
		after: after, open: true, done: func(_ Reply, err error) { ended <- err }})
	return <-ended
}

// start begins the wait p and checks it once: it may be over already (a
// callback in, ctx ended, the mailbox closed).
func (m *Mailbox) start(p *parking) {
	if err := m.begin(p.turn); err != nil {
		go p.done(Reply{}, err)
		return
	}
	// Watched before the wait is published: a context that ends meanwhile
	// checks before there is a wait to end, and the check below ends it.
	p.watched = wake.Watch(p.ctx, (*waker)(m))
	m.mu.Lock()
	m.park = p
	m.arm(p.deadline.Sub(time.Now()))
	m.mu.Unlock()
	m.check(true)
}

// arm sets the timer to check the wait d from now. Called with m.mu held.
func (m *Mailbox) arm(d time.Duration) {
	if m.timer == nil {
		m.timer = time.AfterFunc(d, m.fired)
	} else {
		m.timer.Reset(d)
	}
}

// fired is check from the timer, on a goroutine of its own, which the
// waiter's done may keep.
func (m *Mailbox) fired() { m.check(false) }

// check ends the wait in progress if it is over, and tells its waiter:
// on the calling goroutine, unless spawn (the caller's goroutine is not
// done's to keep: a handler's, Close's, start's).
func (m *Mailbox) check(spawn bool) {
	m.mu.Lock()
	p := m.park
	if p == nil {
		m.mu.Unlock()
		return
	}
	err, over := m.judge(p)
	if !over {
		m.mu.Unlock()
		return
	}
	m.park = nil
	m.waiting = false
	var reply Reply
	if !p.open {
		reply = m.finishLocked(p.turn, !errors.Is(err, ErrTimeout))
	}
	m.mu.Unlock()
	m.timer.Stop()
	if p.watched {
		wake.Unwatch(p.ctx, (*waker)(m))
	}
	if spawn { // on a worker whose stack has grown already: done goes deep (engine/internal/offstack)
		m.r.spawn(func() { p.done(reply, err) })
		return
	}
	p.done(reply, err)
}

// judge says whether the wait p is over, and how; when it is not, the
// timer is set for the next moment it may be. A callback in wins over a
// deadline passed at the same time, and the context is looked at last, as
// a wait that blocked in a select on it would. Called with m.mu held.
func (m *Mailbox) judge(p *parking) (error, bool) {
	if m.closed {
		return ErrClosed, true
	}
	now := time.Now()
	if !p.settling {
		switch rec := m.find(p.turn); {
		case rec != nil && len(rec.pending) > 0 && (p.after.IsZero() || !rec.pending[len(rec.pending)-1].at.Before(p.after)):
			if p.open || p.settle <= 0 {
				return nil, true
			}
			p.settling = true
		case !now.Before(p.deadline):
			return ErrTimeout, true
		case p.ctx.Err() != nil:
			return p.ctx.Err(), true
		default:
			return nil, false // the timer is set for the deadline
		}
	}
	rec := m.find(p.turn)
	quiet := rec.pending[len(rec.pending)-1].at.Add(p.settle)
	if p.stop.Before(quiet) {
		quiet = p.stop
	}
	if !now.Before(quiet) {
		return nil, true
	}
	if err := p.ctx.Err(); err != nil {
		return err, true
	}
	m.arm(quiet.Sub(now))
	return nil, false
}

// begin marks turn as awaited.
func (m *Mailbox) begin(turn int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.closed:
		return ErrClosed
	case m.waiting:
		return fmt.Errorf("cannot wait for turn %d of %s: turn %d is being waited for", turn, m.id, m.waitTurn)
	case turn <= m.closedThrough:
		return fmt.Errorf("cannot wait for turn %d of %s: it is already closed", turn, m.id)
	}
	m.waiting, m.waitTurn = true, turn
	return nil
}

// finishLocked closes turn and, if deliver, takes its callbacks as the
// reply; otherwise they are late. Callbacks pending for skipped earlier
// turns, which no wait will take, become late too. Called with m.mu held.
func (m *Mailbox) finishLocked(turn int, deliver bool) (reply Reply) {
	for i := len(m.turns) - 1; i >= 0 && m.turns[i].n > m.closedThrough; i-- {
		rec := &m.turns[i]
		switch {
		case rec.n > turn || len(rec.pending) == 0:
		case rec.n == turn && deliver:
			reply = rec.take()
		default:
			m.r.stats.late.Add(uint64(rec.expire()))
		}
	}
	m.closedThrough = max(m.closedThrough, turn)
	return reply
}

// Late returns the items of callbacks that arrived for turns already closed
// (timed out or finished), by turn; nil when there were none. The result is
// a copy.
func (m *Mailbox) Late() map[int][]transcript.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out map[int][]transcript.Message
	for _, rec := range m.turns {
		if len(rec.late) == 0 {
			continue
		}
		if out == nil {
			out = make(map[int][]transcript.Message)
		}
		out[rec.n] = slices.Clone(rec.late)
	}
	return out
}

// sums lists the fingerprints of every distinct body received, per turn.
func (m *Mailbox) sums() []turnSum {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []turnSum
	for _, rec := range m.turns {
		for _, s := range rec.sums {
			out = append(out, turnSum{turn: rec.n, sum: s})
		}
	}
	return out
}

// Close unregisters the mailbox and ends a Wait in progress with ErrClosed.
// Callbacks pending for turns nobody waits for become late (kept in Late).
// Later callbacks for this conversation are counted in Stats.Late (or
// Duplicates, when byte-identical to one received before) but not kept
// here: the receiver remembers only the ids of recently closed mailboxes,
// and hands each new one to OnLateAfterEnd's function.
func (m *Mailbox) Close() {
	m.r.unregister(m)
	m.mu.Lock()
	m.closed = true
	for i := range m.turns {
		if rec := &m.turns[i]; !m.waiting || rec.n != m.waitTurn {
			m.r.stats.late.Add(uint64(rec.expire()))
		}
	}
	m.mu.Unlock()
	m.check(true)
}

// OnClosedTurn makes f be told of each callback that arrives for a turn
// already closed, while the mailbox is open (the channel-fault protocols
// count a bot's answers to a re-delivered message so). Set it before the
// first turn; f must be quick and safe for concurrent use.
func (m *Mailbox) OnClosedTurn(f func(turn int)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.onClosed = f
}

// deliver files one parsed callback under its turn.
func (m *Mailbox) deliver(turn int, at time.Time, sum uint64, items []transcript.Message) outcome {
	return m.deliverStamped(turn, at, time.Time{}, sum, items)
}

// deliverStamped is deliver for a callback its sender stamped at sentAt.
func (m *Mailbox) deliverStamped(turn int, at, sentAt time.Time, sum uint64, items []transcript.Message) outcome {
	m.mu.Lock()
	rec := m.record(turn)
	closedTurn, onClosed := !m.closed && turn <= m.closedThrough, m.onClosed
	if closedTurn && onClosed != nil {
		defer onClosed(turn) // after the unlock below: deferred calls run last
	}
	if slices.Contains(rec.sums, sum) {
		rec.dups++
		m.mu.Unlock()
		return duplicate
	}
	rec.sums = append(rec.sums, sum)
	if m.closed || turn <= m.closedThrough {
		rec.late = append(rec.late, items...)
		m.mu.Unlock()
		return late
	}
	rec.add(callback{at: at, sentAt: sentAt, items: items})
	awaited := m.waiting && m.waitTurn == turn
	m.mu.Unlock()
	if awaited {
		m.check(true)
	}
	return delivered
}

// record returns turn's record, adding it in order if needed. Called with
// m.mu held; the pointer is valid until m.mu is released.
func (m *Mailbox) record(turn int) *turnRecord {
	i, found := m.search(turn)
	if !found {
		m.turns = slices.Insert(m.turns, i, turnRecord{n: turn})
	}
	return &m.turns[i]
}

// find returns turn's record, or nil. Called with m.mu held.
func (m *Mailbox) find(turn int) *turnRecord {
	if i, found := m.search(turn); found {
		return &m.turns[i]
	}
	return nil
}

// search returns where turn's record is or belongs in m.turns. Turns come
// mostly in order, so it looks from the end. Called with m.mu held.
func (m *Mailbox) search(turn int) (int, bool) {
	i := len(m.turns)
	for i > 0 && m.turns[i-1].n > turn {
		i--
	}
	if i > 0 && m.turns[i-1].n == turn {
		return i - 1, true
	}
	return i, false
}

// add inserts cb in arrival order; callbacks almost always come in order,
// so this is an append.
func (rec *turnRecord) add(cb callback) {
	i := len(rec.pending)
	for i > 0 && rec.pending[i-1].at.After(cb.at) {
		i--
	}
	rec.pending = slices.Insert(rec.pending, i, cb)
}

// take empties the pending callbacks into a Reply.
func (rec *turnRecord) take() Reply {
	n := 0
	for _, cb := range rec.pending {
		n += len(cb.items)
	}
	reply := Reply{
		First:      rec.pending[0].at,
		SentAt:     rec.pending[0].sentAt,
		Callbacks:  len(rec.pending),
		Duplicates: rec.dups,
	}
	if len(rec.pending) == 1 { // most replies: the callback's items, not a copy (nothing else holds them)
		reply.Messages = rec.pending[0].items
		if reply.Messages == nil {
			reply.Messages = []transcript.Message{}
		}
		rec.pending = nil
		return reply
	}
	reply.Messages = make([]transcript.Message, 0, n)
	for i, cb := range rec.pending {
		reply.Messages = append(reply.Messages, cb.items...)
		if i > 0 {
			reply.Later = append(reply.Later, cb.at)
		}
	}
	rec.pending = nil
	return reply
}

// expire moves the pending callbacks to late and returns how many there were.
func (rec *turnRecord) expire() int {
	n := len(rec.pending)
	for _, cb := range rec.pending {
		rec.late = append(rec.late, cb.items...)
	}
	rec.pending = nil
	return n
}
