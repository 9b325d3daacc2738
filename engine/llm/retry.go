package llm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"google.golang.org/genai"

	"github.com/voyplan/voyplan/engine/internal/backoffpolicy"
)

// Backoff is the retry policy of a Chat, voyplan's one retry policy
// (engine/internal/backoffpolicy) with the model's figures: the wait after
// attempt n (0-based) that failed without a server-given delay is
// Base × 2ⁿ, capped at Max, ±50% jitter. A server-given delay is waited in
// full, plus up to a tenth of it (at most Base) so users told the same
// delay do not all come back at once; a delay longer than MaxServerDelay is
// not waited for: the generation fails at once.
type Backoff struct {
	Base           time.Duration
	Max            time.Duration
	MaxServerDelay time.Duration
}

// DefaultBackoff is the policy a run uses: 1 s doubling up to 30 s, and a
// server-given delay waited up to 2 minutes.
func DefaultBackoff() Backoff {
	return Backoff{Base: time.Second, Max: 30 * time.Second, MaxServerDelay: 2 * time.Minute}
}

// start begins the waits of one generation.
func (b Backoff) start() *backoffpolicy.Delays {
	return backoffpolicy.Policy{Base: b.Base, Max: b.Max, MaxServerDelay: b.MaxServerDelay}.Start()
}

// retryable reports whether a failed attempt is worth another: HTTP 408,
// 429 and 5xx, and any error that is not an HTTP answer (a transport error,
// a timed-out attempt, an unreadable body). ctx is the generation's own:
// once it is done nothing is retried.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var apiErr genai.APIError
	if errors.As(err, &apiErr) {
		c := apiErr.Code
		return c == http.StatusTooManyRequests || c == http.StatusRequestTimeout || c >= 500
	}
	return true
}

// serverDelay is the delay the server asked for: the RetryInfo detail of a
// Gemini error body ({"@type": "type.googleapis.com/google.rpc.RetryInfo",
// "retryDelay": "37s"}), else the Retry-After header (seconds or an HTTP
// date); 0 when there is none.
func serverDelay(err error, retryAfter string, now time.Time) time.Duration {
	var apiErr genai.APIError
	if errors.As(err, &apiErr) {
		for _, d := range apiErr.Details {
			if t, _ := d["@type"].(string); !strings.HasSuffix(t, "google.rpc.RetryInfo") {
				continue
			}
			if s, ok := d["retryDelay"].(string); ok {
				if v, err := time.ParseDuration(s); err == nil && v > 0 {
					return v
				}
			}
		}
	}
	return backoffpolicy.RetryAfter(retryAfter, now)
}

// headerKey carries, in a request's context, where the transport writes the
// Retry-After header of an error response: genai.APIError keeps the body
// but drops the headers.
type headerKey struct{}

// retryAfterTransport records the Retry-After header of error responses
// into the *string its request's context carries.
type retryAfterTransport struct{ base http.RoundTripper }

func (t retryAfterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if resp != nil && resp.StatusCode >= 400 {
		if slot, ok := req.Context().Value(headerKey{}).(*string); ok {
			*slot = resp.Header.Get("Retry-After")
		}
	}
	return resp, err
}
