package protocol

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/protocol/retry"
	"github.com/voyplan/voyplan/engine/transcript"
)

// maxResponse bounds how much of a response body is read; a larger reply
// is a failed exchange rather than an unbounded allocation.
const maxResponse = 4 << 20

// maxSnippet is how much of an error response is quoted in a failure.
const maxSnippet = 200

// outgoing is one HTTP request to the assistant.
type outgoing struct {
	method  string
	url     string
	headers map[string]string // secret values
	body    []byte            // nil: none
}

// response is what came back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// roundTrip sends o and reads the whole response. Failures never carry a
// header value: the error names the URL without its query or user info,
// and anything quoted from the assistant is scrubbed of o's header values.
func roundTrip(ctx context.Context, client *http.Client, o outgoing) (response, error) {
	req, err := newRequest(ctx, o, "application/json")
	if err != nil {
		return response{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, transportError(err, o)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	r := response{status: resp.StatusCode, header: resp.Header, body: body}
	switch {
	case err != nil:
		return r, transportError(err, o)
	case len(body) > maxResponse:
		return r, fmt.Errorf("the assistant's response is larger than %d MiB", maxResponse>>20)
	}
	return r, nil
}

// newRequest builds o's request: its headers, a JSON Content-Type for a
// body that names none, and accept as Accept unless o names one.
func newRequest(ctx context.Context, o outgoing, accept string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, o.method, o.url, bytesOrNil(o.body))
	if err != nil {
		return nil, fmt.Errorf("cannot build the request to %s: invalid method or URL", redactURL(o.url))
	}
	for k, v := range o.headers {
		req.Header.Set(k, v)
	}
	if o.body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", accept)
	}
	return req, nil
}

func bytesOrNil(b []byte) io.Reader {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}

// Retrying is how a failed request is tried again: up to Retries more
// times, on HTTP 5xx or a broken connection, never on a 4xx or a timeout,
// waiting the answer's Retry-After or a jittered doubling backoff
// (retry.Do). Backoff is about the first wait (0: retry's default).
type Retrying struct {
	Retries int
	Backoff time.Duration
}

// errStatus marks an attempt answered with a failing status, for Retry.
var errStatus = errors.New("failing status")

// send makes o's request as rt says, and returns the last attempt's
// response and transport error (a failing status is not an error here:
// callers check response.ok) and the attempts made.
func (rt Retrying) send(ctx context.Context, client *http.Client, o outgoing) (response, int, error) {
	var r response
	attempts, err := retry.Do(ctx, rt.Retries, rt.Backoff, func() (int, string, error) {
		var err error
		r, err = roundTrip(ctx, client, o)
		if err == nil && !r.ok() {
			return r.status, r.header.Get("Retry-After"), errStatus
		}
		return r.status, "", err
	})
	if errors.Is(err, errStatus) {
		err = nil
	}
	return r, attempts, err
}

// syncFailure is how a synchronous exchange (http, openai) failed, nil when
// it did not: ctx's error when the conversation was cut, a NoReplyError
// when the request outlived w's reply timeout, a SendError for a transport
// error or a status other than 2xx. r and err are the last attempt's.
func syncFailure(ctx context.Context, w ReplyWait, r response, o outgoing, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil && isTimeout(err):
		return w.noReply()
	case err != nil:
		return &SendError{Status: r.status, Err: err}
	case !r.ok():
		return statusError(r, o)
	}
	return nil
}

// ok reports a 2xx status.
func (r response) ok() bool { return r.status >= 200 && r.status < 300 }

// statusError is a response whose status means failure, quoting the start
// of its body.
func statusError(r response, o outgoing) *SendError {
	snippet := strings.Join(strings.Fields(string(r.body)), " ")
	if len(snippet) > maxSnippet {
		cut := maxSnippet
		for cut > 0 && !utf8.RuneStart(snippet[cut]) {
			cut--
		}
		snippet = snippet[:cut] + "…"
	}
	msg := fmt.Sprintf("assistant answered HTTP %d", r.status)
	if snippet != "" {
		msg += ": " + redact(snippet, o.headers)
	}
	return &SendError{Status: r.status, Err: errors.New(msg)}
}

// sendFailure is a transport error with a message that is safe to record.
type sendFailure struct {
	msg string
	err error
}

func (e *sendFailure) Error() string { return e.msg }
func (e *sendFailure) Unwrap() error { return e.err }

// transportError rewrites a client error so that it names the URL without
// query or user info and quotes no header value.
func transportError(err error, o outgoing) error {
	inner := err
	if ue, ok := errors.AsType[*url.Error](err); ok {
		inner = ue.Err
	}
	msg := fmt.Sprintf("cannot reach the assistant at %s: %s", redactURL(o.url), redact(inner.Error(), o.headers))
	return &sendFailure{msg: msg, err: err}
}

// isTimeout reports a request that ran out of time.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

// redactURL drops a URL's user info, query and fragment, where secrets live.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an invalid URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	return u.String()
}

// minSecret is the shortest header value redact scrubs: shorter ones
// ("1", "no") would mangle the text and protect nothing.
const minSecret = 4

// minRun is the shortest run of a header value's consecutive characters
// redact scrubs on its own: an assistant echoing a key truncated (the
// first 20 characters of 39) still leaks most of it.
const minRun = 12

// redacted replaces what redact hides.
const redacted = "[redacted]"

// redact hides every header value in s, in any letter case (ASCII), and
// any run of minRun or more consecutive characters of one: an assistant
// that echoes a header truncated or upper-cased leaks it as surely as one
// echoing it whole. A bearer token is also matched without its scheme.
func redact(s string, headers map[string]string) string {
	if s == "" || len(headers) == 0 {
		return s
	}
	hide := make([]bool, len(s)) // the bytes of s to hide
	ls := asciiLower(s)
	for _, v := range headers {
		markSecret(ls, asciiLower(v), hide)
		if _, tok, ok := strings.Cut(v, " "); ok {
			markSecret(ls, asciiLower(tok), hide)
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if !hide[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && hide[j] {
			j++
		}
		// A run may take in the space of "Bearer tok": keep the spaces
		// at its edges, which hide nothing.
		lead, end := i, j
		for lead < end && s[lead] == ' ' {
			lead++
		}
		for end > lead && s[end-1] == ' ' {
			end--
		}
		b.WriteString(s[i:lead])
		if lead < end {
			b.WriteString(redacted)
		}
		b.WriteString(s[end:j])
		i = j
	}
	return b.String()
}

// markSecret marks in hide the bytes of ls (lower-cased text) that are
// secret (a lower-cased header value): every occurrence of it whole, and
// every run of minRun or more of its consecutive bytes, found through the
// set of its minRun-byte windows (overlapping windows cover longer runs).
func markSecret(ls, secret string, hide []bool) {
	if len(secret) < minSecret {
		return
	}
	mark := func(at, n int) {
		for k := at; k < at+n; k++ {
			hide[k] = true
		}
	}
	if len(secret) < minRun {
		for at := 0; ; {
			i := strings.Index(ls[at:], secret)
			if i < 0 {
				return
			}
			mark(at+i, len(secret))
			at += i + 1
		}
	}
	windows := make(map[string]struct{}, len(secret)-minRun+1)
	for i := 0; i+minRun <= len(secret); i++ {
		windows[secret[i:i+minRun]] = struct{}{}
	}
	for i := 0; i+minRun <= len(ls); i++ {
		if _, ok := windows[ls[i:i+minRun]]; ok {
			mark(i, minRun)
		}
	}
}

// asciiLower lower-cases the ASCII letters of s, keeping every byte where
// it was.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// redactMessages hides header values from the text and links of an
// assistant's reply, as redact does, before they are recorded.
func redactMessages(msgs []transcript.Message, headers map[string]string) {
	for i := range msgs {
		msgs[i].Text = redact(msgs[i].Text, headers)
		msgs[i].Link = redact(msgs[i].Link, headers)
	}
}

// lowerHeaders flattens response headers for expressions: lower-case names,
// the first value of each.
func lowerHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			out[strings.ToLower(k)] = v[0]
		}
	}
	return out
}
