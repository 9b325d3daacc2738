// Package retry is how every protocol tries a failed request again: up to
// N more times, waiting as voyplan's one retry policy says
// (engine/internal/backoffpolicy: doubling with jitter, or the answer's
// Retry-After), on an answer or a transport error worth repeating, never on
// a 4xx or a request that timed out.
package retry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/voyplan/voyplan/engine/internal/backoffpolicy"
	"github.com/voyplan/voyplan/engine/internal/wait"
)

// Backoff between attempts: about defaultBackoff before the first retry,
// doubling up to maxBackoff, with jitter; an answer's Retry-After up to
// maxServerDelay.
const (
	defaultBackoff = 200 * time.Millisecond
	maxBackoff     = 5 * time.Second
	maxServerDelay = 30 * time.Second
)

// Do calls attempt, and again up to retries more times while it fails in a
// way worth repeating: HTTP 5xx (the status attempt returns with its
// error), or a transport error other than a timeout. A 4xx is never
// repeated, nor a request that timed out, which the server may still be
// working on. Between attempts it waits the answer's Retry-After (the
// header's value attempt returns; up to 30 s, else it stops), or else a
// backoff starting near backoff (0: 200 ms), doubling up to 5 s, ±50%
// jitter. It returns the attempts made and the last attempt's error, saying
// how many attempts it took; when ctx ends during a wait, that error is
// returned at once.
func Do(ctx context.Context, retries int, backoff time.Duration, attempt func() (status int, retryAfter string, err error)) (int, error) {
	delays := policy(backoff).Start()
	for n := 1; ; n++ {
		status, retryAfter, err := attempt()
		if err == nil || n > retries || !retryable(ctx, status, err) {
			return n, attemptsError(err, n)
		}
		d, ok := delays.Next(backoffpolicy.RetryAfter(retryAfter, time.Now()))
		if !ok || !wait.For(ctx, d) {
			return n, attemptsError(err, n)
		}
	}
}

// policy is the assistant's retry policy, starting from first.
func policy(first time.Duration) backoffpolicy.Policy {
	if first <= 0 {
		first = defaultBackoff
	}
	return backoffpolicy.Policy{Base: first, Max: max(first, maxBackoff), MaxServerDelay: maxServerDelay}
}

// retryable reports whether a failed attempt is worth repeating: a 5xx
// answer, or a transport error that is not a timeout, while ctx lives.
func retryable(ctx context.Context, status int, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if status != 0 {
		return status >= http.StatusInternalServerError
	}
	// Transport errors come from the client as *url.Error; a request that
	// could not even be built (a bad target URL) is not worth repeating.
	var ue *url.Error
	return errors.As(err, &ue) && ue.Op != "parse" && !ue.Timeout()
}

// attemptsError says how many attempts a failure took, keeping err
// reachable with errors.As.
func attemptsError(err error, attempts int) error {
	if err == nil || attempts == 1 {
		return err
	}
	return fmt.Errorf("%w (after %d attempts)", err, attempts)
}
