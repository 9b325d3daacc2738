package webhook

import (
	"container/list"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// conns keeps the receiver's connections within a budget, so a flood of
// connections from the internet (the receiver is public behind a tunnel)
// cannot exhaust the process's file descriptors and starve the assistant's
// real callbacks.
//
// Every listener the receiver serves is wrapped by limitListener: a
// connection accepted while max are open makes room by closing the oldest
// fresh one (accepted, no request read yet: it has shown nothing, least of
// all a token) that has been fresh for at least minFreshAge — a client
// that connects to send a callback sends it at once, so a connection that
// young may be a real callback on its way. When none is that old, the new
// connection is closed at once and counted as refused. Connections that
// presented the token are never closed to make room. A request without this run's token is answered and its
// connection closed (handler.go), and a fresh connection that sends
// nothing is cut by the server's ReadHeaderTimeout, so connections that
// never present a token live seconds at most, while those that did stay
// for IdleTimeout.
//
// On Shutdown net/http waits up to 5 s before treating fresh connections
// as idle, so a client's spare connection would delay the end of every run;
// the receiver closes them at once instead (closeAll).
type conns struct {
	// mu guards fresh, byConn and closing. Invariant: fresh holds exactly
	// the open connections in StateNew, oldest first, and byConn maps each
	// to its element.
	mu      sync.Mutex
	fresh   list.List // of freshConn
	byConn  map[net.Conn]*list.Element
	closing bool

	max     atomic.Int64 // most connections open at once; 0: no limit
	open    atomic.Int64 // accepted and not yet closed
	refused atomic.Uint64
	evicted atomic.Uint64
	// onRefuse is called at each refusal and eviction; set before serving.
	onRefuse func()
}

// minFreshAge is how long a connection must have been fresh before it may
// be closed to make room for another.
const minFreshAge = 100 * time.Millisecond

// freshConn is a connection with no request read yet, and when it came.
type freshConn struct {
	conn net.Conn
	at   time.Time
}

func newConns() *conns {
	return &conns{byConn: make(map[net.Conn]*list.Element)}
}

// track is the server's ConnState hook.
func (c *conns) track(conn net.Conn, s http.ConnState) {
	if s == http.StateClosed || s == http.StateHijacked {
		c.open.Add(-1)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case s != http.StateNew:
		if e := c.byConn[conn]; e != nil {
			c.fresh.Remove(e)
			delete(c.byConn, conn)
		}
	case c.closing:
		_ = conn.Close()
	default:
		c.byConn[conn] = c.fresh.PushBack(freshConn{conn: conn, at: time.Now()})
	}
}

// admit reports whether a newly accepted connection may be served, making
// room first by closing the oldest fresh connection when the budget is
// spent. A connection it admits is counted open until the server reports
// it closed.
func (c *conns) admit() bool {
	if max := c.max.Load(); max > 0 && c.open.Load() >= max && !c.evictOldest() {
		c.refused.Add(1)
		c.onRefuse()
		return false
	}
	c.open.Add(1)
	return true
}

// evictOldest closes the oldest fresh connection, if it has been fresh for
// minFreshAge; false when there is none that old.
func (c *conns) evictOldest() bool {
	c.mu.Lock()
	e := c.fresh.Front()
	if e == nil || time.Since(e.Value.(freshConn).at) < minFreshAge {
		c.mu.Unlock()
		return false
	}
	conn := c.fresh.Remove(e).(freshConn).conn
	delete(c.byConn, conn)
	c.mu.Unlock()
	_ = conn.Close() // the server sees it closed and counts it out of open
	c.evicted.Add(1)
	c.onRefuse()
	return true
}

// closeAll closes the fresh connections and any accepted from now on. The
// server calls it on Shutdown, once its listener is closed.
func (c *conns) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closing = true
	for conn, e := range c.byConn {
		_ = conn.Close()
		c.fresh.Remove(e)
		delete(c.byConn, conn)
	}
}

// limitListener applies the connection budget to a listener's accepts.
type limitListener struct {
	net.Listener
	c *conns
}

// Accept returns the next connection the budget admits, closing those it
// refuses.
func (l limitListener) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return conn, err
		}
		if l.c.admit() {
			return conn, nil
		}
		_ = conn.Close()
	}
}
