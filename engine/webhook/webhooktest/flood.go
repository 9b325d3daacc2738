// Package webhooktest floods a webhook receiver, for tests: connections
// from the internet that carry no run token, the load a public receiver
// behind a tunnel must shrug off while the run's real callbacks go on.
package webhooktest

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Flood opens n connections to addr, at most par at once. Each sends
// "GET /" without a token and reads until the server closes it — but
// every idleEvery-th (0: none) sends nothing and waits for the server to
// close it (to make room for others, or at its header timeout). It returns
// how many the server closed, and stops early when ctx ends.
func Flood(ctx context.Context, addr string, n, par, idleEvery int) (closed int64) {
	var done, next atomic.Int64
	var wg sync.WaitGroup
	for range par {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				idle := idleEvery > 0 && i%int64(idleEvery) == 0
				if one(ctx, addr, !idle) {
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return done.Load()
}

// one opens one flood connection; true when the server closed it.
func one(ctx context.Context, addr string, get bool) bool {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second)) // a bound, never reached when the server behaves
	if get {
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return true // already closed: evicted before it could write
		}
	}
	_, err = io.Copy(io.Discard, conn) // returns when the server closes it
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout())
}
