package webhook

import (
	"bytes"
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

// receivedBody is the old receiver's answer, kept for the assistant's sake.
const receivedBody = `{"status":"received"}`

// ServeHTTP handles one callback. The arrival time is read first, before the
// body, so latency excludes reading and parsing it.
//
//	404, empty body   wrong token, or not /hooks/<token>/<convID>/<turn>
//	405               any method but POST on a valid path
//	413               body over 1 MiB (Malformed)
//	400               body is not a known reply payload (Malformed)
//	200 {"status":"received"}  anything else, whether delivered, a duplicate,
//	                  late or unmatched: the assistant did nothing wrong
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := arrival(req, time.Now())
	if r.serveShared(w, req, at) { // decoder.go: one URL for every conversation
		return
	}
	convID, turn, ok := r.route(req.URL.Path)
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	tap := r.tapFor(req, at, convID, turn) // nil unless an Inspector is set
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		tap.done(http.StatusMethodNotAllowed, Rejected)
		return
	}
	r.stats.received.Add(1)
	items, sum, status := r.readCallback(w, req, tap)
	if status != http.StatusOK {
		r.stats.malformed.Add(1)
		w.WriteHeader(status)
		tap.done(status, Malformed)
		return
	}
	disposition := r.dispatch(convID, turn, at, senderStamp(req), sum, items)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, receivedBody)
	tap.done(http.StatusOK, disposition)
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

// readCallback reads and parses the body. It returns the items, the body's
// fingerprint for duplicate detection, and the status to answer: 200 when
// the body is usable.
func (r *Receiver) readCallback(w http.ResponseWriter, req *http.Request, tap *tap) ([]transcript.Message, uint64, int) {
	buf := r.bodies.Get().(*bytes.Buffer)
	defer r.putBuffer(buf)
	buf.Reset()
	_, err := buf.ReadFrom(http.MaxBytesReader(w, req.Body, maxBody))
	tap.read(buf.Bytes())
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return nil, 0, http.StatusRequestEntityTooLarge
		}
		return nil, 0, http.StatusBadRequest
	}
	items, err := r.parse(buf.Bytes()) // copies what it keeps
	if err != nil {
		return nil, 0, http.StatusBadRequest
	}
	return items, r.fingerprint(buf.Bytes()), http.StatusOK
}

func (r *Receiver) putBuffer(buf *bytes.Buffer) {
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
