package webhook

import (
	"bytes"
	"net/http"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// API is a protocol's own endpoint, served on the receiver's address: for
// an assistant that answers by calling an API (WhatsApp's Graph API) rather
// than a callback URL voyplan hands it. The receiver still owns the
// listener, its timeouts, the connection budget and the body memory
// (ReadBody); the API owns its paths, its authentication, its payloads and
// its answers, and hands each reply to a conversation with Deliver.
type API interface {
	// ServeAPI handles req, whose path is not a hook path; at is when it
	// arrived (the kernel's receive time where known, as for callbacks).
	// It is called from the handler's goroutines, concurrently.
	ServeAPI(w http.ResponseWriter, req *http.Request, at time.Time)
}

// apiBox lets an interface live in an atomic.Pointer.
type apiBox struct{ a API }

// SetAPI installs a to serve every request whose path is not a hook path
// of this run (without it they are refused as a wrong token). Call it
// before handing out the address.
func (r *Receiver) SetAPI(a API) {
	r.api.Store(&apiBox{a: a})
}

// serveAPI hands req to the installed API and reports whether there was
// one.
func (r *Receiver) serveAPI(w http.ResponseWriter, req *http.Request, at time.Time) bool {
	box := r.api.Load()
	if box == nil {
		return false
	}
	box.a.ServeAPI(w, req, at)
	return true
}

// ReadBody reads an API request's body within the receiver's limits: at
// most 1 MiB, and only when body memory is free within a few seconds. It
// returns the body (a copy) and 200, or nil and the status the limits
// call for: 413 for a larger body (counted in Refused.Oversize), 503 when
// no memory came free (Refused.Busy), 400 for a body cut short. The API
// answers in its own shape.
func (r *Receiver) ReadBody(w http.ResponseWriter, req *http.Request) ([]byte, int) {
	need := int64(maxBody)
	if req.ContentLength >= 0 && req.ContentLength < maxBody {
		need = req.ContentLength + 512
	}
	if !r.bodyMem.TryAcquire(need) && !r.awaitBodyMemory(req, need) {
		r.refusals.busy.Add(1)
		r.refused(RefusedBusy, func() string { return "requests waited over " + busyWait.String() + " for body memory" })
		return nil, http.StatusServiceUnavailable
	}
	defer r.bodyMem.Release(need)
	buf := r.getBuffer()
	defer r.putBuffer(buf)
	if status := r.readLimited(w, req, buf); status != http.StatusOK {
		return nil, status
	}
	return bytes.Clone(buf.Bytes()), http.StatusOK
}

// Deliver hands an API request's reply items to conversation convID's
// turn, as a callback to its per-turn URL would be: counted in Received,
// then Delivered, Duplicate (a body byte-identical to one already
// received for the turn), Late or Unmatched, which it returns. body is
// the raw request, for the duplicate check; at its arrival.
func (r *Receiver) Deliver(convID string, turn int, at time.Time, body []byte, items []transcript.Message) string {
	r.stats.received.Add(1)
	return r.dispatch(convID, turn, at, time.Time{}, r.fingerprint(body), items)
}
