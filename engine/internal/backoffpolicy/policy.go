package backoffpolicy

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Jitter is how far a computed wait strays either way from the exponential
// interval (backoff/v5's randomization factor): ±50%, so clients that failed
// together do not come back together.
const Jitter = 0.5

// Policy is how long to wait between attempts.
type Policy struct {
	Base time.Duration // the interval after the first failure
	Max  time.Duration // the interval doubles up to this (a wait is at most Max × (1 + Jitter))
	// MaxServerDelay is the longest server-given delay waited for; a server
	// asking for longer fails the request at once. 0: any.
	MaxServerDelay time.Duration
}

// Delays is the waits of one request, attempt after attempt. Not safe for
// concurrent use: each request has its own.
type Delays struct {
	p Policy
	b *backoff.ExponentialBackOff
}

// Start begins the waits of a request.
func (p Policy) Start() *Delays {
	return &Delays{p: p, b: &backoff.ExponentialBackOff{
		InitialInterval:     p.Base,
		RandomizationFactor: Jitter,
		Multiplier:          2,
		MaxInterval:         max(p.Max, p.Base),
	}}
}

// Next is the wait before the next attempt. server is the delay the server
// asked for (0: none): it is waited in full, plus up to a tenth of it (at
// most Base) so clients told the same delay do not all come back at once.
// ok is false when server is longer than MaxServerDelay: do not retry.
// Without a server delay the exponential interval advances.
func (d *Delays) Next(server time.Duration) (wait time.Duration, ok bool) {
	if server > 0 {
		if d.p.MaxServerDelay > 0 && server > d.p.MaxServerDelay {
			return 0, false
		}
		if j := min(server/10, d.p.Base); j > 0 {
			return server + rand.N(j), true
		}
		return server, true
	}
	return d.b.NextBackOff(), true
}

// RetryAfter reads a Retry-After header value (RFC 9110): delay-seconds or
// an HTTP date after now; 0 when there is none or it cannot be read.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
