// Package retry is how every protocol tries a failed request again: up to
// N more times with a doubling backoff, on an answer or a transport error
// worth repeating, never on a 4xx or a request that timed out.
package retry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/voyplan/voyplan/engine/internal/wait"
)

// Backoff between attempts: defaultBackoff before the first retry, doubling
// up to maxBackoff.
const (
	defaultBackoff = 200 * time.Millisecond
	maxBackoff     = 5 * time.Second
)

// Do calls attempt, and again up to retries more times with backoff
// (backoff before the first retry, doubling up to 5 s; 0: 200 ms) while
// it fails in a way worth repeating: HTTP 5xx (the status attempt
// returns with its error), or a transport error other than a timeout. A
// 4xx is never repeated, nor a request that timed out, which the server
// may still be working on. It returns the attempts made and the last
// attempt's error, saying how many attempts it took; when ctx ends during a
// backoff, that error is returned at once.
func Do(ctx context.Context, retries int, backoff time.Duration, attempt func() (status int, err error)) (int, error) {
	for n := 1; ; n++ {
		status, err := attempt()
		if err == nil || n > retries || !retryable(ctx, status, err) {
			return n, attemptsError(err, n)
		}
		if !wait.For(ctx, backoffAfter(backoff, n)) {
			return n, attemptsError(err, n)
		}
	}
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

// backoffAfter is the wait after the n-th attempt failed, starting from d.
func backoffAfter(d time.Duration, n int) time.Duration {
	if d <= 0 {
		d = defaultBackoff
	}
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// attemptsError says how many attempts a failure took, keeping err
// reachable with errors.As.
func attemptsError(err error, attempts int) error {
	if err == nil || attempts == 1 {
		return err
	}
	return fmt.Errorf("%w (after %d attempts)", err, attempts)
}
