package webhook

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"hash/maphash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// maxBody is the largest callback body accepted; larger ones get 413.
const maxBody = 1 << 20

// maxPooledBuffer keeps one huge body from pinning its buffer in the pool.
const maxPooledBuffer = 64 << 10

const hooksPrefix = "/hooks/"

// accepted answers a callback the receiver took: 200 with an empty body
// (Content-Length: 0). The old Flask receiver answered 200
// {"status":"received"}, but the assistant reads nothing of the answer
// (VOYAGER.md: 200, 201 and 202 mean accepted), and an empty body lets a
// sender that closes the response unread keep its connection (issue 16:
// with a body, Go's transport and others drop the connection instead).
//
// It sets no header: net/http writes "Content-Length: 0" itself for a
// handler that returns having written nothing, and a handler that never
// asks for its header map costs no map and no copy of it (issue 16: 0.6
// KiB allocated per callback).
func accepted(w http.ResponseWriter) {
	w.WriteHeader(http.StatusOK)
}

// ServeHTTP handles one callback. The arrival time is read first, before the
// body, so latency excludes reading and parsing it.
//
//	404, empty body   wrong token, or not /hooks/<token>/<convID>/<turn>;
//	                  the connection is closed (Refused.Token)
//	405               any method but POST on a valid path
//	413               body over 1 MiB (Malformed, Refused.Oversize)
//	401               unsigned or wrongly signed, when RequireSignature
//	                  is on (Refused.Signature)
//	503               no body memory free in time (Refused.Busy)
//	400               body is not a known reply payload (Malformed)
//	200, empty body   anything else, whether delivered, a duplicate,
//	                  late or unmatched: the assistant did nothing wrong
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := arrival(req, time.Now())
	if r.serveShared(w, req, at) { // decoder.go: one URL for every conversation
		return
	}
	convID, turn, ok := r.route(req.URL.Path)
	if !ok && r.serveAPI(w, req, at) { // api.go: a protocol's own endpoint
		return
	}
	if !ok {
		r.refuseToken(w, req)
		return
	}
	tap := r.tapFor(req, at, convID, turn) // nil unless an Inspector is set
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		tap.done(http.StatusMethodNotAllowed, Rejected)
		return
	}
	items, sum, status := r.readCallback(w, req, tap)
	if !refusal(status) {
		r.stats.received.Add(1)
	}
	if status != http.StatusOK {
		r.fail(w, status, tap)
		return
	}
	disposition := r.dispatch(convID, turn, at, senderStamp(req), sum, items)
	accepted(w)
	tap.done(http.StatusOK, disposition)
}

// refuseToken answers a request that does not carry this run's token, and
// closes its connection: whoever sent it has no business keeping one open.
func (r *Receiver) refuseToken(w http.ResponseWriter, req *http.Request) {
	r.refusals.token.Add(1)
	r.refused(RefusedToken, func() string { return req.Method + " on a path without this run's token, from " + req.RemoteAddr })
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusNotFound)
}

// refusal reports whether a callback answered status was refused rather
// than received: unsigned or wrongly signed, or no body memory in time.
func refusal(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusServiceUnavailable
}

// fail answers a callback that cannot be delivered with status, counting it
// as Malformed (400, 413) or as refused (401, 503).
func (r *Receiver) fail(w http.ResponseWriter, status int, tap *tap) {
	disposition := Malformed
	switch status {
	case http.StatusUnauthorized:
		disposition = Rejected
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
		disposition = Rejected
	default:
		r.stats.malformed.Add(1)
	}
	w.WriteHeader(status)
	tap.done(status, disposition)
}

// route splits /hooks/<token>/<convID>/<turn>. The conversation id is
// everything between the token and the last slash, so any id survives the
// path's escaping and unescaping.
func (r *Receiver) route(path string) (convID string, turn int, ok bool) {
	rest, ok := strings.CutPrefix(path, hooksPrefix)
	if !ok {
		return "", 0, false
	}
	token, rest, ok := strings.Cut(rest, "/")
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(r.token)) != 1 {
		return "", 0, false
	}
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 {
		return "", 0, false
	}
	turn, err := strconv.Atoi(rest[i+1:])
	if err != nil || turn < 0 {
		return "", 0, false
	}
	return rest[:i], turn, true
}

// readCallback reads, verifies and parses the body. It returns the items,
// the body's fingerprint for duplicate detection, and the status to answer:
// 200 when the body is usable.
func (r *Receiver) readCallback(w http.ResponseWriter, req *http.Request, tap *tap) ([]transcript.Message, uint64, int) {
	buf := r.getBuffer()
	defer r.putBuffer(buf)
	status := r.readBody(w, req, buf)
	tap.read(buf.Bytes())
	if status != http.StatusOK {
		return nil, 0, status
	}
	items, err := r.parse(buf.Bytes()) // copies what it keeps
	if err != nil {
		return nil, 0, http.StatusBadRequest
	}
	return items, r.fingerprint(buf.Bytes()), http.StatusOK
}

// readBody reads the request body into buf, at most maxBody bytes, within
// the body-memory budget, and checks its signature; it returns the status
// to answer: 200 when it was read whole and signed as required.
func (r *Receiver) readBody(w http.ResponseWriter, req *http.Request, buf *bodyBuffer) int {
	need := int64(maxBody)
	if req.ContentLength >= 0 && req.ContentLength < maxBody {
		need = req.ContentLength + 512 // bytes.Buffer reads in chunks of at least 512
	}
	if !r.bodyMem.TryAcquire(need) && !r.awaitBodyMemory(req, need) {
		r.refusals.busy.Add(1)
		r.refused(RefusedBusy, func() string { return "callbacks waited over " + busyWait.String() + " for body memory" })
		return http.StatusServiceUnavailable
	}
	defer r.bodyMem.Release(need)
	if status := r.readLimited(w, req, buf); status != http.StatusOK {
		return status
	}
	if !r.verify(req, buf.Bytes()) {
		r.refusals.signature.Add(1)
		r.refused(RefusedSignature, func() string { return "a callback unsigned or wrongly signed, from " + req.RemoteAddr })
		return http.StatusUnauthorized
	}
	return http.StatusOK
}

// readLimited reads the request body into buf, at most maxBody bytes; it
// returns 413 (counted in Refused.Oversize) for a larger body, 400 for one
// that could not be read, else 200. The caller holds the body memory.
//
// A body whose Content-Length is within maxBody is read as it is: the
// server's body ends at its Content-Length, so http.MaxBytesReader (an
// allocation per callback) could never cut it; buf's own bound only
// guards a handler called with a body longer than it says.
func (r *Receiver) readLimited(w http.ResponseWriter, req *http.Request, buf *bodyBuffer) int {
	if req.ContentLength < 0 || req.ContentLength > maxBody {
		return r.readCapped(w, req, buf)
	}
	buf.limit = io.LimitedReader{R: req.Body, N: maxBody + 1}
	_, err := buf.ReadFrom(&buf.limit)
	buf.limit.R = nil
	switch {
	case err != nil:
		return http.StatusBadRequest
	case buf.Len() > maxBody:
		return r.oversize(req)
	}
	return http.StatusOK
}

// readCapped is readLimited for a body of unknown or too large a length,
// through http.MaxBytesReader, which also has the server close the
// connection of a body over the limit.
func (r *Receiver) readCapped(w http.ResponseWriter, req *http.Request, buf *bodyBuffer) int {
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, req.Body, maxBody)); err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return r.oversize(req)
		}
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// oversize counts a body over 1 MiB and returns 413.
func (r *Receiver) oversize(req *http.Request) int {
	r.refusals.oversize.Add(1)
	r.refused(RefusedOversize, func() string { return "a body over 1 MiB, from " + req.RemoteAddr })
	return http.StatusRequestEntityTooLarge
}

// busyWait is how long a callback waits for body memory before it is
// answered 503.
const busyWait = 5 * time.Second

// awaitBodyMemory waits, bounded by busyWait and the request, for need bytes
// of body memory.
func (r *Receiver) awaitBodyMemory(req *http.Request, need int64) bool {
	ctx, cancel := context.WithTimeout(req.Context(), busyWait)
	defer cancel()
	return r.bodyMem.Acquire(ctx, need) == nil
}

// bodyBuffer is a pooled buffer for a request body, with the reader that
// bounds it (readLimited), pooled too so that reading allocates nothing.
type bodyBuffer struct {
	bytes.Buffer
	limit io.LimitedReader
}

// getBuffer takes an empty body buffer from the pool.
func (r *Receiver) getBuffer() *bodyBuffer {
	buf := r.bodies.Get().(*bodyBuffer)
	buf.Reset()
	return buf
}

func (r *Receiver) putBuffer(buf *bodyBuffer) {
	if buf.Cap() <= maxPooledBuffer {
		r.bodies.Put(buf)
	}
}

// fingerprint identifies a body for duplicate detection: a 64-bit hash
// keyed per run. Two different bodies collide with odds of about 2^-64 per
// pair, so equal fingerprints are taken as byte-identical bodies; this keeps
// 8 bytes per callback instead of the body.
func (r *Receiver) fingerprint(body []byte) uint64 {
	return maphash.Bytes(r.seed, body)
}

// dispatch hands a parsed callback to its mailbox, counts what became of
// it and returns that (Delivered, Duplicate, Late or Unmatched). sentAt is
// the sender's own stamp (senderStamp), zero when it gave none.
func (r *Receiver) dispatch(convID string, turn int, at, sentAt time.Time, sum uint64, items []transcript.Message) string {
	m, known := r.lookup(convID)
	switch {
	case m != nil:
		return r.count(m.deliverStamped(turn, at, sentAt, sum, items))
	case known && !r.lateAfterEnd(convID, turn, sum):
		r.stats.duplicates.Add(1)
		return Duplicate
	case known:
		r.stats.late.Add(1)
		if f := r.afterEnd.Load(); f != nil {
			(*f)(convID, turn, items)
		}
		return Late
	default:
		r.stats.unmatched.Add(1)
		return Unmatched
	}
}

func (r *Receiver) count(o outcome) string {
	switch o {
	case duplicate:
		r.stats.duplicates.Add(1)
		return Duplicate
	case late:
		r.stats.late.Add(1)
		return Late
	}
	return Delivered
}
