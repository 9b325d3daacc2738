package webhook

import (
	"sync/atomic"

	"github.com/voyplan/voyplan/engine/fdlimit"
)

// maxBodyMemory bounds the bytes of callback bodies being read at once: a
// few thousand callbacks of a few hundred bytes each fit with room to
// spare, while a flood of 1 MiB bodies waits its turn instead of growing the
// heap (handler.go).
const maxBodyMemory = 64 << 20

// Kinds of refusal, as Refused counts them and OnRefusal names them.
const (
	RefusedConnections = "connections" // over the connection budget
	RefusedToken       = "token"       // not a hook path of this run
	RefusedSignature   = "signature"   // unsigned or wrongly signed callback
	RefusedOversize    = "oversize"    // body over 1 MiB
	RefusedBusy        = "busy"        // waited too long for body memory
	numRefusals        = 5
)

// Refused counts what the receiver turned away before it could reach a
// mailbox. None of it is a callback of this run's assistant, unless the
// assistant misbehaves (oversize, a wrong signature).
type Refused struct {
	// Connections accepted over the connection budget (closed at once), or
	// fresh connections closed to make room for a new one.
	Connections uint64 `json:"connections"`
	// Token counts requests on no hook path of this run (no token, a wrong
	// one, or a path that names no conversation and turn): 404, and the
	// connection closed.
	Token     uint64 `json:"token"`
	Signature uint64 `json:"signature"` // callbacks unsigned or wrongly signed: 401, never delivered
	Oversize  uint64 `json:"oversize"`  // bodies over 1 MiB: 413 (also Malformed)
	Busy      uint64 `json:"busy"`      // callbacks that found no body memory in time: 503
}

// Total is every refusal.
func (r Refused) Total() uint64 {
	return r.Connections + r.Token + r.Signature + r.Oversize + r.Busy
}

type refusalCounters struct {
	token, signature, oversize, busy atomic.Uint64
}

// refusalIndex numbers the kinds for the once-per-kind notice.
var refusalIndex = map[string]int{
	RefusedConnections: 0, RefusedToken: 1, RefusedSignature: 2, RefusedOversize: 3, RefusedBusy: 4,
}

// OnRefusal sets f to be told of the first refusal of each kind, with a
// detail to log; later ones are only counted (Stats). f is called from the
// handler and accept goroutines: it must be quick and safe for concurrent
// use.
func (r *Receiver) OnRefusal(f func(kind, detail string)) {
	r.onRefusal.Store(&f)
}

// refused tells OnRefusal's f of the first refusal of kind, with the
// detail it builds then — only then: a flood refuses thousands a second,
// and each would otherwise build a string nobody reads. It counts nothing
// itself.
func (r *Receiver) refused(kind string, detail func() string) {
	i, ok := refusalIndex[kind]
	if !ok || r.refusedOnce[i].Swap(true) {
		return
	}
	if f := r.onRefusal.Load(); f != nil {
		(*f)(kind, detail())
	}
}

// SetMaxConns sets how many connections the receiver keeps open at once
// (conns.go); n <= 0 lifts the limit. Listen sets half the open-file limit;
// a run that knows its own need of files sets the rest of its budget.
func (r *Receiver) SetMaxConns(n int) {
	r.conns.max.Store(int64(max(n, 0)))
}

// MaxConns is the connection budget in force; 0: none.
func (r *Receiver) MaxConns() int { return int(r.conns.max.Load()) }

// defaultMaxConns is half the open-file limit, and at least 1,024.
func defaultMaxConns() int {
	lim, err := fdlimit.Raise()
	if err != nil || lim.Soft == 0 {
		return 0
	}
	return int(max(min(lim.Soft/2, 1<<20), 1024))
}
