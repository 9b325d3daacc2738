package tunnel

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
)

// Loopback is a tunnel to a second loopback address: what tests use in
// place of ngrok to check that a run hands out the tunnel's URL, serves the
// callbacks that arrive through it, and closes it at the end.
type Loopback struct {
	opened atomic.Pointer[loopbackTunnel]
}

// Open listens on 127.0.0.1, on a port the system picks.
func (l *Loopback) Open(ctx context.Context) (Tunnel, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot open the loopback tunnel: %w", err)
	}
	t := &loopbackTunnel{ln: &countingListener{Listener: ln}}
	l.opened.Store(t)
	return t, nil
}

// Accepted is how many connections came through the last tunnel opened.
func (l *Loopback) Accepted() int64 {
	if t := l.opened.Load(); t != nil {
		return t.ln.accepted.Load()
	}
	return 0
}

// Closed reports whether the last tunnel opened has been closed.
func (l *Loopback) Closed() bool {
	t := l.opened.Load()
	return t != nil && t.closed.Load()
}

type loopbackTunnel struct {
	ln     *countingListener
	once   sync.Once
	closed atomic.Bool
}

func (t *loopbackTunnel) URL() string            { return "http://" + t.ln.Addr().String() }
func (t *loopbackTunnel) Listener() net.Listener { return t.ln }

func (t *loopbackTunnel) Close() error {
	var err error
	t.once.Do(func() {
		t.closed.Store(true)
		if err = t.ln.Close(); isClosedError(err) {
			err = nil // the server that served it closed it already
		}
	})
	return err
}

// countingListener counts accepted connections.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (c *countingListener) Accept() (net.Conn, error) {
	conn, err := c.Listener.Accept()
	if err == nil {
		c.accepted.Add(1)
	}
	return conn, err
}
