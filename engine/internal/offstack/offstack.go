// Package offstack runs deep calls off the calling goroutine's stack.
//
// It keeps the stacks of waiting virtual users small. A goroutine keeps the
// stack its deepest call grew, and Go halves it at a GC only when less than
// a quarter is in use; a user waits for a reply about 4 KiB deep, so once
// HCL evaluation (Plan.NewUser), a persona's checks (driver.Next) or an
// HTTP send took it past 8 KiB, it would hold 16 KiB for the rest of its
// life — half of what a waiting conversation costs at 10,000 (BENCH.md,
// memory). Run here, their deep stacks are a few workers' stacks, shared.
//
// The calls run on a pool of worker goroutines: a call takes an idle worker
// or, when none is idle (a send can take seconds, so many may be busy),
// starts one; a worker the pool has no room for ends after its call. Reused
// workers save a goroutine start and the growing of a fresh stack to the
// call's depth per call (issue 16); at most maxIdle of them wait idle.
package offstack

import "runtime"

// maxIdle bounds the idle workers (and their stacks, kept between calls).
const maxIdle = 128

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

// job is a call handed to a worker.
type job interface{ run() }

// call is one Call: f, and what it returned. One allocation per call.
type call[T any] struct {
	f   func() (T, error)
	v   T
	err error
}

func (c *call[T]) run() { c.v, c.err = c.f() }

// idle holds the workers waiting for a call.
var idle = make(chan *worker, maxIdle)

func (w *worker) loop() {
	for j := range w.in {
		j.run()
		w.out <- struct{}{}
	}
}

// Call runs f on a worker goroutine and waits for its result.
func Call[T any](f func() (T, error)) (T, error) {
	var w *worker
	select {
	case w = <-idle:
	default:
		w = &worker{in: make(chan job), out: make(chan struct{}, 1)}
		go w.loop()
	}
	c := &call[T]{f: f}
	w.in <- c
	<-w.out
	// Only now, its call's end received, may the worker take another: a
	// caller never reads another call's end.
	select {
	case idle <- w:
	default:
		close(w.in) // no room: it ends
	}
	return c.v, c.err
}
