package metrics

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
)

// MaxErrorKinds bounds how many distinct errors a Recorder tells apart; the
// ones past it are counted together under OtherErrors, so a run against an
// assistant that puts something new in every error message keeps a
// bounded table.
const MaxErrorKinds = 100

// OtherErrors is the message errors past MaxErrorKinds are counted under.
const OtherErrors = "(other messages)"

// ErrorCount is one distinct error of a run: its kind (the failure reason
// of the conversations it ended: send_error, reply_timeout, llm_error, …),
// its message with what differs from one occurrence to the next taken out
// ("connection refused", "HTTP 503", "no reply within 2s"), and how often
// it happened.
type ErrorCount struct {
	Kind    string `expr:"kind" json:"kind"`
	Message string `expr:"message" json:"message"`
	Count   int64  `expr:"count" json:"count"`
}

type errorKey struct{ kind, message string }

// errorTally counts errors by kind and message. mu guards kinds, the
// number of distinct keys in counts, which never grows past MaxErrorKinds
// (+ one OtherErrors per kind); each count is an atomic.
type errorTally struct {
	counts sync.Map // errorKey → *atomic.Int64
	mu     sync.Mutex
	kinds  int
}

// Error counts one occurrence of an error and returns how many times it
// (its kind and message, or OtherErrors of its kind once MaxErrorKinds
// distinct errors were seen) happened so far, this one included: 1 the
// first time.
func (r *Recorder) Error(kind, message string) int64 {
	return r.errors.counter(errorKey{kind, message}).Add(1)
}

// ErrorSoFar is how many times an error was counted so far.
func (r *Recorder) ErrorSoFar(kind, message string) int64 {
	if n, ok := r.errors.counts.Load(errorKey{kind, message}); ok {
		return n.(*atomic.Int64).Load()
	}
	return 0
}

func (t *errorTally) counter(k errorKey) *atomic.Int64 {
	if n, ok := t.counts.Load(k); ok {
		return n.(*atomic.Int64)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, ok := t.counts.Load(k); ok {
		return n.(*atomic.Int64)
	}
	if t.kinds >= MaxErrorKinds && k.message != OtherErrors {
		return t.counterLocked(errorKey{k.kind, OtherErrors})
	}
	return t.counterLocked(k)
}

// counterLocked returns k's counter, making it. Callers hold mu.
func (t *errorTally) counterLocked(k errorKey) *atomic.Int64 {
	if n, ok := t.counts.Load(k); ok {
		return n.(*atomic.Int64)
	}
	n := new(atomic.Int64)
	t.counts.Store(k, n)
	t.kinds++
	return n
}

// snapshot lists the errors, most frequent first; empty (not nil) when
// there were none.
func (t *errorTally) snapshot() []ErrorCount {
	out := []ErrorCount{}
	t.counts.Range(func(k, n any) bool {
		key := k.(errorKey)
		out = append(out, ErrorCount{Kind: key.kind, Message: key.message, Count: n.(*atomic.Int64).Load()})
		return true
	})
	sortErrors(out)
	return out
}

// sortErrors orders errors most frequent first, then by kind and message.
func sortErrors(es []ErrorCount) {
	slices.SortFunc(es, func(a, b ErrorCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Message, b.Message))
	})
}

// mergeErrors sums the errors of several runs by kind and message.
func mergeErrors(lists ...[]ErrorCount) []ErrorCount {
	sum := map[errorKey]int64{}
	for _, l := range lists {
		for _, e := range l {
			sum[errorKey{e.Kind, e.Message}] += e.Count
		}
	}
	out := make([]ErrorCount, 0, len(sum))
	for k, n := range sum {
		out = append(out, ErrorCount{Kind: k.kind, Message: k.message, Count: n})
	}
	sortErrors(out)
	return out
}

// SendTotals is the sends recorded so far and how many of them failed: what
// a watcher of the assistant's health compares between two instants.
func (r *Recorder) SendTotals() (count, failed int64) {
	failed = r.send.all.failed.Load()
	return r.send.all.count.Load(), failed
}
