package webhook

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// sharedSegment ends the shared URL: /hooks/<token>/shared. No per-turn path
// looks like it, since those always end in /<turn>.
const sharedSegment = "/shared"

// Parser reads a callback body into its reply items; an error makes the
// callback Malformed (400). The receiver knows no payload format of its
// own: the protocol that hands out its URLs installs the Parser of the
// format its assistant calls back with (SetParser). A Parser is called from
// the handler's goroutines, concurrently.
type Parser interface {
	Parse(body []byte) ([]transcript.Message, error)
}

// ParserFunc is a function that is a Parser.
type ParserFunc func(body []byte) ([]transcript.Message, error)

// Parse implements Parser.
func (f ParserFunc) Parse(body []byte) ([]transcript.Message, error) { return f(body) }

// errNoParser answers a callback that came before any Parser was installed.
var errNoParser = errors.New("the receiver has no payload format installed")

// Decoder is a Parser that also routes: for an assistant that calls one URL
// for every conversation and names the conversation in the body.
type Decoder interface {
	Parser
	// Route names the conversation (its id as given to Open) and the turn a
	// callback to SharedURL is for; ok false counts it as Unmatched.
	Route(body []byte) (convID string, turn int, ok bool)
}

// decoderBox lets an interface live in an atomic.Pointer.
type decoderBox struct{ d Decoder }

// parserBox lets an interface live in an atomic.Pointer.
type parserBox struct{ p Parser }

// SetParser installs p to read every callback on the per-turn paths from
// now on. Call it before handing out URLs.
func (r *Receiver) SetParser(p Parser) {
	r.parser.Store(&parserBox{p: p})
}

// SetDecoder installs d to read every callback from now on, and enables
// the shared URL. Call it before handing out URLs.
func (r *Receiver) SetDecoder(d Decoder) {
	r.SetParser(d)
	r.decoder.Store(&decoderBox{d: d})
}

// SharedURL is the one URL every conversation's callbacks may go to when a
// Decoder routes them by their body: <public base>/hooks/<token>/shared.
func (r *Receiver) SharedURL() string {
	return *r.base.Load() + hooksPrefix + r.token + sharedSegment
}

// parse reads a callback body with the installed Parser.
func (r *Receiver) parse(body []byte) ([]transcript.Message, error) {
	if box := r.parser.Load(); box != nil {
		return box.p.Parse(body)
	}
	return nil, errNoParser
}

// isShared reports whether path is the shared URL's, without allocating.
func (r *Receiver) isShared(path string) bool {
	rest, ok := strings.CutPrefix(path, hooksPrefix)
	if !ok {
		return false
	}
	token, ok := strings.CutSuffix(rest, sharedSegment)
	return ok && len(token) == len(r.token) && token == r.token
}

// serveShared handles a callback to the shared URL and reports whether the
// request was one; the answers are ServeHTTP's, and a body the Decoder
// cannot route counts as Unmatched. It does nothing without a Decoder.
func (r *Receiver) serveShared(w http.ResponseWriter, req *http.Request, at time.Time) bool {
	box := r.decoder.Load()
	if box == nil || !r.isShared(req.URL.Path) {
		return false
	}
	tap := r.tapFor(req, at, "", 0) // nil unless an Inspector is set
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		tap.done(http.StatusMethodNotAllowed, Rejected)
		return true
	}
	buf := r.getBuffer()
	defer r.putBuffer(buf)
	status := r.readBody(w, req, buf)
	if !refusal(status) {
		r.stats.received.Add(1)
	}
	tap.read(buf.Bytes())
	var items []transcript.Message
	if status == http.StatusOK {
		var err error
		if items, err = box.d.Parse(buf.Bytes()); err != nil {
			status = http.StatusBadRequest
		}
	}
	if status != http.StatusOK {
		r.fail(w, status, tap)
		return true
	}
	disposition := Unmatched
	if convID, turn, ok := box.d.Route(buf.Bytes()); ok {
		tap.route(convID, turn)
		disposition = r.dispatch(convID, turn, at, senderStamp(req), r.fingerprint(buf.Bytes()), items)
	} else {
		r.stats.unmatched.Add(1)
	}
	accepted(w)
	tap.done(http.StatusOK, disposition)
	return true
}
