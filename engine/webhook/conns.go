package webhook

import (
	"net"
	"net/http"
	"sync"
)

// freshConns tracks connections accepted with no request read yet. On
// Shutdown net/http waits up to 5 s before treating those as idle, so a
// client's spare connection would delay the end of every run; the receiver
// closes them at once instead.
type freshConns struct {
	mu      sync.Mutex // guards conns (exactly the open connections in StateNew) and closing
	conns   map[net.Conn]struct{}
	closing bool
}

// track is the server's ConnState hook.
func (f *freshConns) track(c net.Conn, s http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case s != http.StateNew:
		delete(f.conns, c)
	case f.closing:
		_ = c.Close()
	default:
		f.conns[c] = struct{}{}
	}
}

// closeAll closes the fresh connections and any accepted from now on. The
// server calls it on Shutdown, once its listener is closed.
func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closing = true
	for c := range f.conns {
		_ = c.Close()
		delete(f.conns, c)
	}
}
