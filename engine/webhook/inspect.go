package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Inspector keeps the last callbacks a receiver handled, as ngrok's
// inspector does, for a live view: when each arrived, for which
// conversation and turn, what the receiver answered and made of it, the
// headers with secrets masked and the body pretty-printed. Memory is
// bounded: the last size callbacks, each body cut at MaxInspectedBody.
// A receiver without one (the default) does none of this work.
type Inspector struct {
	size    int
	latency atomic.Pointer[func(convID string, turn int, at time.Time) (time.Duration, bool)]
	// mu guards ring, next and seq. Invariant: ring holds the last
	// min(seq, size) callbacks recorded, in order of Seq from ring[next]
	// round to ring[next-1] once full; seq is the Seq of the newest.
	mu   sync.Mutex
	ring []Callback
	next int
	seq  uint64
}

// MaxInspectedBody is how much of a callback's body an Inspector keeps.
const MaxInspectedBody = 16 << 10

// Dispositions: what the receiver made of a callback.
const (
	Delivered = "delivered" // filed under its turn, for the waiting user
	Duplicate = "duplicate" // byte-identical to one already received for the turn: dropped
	Late      = "late"      // for a turn or conversation already closed
	Unmatched = "unmatched" // for a conversation this run does not know
	Malformed = "malformed" // unreadable, too large, or not a reply payload
	Rejected  = "rejected"  // not a POST
)

// Callback is one callback as an Inspector keeps it.
type Callback struct {
	Seq          uint64            `json:"seq"` // 1, 2, … in arrival order
	At           time.Time         `json:"at"`
	Conversation string            `json:"conversation"` // "" when the body named none
	Turn         int               `json:"turn"`
	Method       string            `json:"method"`
	Status       int               `json:"status"`      // what the receiver answered
	Disposition  string            `json:"disposition"` // Delivered, Duplicate, …
	LatencyMS    *float64          `json:"latency_ms"`  // arrival minus when the turn was sent; nil when unknown
	Headers      map[string]string `json:"headers"`     // secrets masked
	Body         string            `json:"body"`        // pretty-printed when JSON; secret-looking fields masked
	Size         int               `json:"size"`        // body bytes received
	Truncated    bool              `json:"truncated"`   // Body holds only the first MaxInspectedBody bytes
}

// NewInspector returns an Inspector that keeps the last size callbacks.
func NewInspector(size int) *Inspector {
	return &Inspector{size: max(size, 1)}
}

// SetLatency sets how the reply latency of a callback is found: f gets the
// conversation, the turn and the arrival time, and reports the time since
// the turn's message was sent. f is called from the receiver's handlers,
// concurrently, and must be quick.
func (i *Inspector) SetLatency(f func(convID string, turn int, at time.Time) (time.Duration, bool)) {
	i.latency.Store(&f)
}

// Recent returns, oldest first, the callbacks kept with Seq after `after`,
// of conversation conv ("": every one).
func (i *Inspector) Recent(conv string, after uint64) []Callback {
	i.mu.Lock()
	defer i.mu.Unlock()
	out := make([]Callback, 0, len(i.ring))
	for k := range len(i.ring) {
		c := i.ring[(i.next+k)%len(i.ring)]
		if c.Seq > after && (conv == "" || c.Conversation == conv) {
			out = append(out, c)
		}
	}
	return out
}

// Last is the Seq of the newest callback recorded; 0 before any.
func (i *Inspector) Last() uint64 {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.seq
}

func (i *Inspector) add(c Callback) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.seq++
	c.Seq = i.seq
	if len(i.ring) < i.size {
		i.ring = append(i.ring, c)
		return
	}
	i.ring[i.next] = c
	i.next = (i.next + 1) % i.size
}

// SetInspector makes the receiver keep every callback on a hook path that
// carries this run's token in i, from now on; nil stops it. Requests
// without the token are never kept: they are not callbacks of this run.
func (r *Receiver) SetInspector(i *Inspector) {
	r.inspector.Store(i)
}

// tap is one callback being inspected; nil when no Inspector is set, and
// then every method does nothing.
type tap struct {
	i    *Inspector
	c    Callback
	body []byte
}

// tapFor starts inspecting req, which arrived at at.
func (r *Receiver) tapFor(req *http.Request, at time.Time, convID string, turn int) *tap {
	i := r.inspector.Load()
	if i == nil {
		return nil
	}
	return &tap{i: i, c: Callback{At: at, Conversation: convID, Turn: turn, Method: req.Method, Headers: maskHeaders(req.Header)}}
}

// read keeps a copy of the body as read (the buffer goes back to a pool).
func (t *tap) read(body []byte) {
	if t == nil {
		return
	}
	t.c.Size = len(body)
	t.body = bytes.Clone(body[:min(len(body), MaxInspectedBody)])
	t.c.Truncated = len(body) > MaxInspectedBody
}

// route names the conversation and turn a shared-URL callback was for.
func (t *tap) route(convID string, turn int) {
	if t != nil {
		t.c.Conversation, t.c.Turn = convID, turn
	}
}

// done records the callback with the receiver's answer and disposition.
func (t *tap) done(status int, disposition string) {
	if t == nil {
		return
	}
	t.c.Status, t.c.Disposition = status, disposition
	t.c.Body = prettyBody(t.body, t.c.Truncated)
	if f := t.i.latency.Load(); f != nil && t.c.Conversation != "" {
		if d, ok := (*f)(t.c.Conversation, t.c.Turn, t.c.At); ok {
			ms := float64(d.Microseconds()) / 1e3
			t.c.LatencyMS = &ms
		}
	}
	t.i.add(t.c)
}

// secretName matches header and JSON field names whose values are
// credentials: authorization, cookies, anything token-, key- or
// secret-like.
var secretName = regexp.MustCompile(`(?i)auth|cookie|token|secret|passw|key|session|signature|credential|bearer`)

// masked replaces a secret's value.
const masked = "[masked]"

// maskHeaders flattens h (values joined by ", ") with every secret value
// replaced by masked.
func maskHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, vs := range h {
		if secretName.MatchString(name) {
			out[name] = masked
			continue
		}
		out[name] = strings.Join(vs, ", ")
	}
	return out
}

// secretField matches a JSON string field with a secret-looking name, as
// json.Indent writes it.
var secretField = regexp.MustCompile(`("[^"\\]*(?i:auth|token|secret|passw|api_?key|apikey|signature|credential)[^"\\]*"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// prettyBody indents a JSON body, keeping its field order, and masks the
// string values of secret-looking fields; any other body is shown as text
// (invalid UTF-8 replaced).
func prettyBody(b []byte, truncated bool) string {
	var out bytes.Buffer
	if !truncated && json.Indent(&out, b, "", "  ") == nil {
		return secretField.ReplaceAllString(out.String(), `$1"`+masked+`"`)
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
