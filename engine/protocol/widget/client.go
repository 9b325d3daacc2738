package widget

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Voyager sends customer messages to a widget API endpoint (VOYAGER.md §1).
// A Voyager is safe for concurrent use; its Client carries the connection pool.
type Voyager struct {
	URL       string       // the widget endpoint, e.g. https://voyager.g121.io/v1/webhooks/widget
	ChannelID string       // the assistant channel, a 24-hex id
	Client    *http.Client // nil: http.DefaultClient; use NewHTTPClient under load
	// Retries is how many times SendMessage tries a failed send again: on
	// HTTP 5xx and on transport errors other than a timeout (a reset or
	// refused connection, a connection closed before the answer). 4xx is
	// never retried, and neither is a send that timed out, which the
	// assistant may still be processing. 0: one attempt.
	Retries int
	// Backoff is the wait before the first retry; it doubles for each
	// further one, up to maxBackoff. 0: defaultBackoff.
	Backoff time.Duration

	// tmpl is a POST to URL made once (request): its parsed URL and its
	// header are every request's.
	tmpl struct {
		once sync.Once
		req  *http.Request
		err  error
	}
}

// StatusError is a send the assistant answered with a status other than
// 200, 201 or 202.
type StatusError struct {
	Code int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("assistant answered HTTP %d", e.Code)
}

// sendBody is the widget API's request body.
type sendBody struct {
	Type             string `json:"type"`
	Text             string `json:"text"`
	ChannelID        string `json:"channelId"`
	ClientIdentifier string `json:"clientIdentifier"`
	Webhook          string `json:"webhook"`
}

// maxDrain bounds how much of a response body is read to let the connection
// be reused; a longer body costs a new connection rather than time.
const maxDrain = 64 << 10

// Send is SendMessage without the attempt count: the HTTP status of the
// last attempt (0 when no response came) and, for any status but 200, 201
// or 202, a *StatusError.
func (v *Voyager) Send(ctx context.Context, clientIdentifier, text, webhookURL string) (status int, err error) {
	sent, err := v.SendMessage(ctx, clientIdentifier, text, webhookURL)
	return sent.Status, err
}

// post makes one attempt at sending an encoded message.
//
// It goes to the client's transport itself rather than through
// http.Client.Do, which for every request copies the headers (for
// redirects), and wraps the body and the deadline (issue 16: ~3 % of a
// run's CPU at saturation): the client's Timeout bounds the request, from
// dial to the end of the body, as a deadline of its context; an error is
// the *url.Error Do returns. A redirect is not followed: the widget API
// answers 200, 201 or 202, and any other status is a *StatusError (Do
// would have re-sent the message, or turned the POST into a GET). A
// client with a cookie jar or a redirect policy goes through Do.
func (v *Voyager) post(ctx context.Context, body []byte) (status int, retryAfter string, err error) {
	c, rctx := v.client(), ctx
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel() // after the body is read: the deadline bounds it too
	}
	req, err := v.request(rctx, body)
	if err != nil {
		return 0, "", fmt.Errorf("cannot build the request to the assistant: %w", err)
	}
	resp, err := roundTrip(c, req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok && rctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			ue.Err = &timeoutError{c.Timeout, ue.Err}
		}
		return 0, "", fmt.Errorf("cannot send the message to the assistant: %w", err)
	}
	drainAndClose(resp.Body)
	if !accepted(resp.StatusCode) {
		return resp.StatusCode, resp.Header.Get("Retry-After"), &StatusError{Code: resp.StatusCode}
	}
	return resp.StatusCode, "", nil
}

// timeoutError is a send the client's timeout cut.
type timeoutError struct {
	after time.Duration
	err   error
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no answer within the target's timeout (%s): %v", e.after, e.err)
}
func (e *timeoutError) Unwrap() error { return e.err }
func (e *timeoutError) Timeout() bool { return true }

// request is a POST of body to v.URL with ctx: a copy of a request made
// once, sharing its parsed URL and its header, which the transport only
// reads, rather than one that parses the URL and makes a header each time
// (issue 16: ~0.7 KiB allocated a send).
func (v *Voyager) request(ctx context.Context, body []byte) (*http.Request, error) {
	t := &v.tmpl
	t.once.Do(func() {
		if t.req, t.err = http.NewRequest(http.MethodPost, v.URL, nil); t.err == nil {
			t.req.Header["Content-Type"] = []string{"application/json"}
		}
	})
	if t.err != nil {
		return nil, t.err
	}
	req := t.req.WithContext(ctx)
	req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return req, nil
}

// roundTrip sends req through c's transport, its error a *url.Error as
// c.Do's, the URL's password hidden as Do hides it; through c.Do when c
// has a cookie jar or a redirect policy.
func roundTrip(c *http.Client, req *http.Request) (*http.Response, error) {
	if c.Jar != nil || c.CheckRedirect != nil {
		return c.Do(req)
	}
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, &url.Error{Op: "Post", URL: req.URL.Redacted(), Err: err}
	}
	return resp, nil
}

func (v *Voyager) client() *http.Client {
	if v.Client != nil {
		return v.Client
	}
	return http.DefaultClient
}

func accepted(code int) bool {
	return code == http.StatusOK || code == http.StatusCreated || code == http.StatusAccepted
}

// drainAndClose reads what is left of a response body, up to maxDrain, so
// the keep-alive connection goes back to the pool.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	_ = body.Close()
}

// NewHTTPClient returns a client tuned for many concurrent sends to one
// host: a large idle pool so connections are reused rather than redialled,
// no cap on connections per host, HTTP/1.1 (HTTP/2 is not forced, so load
// spreads over connections instead of multiplexing onto one), and timeout
// bounding each request from dial to the end of the body (0: none).
func NewHTTPClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          0, // no overall limit; the per-host limit applies
		MaxIdleConnsPerHost:   2048,
		MaxConnsPerHost:       0,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     false,
	}
	return &http.Client{Transport: transport, Timeout: timeout}
}
