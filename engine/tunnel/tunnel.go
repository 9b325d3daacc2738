package tunnel

import (
	"context"
	"net"
)

// Tunnel is a public address whose connections arrive on Listener.
type Tunnel interface {
	// URL is the public base URL, e.g. "https://abc.ngrok.app", with no
	// trailing slash.
	URL() string
	// Listener yields the connections that reached URL. Whoever serves it
	// closes it (http.Server.Shutdown does).
	Listener() net.Listener
	// Close ends the tunnel. Call it once the listener is no longer served;
	// it is safe to call more than once.
	Close() error
}

// Opener opens a tunnel. Open returns within the opener's own start-up
// bound, or when ctx ends.
type Opener interface {
	Open(ctx context.Context) (Tunnel, error)
}
