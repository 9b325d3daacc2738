package sim

import (
	"math/rand/v2"
	"sync"
	"time"
)

// tracker counts the work the server started — handlers in flight, armed
// delivery timers, the serve loop — so Close can refuse new work and wait
// for the rest. Unlike a WaitGroup, add after close is allowed: it fails.
type tracker struct {
	mu sync.Mutex
	// n is the work started and not yet finished; once closed is set n only
	// falls, and idle is closed when it reaches zero.
	n      int
	closed bool
	idle   chan struct{}
}

func newTracker() *tracker { return &tracker{idle: make(chan struct{})} }

// add records new work; false once the tracker is closed.
func (t *tracker) add() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.n++
	return true
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.closed && t.n == 0 {
		close(t.idle)
	}
}

// close refuses further work; wait then blocks until what was started ends.
func (t *tracker) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	if t.n == 0 {
		close(t.idle)
	}
}

func (t *tracker) wait() { <-t.idle }

// lockedRand is the seeded source of fault draws, jitter and link ids,
// shared by all handlers.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand // guarded by mu
}

func newLockedRand(seed uint64) *lockedRand {
	if seed == 0 {
		seed = rand.Uint64() | 1
	}
	return &lockedRand{r: rand.New(rand.NewPCG(seed, seed^0x5851F42D4C957F2D))}
}

// hit draws true with probability p (never for 0, always for 1).
func (l *lockedRand) hit(p float64) bool {
	if p <= 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64() < p
}

// upTo draws a duration uniformly in [0, d).
func (l *lockedRand) upTo(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(l.r.Int64N(int64(d)))
}

// intN draws an int in [0, n).
func (l *lockedRand) intN(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.IntN(n)
}

// hex24 draws 24 lowercase hex digits, the shape of a payment link id.
func (l *lockedRand) hex24() string {
	const digits = "0123456789abcdef"
	l.mu.Lock()
	a, b := l.r.Uint64(), l.r.Uint64()
	l.mu.Unlock()
	var out [24]byte
	for i := range 16 {
		out[i] = digits[a>>(4*i)&0xf]
	}
	for i := range 8 {
		out[16+i] = digits[b>>(4*i)&0xf]
	}
	return string(out[:])
}
