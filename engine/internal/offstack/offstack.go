// Package offstack runs deep calls off the calling goroutine's stack.
//
// It keeps the stacks of waiting goroutines small. A goroutine keeps the
// stack its deepest call grew, and Go halves it at a GC only when less than
// a quarter is in use; a conversation that waits inside its session (the
// synchronous and streaming protocols, bursts) waits about 4 KiB deep, so
// once HCL evaluation (Plan.NewUser), a persona's checks (driver.Next) or
// an HTTP send took it past 8 KiB, it would hold 16 KiB for the rest of
// its life (BENCH.md, memory). Run here, their deep stacks are a few
// workers' stacks, shared. (A conversation whose turns park — the widget
// and webhook APIs — holds no goroutine while it waits, and makes these
// calls on its own: engine/run's conversation.direct.)
//
// The calls run on a pool of worker goroutines: a call takes an idle worker
// or, when none is idle (a send can take seconds, so many may be busy),
// starts one; a worker the pool has no room for ends after its call. Reused
// workers save a goroutine start and the growing of a fresh stack to the
// call's depth per call (issue 16); at most maxIdle of them wait idle. The
// pool is a stack: a call takes the worker that came back last, and one
// left at the bottom for idleFor ends, so the workers a burst started do
// not keep their stacks for the rest of a run (a 30-minute soak's stacks
// grew 1.8 → 3.2 MiB as the pool, a queue that used every idle worker in
// turn, crept towards maxIdle).
package offstack

import (
	"runtime"
	"sync"
	"time"
)

// maxIdle bounds the idle workers (and their stacks, kept between calls).
const maxIdle = 128

// idleFor is how long a worker may stay idle at the bottom of the pool
// before it ends (a variable for tests).
var idleFor = 10 * time.Second

// pool holds the idle workers, the one that came back last on top.
var pool struct {
	mu   sync.Mutex
	idle []idleWorker // bottom first
}

type idleWorker struct {
	w     *worker
	since time.Time
}

// running bounds the calls Run makes at once: short calls that need the
// CPU, not a wait on the network. Ten thousand users cut at once by the
// end of a run each record their turn; unbounded, that was ten thousand
// fresh workers, each growing a deep stack — the run's peak memory
// (BENCH.md, memory). Bounded, they take turns on a few.
var running = make(chan struct{}, max(4, 2*runtime.GOMAXPROCS(0)))

// Run is Call for a short call that does not wait on anything slow (the
// network, a model): it waits, on the caller's stack, for one of a few
// slots, so that a burst of them runs on a few workers' stacks. Not for a
// call that may wait on another Run call's progress.
func Run[T any](f func() (T, error)) (T, error) {
	running <- struct{}{}
	defer func() { <-running }()
	return Call(f)
}

// worker runs the calls handed to it one at a time.
type worker struct {
	in  chan job
	out chan struct{}
}

// job is a call handed to a worker: run runs it and says whether the
// worker goes on (a Go job's worker may find no room among the idle).
type job interface{ run(w *worker) bool }

// call is one Call: f, and what it returned. One allocation per call.
type call[T any] struct {
	f   func() (T, error)
	v   T
	err error
}

func (c *call[T]) run(w *worker) bool {
	c.v, c.err = c.f()
	w.out <- struct{}{} // the caller takes it back to idle, or ends it
	return true
}

// goJob is one Go: the worker goes back to idle itself when it is done.
type goJob func()

func (f goJob) run(w *worker) bool {
	f()
	return put(w) // no room: it ends
}

func (w *worker) loop() {
	for j := range w.in {
		if !j.run(w) {
			return
		}
	}
}

// take returns the idle worker that came back last, or a new one.
func take() *worker {
	pool.mu.Lock()
	if n := len(pool.idle); n > 0 {
		w := pool.idle[n-1].w
		pool.idle[n-1] = idleWorker{}
		pool.idle = pool.idle[:n-1]
		pool.mu.Unlock()
		return w
	}
	pool.mu.Unlock()
	w := &worker{in: make(chan job), out: make(chan struct{}, 1)}
	go w.loop()
	return w
}

// put makes w idle, on top of the pool; false when the pool has no room
// (w must end). The worker at the bottom, if idle for idleFor, ends.
func put(w *worker) bool {
	now := time.Now()
	var old *worker
	pool.mu.Lock()
	if len(pool.idle) > 0 && now.Sub(pool.idle[0].since) >= idleFor {
		old = pool.idle[0].w
		n := copy(pool.idle, pool.idle[1:])
		pool.idle[n] = idleWorker{}
		pool.idle = pool.idle[:n]
	}
	room := len(pool.idle) < maxIdle
	if room {
		pool.idle = append(pool.idle, idleWorker{w, now})
	}
	pool.mu.Unlock()
	if old != nil {
		close(old.in)
	}
	return room
}

// idleWorkers is how many workers are idle.
func idleWorkers() int {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	return len(pool.idle)
}

// Go runs f on a worker and returns at once. It is go f() for a
// goroutine that will call deep and then end: a reused worker's stack has
// already grown to its calls' depth, where a fresh goroutine's grows from
// 2 KiB, copied at each doubling, every time (engine/run's parked
// conversations go on this way at each reply: ~2 µs a turn).
func Go(f func()) { take().in <- goJob(f) }

// Call runs f on a worker goroutine and waits for its result.
func Call[T any](f func() (T, error)) (T, error) {
	w := take()
	c := &call[T]{f: f}
	w.in <- c
	<-w.out
	// Only now, its call's end received, may the worker take another: a
	// caller never reads another call's end.
	if !put(w) {
		close(w.in) // no room: it ends
	}
	return c.v, c.err
}
