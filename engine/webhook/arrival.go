package webhook

import (
	"context"
	"net"
	"net/http"
	"time"
)

// maxArrivalAge bounds how old a kernel receive time may be and still be
// taken as a request's arrival: older means the bytes were read long before
// the request was handled (they never are), so the handler's own clock is
// used instead.
const maxArrivalAge = 10 * time.Second

// connKey carries a request's connection in its context (ConnContext).
type connKey struct{}

// withConn is the server's ConnContext hook.
func withConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// rxStamped is a connection that knows when the kernel received the data
// its latest read returned (rxstamp_linux.go).
type rxStamped interface {
	received() time.Time // zero when unknown
}

// arrival is when req reached this machine: the kernel's receive time of
// the bytes the server read last before handling it — its headers, which
// always come before the handler runs — moved onto now's monotonic clock,
// so a busy process (the scheduler, a GC) does not add its own delay to
// the reply latency. Without a kernel time (other systems, tunnels'
// in-process connections, tests calling ServeHTTP) it is now.
func arrival(req *http.Request, now time.Time) time.Time {
	c, ok := req.Context().Value(connKey{}).(rxStamped)
	if !ok {
		return now
	}
	rx := c.received()
	if rx.IsZero() {
		return now
	}
	age := now.Round(0).Sub(rx) // wall clocks: the kernel's has no monotonic reading
	if age < 0 || age > maxArrivalAge {
		return now
	}
	return now.Add(-age)
}
