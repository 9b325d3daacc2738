package ws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Options say how to open a connection.
type Options struct {
	Header      http.Header
	Subprotocol string       // offered in the handshake; "" offers none
	Client      *http.Client // nil: http.DefaultClient
	// MaxFrame bounds one incoming frame; a larger one ends the connection
	// with ErrTooLarge. 0: 1 MiB.
	MaxFrame int64
	// PingInterval, when positive, pings the peer that often.
	PingInterval time.Duration
}

const (
	defaultMaxFrame = 1 << 20
	// queued is how many frames wait for the session before the reader
	// stops reading: a flood then waits on the socket, not in memory.
	queued = 16
)

// ErrTooLarge: a frame was larger than Options.MaxFrame.
var ErrTooLarge = errors.New("a frame is larger than the limit")

// Frame is one message from the peer.
type Frame struct {
	Data   []byte
	Binary bool
	At     time.Time // when its last byte was read (monotonic)
}

// Conn is one open connection. Frames come on Frames() until the
// connection ends, when Done() is closed and Err says why.
type Conn struct {
	c      *websocket.Conn
	frames chan Frame
	done   chan struct{} // closed when the reader returned; err is set before
	stop   chan struct{} // closed by Close: the reader discards instead of queueing
	err    error
	bytes  atomic.Int64
	pings  atomic.Int64 // pings sent
	pongs  atomic.Int64 // pongs received
	peer   atomic.Int64 // pings received from the peer (answered by the library)
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// HandshakeError is a handshake the server refused: its HTTP status.
type HandshakeError struct {
	Status int
	Err    error
}

func (e *HandshakeError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("the server answered the WebSocket handshake with HTTP %d", e.Status)
	}
	return "cannot open the WebSocket connection: " + e.Err.Error()
}

func (e *HandshakeError) Unwrap() error { return e.Err }

// Dial opens a connection to url (ws, wss, http or https) and starts its
// reader (and pinger). ctx bounds the handshake only.
func Dial(ctx context.Context, url string, o Options) (*Conn, error) {
	conn := &Conn{frames: make(chan Frame, queued), done: make(chan struct{}), stop: make(chan struct{})}
	opts := &websocket.DialOptions{
		HTTPClient: o.Client, HTTPHeader: o.Header,
		OnPingReceived: func(context.Context, []byte) bool { conn.peer.Add(1); return true },
		OnPongReceived: func(context.Context, []byte) { conn.pongs.Add(1) },
	}
	if o.Subprotocol != "" {
		opts.Subprotocols = []string{o.Subprotocol}
	}
	c, resp, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		he := &HandshakeError{Err: err}
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			he.Status = resp.StatusCode
		}
		return nil, he
	}
	if o.Subprotocol != "" && c.Subprotocol() != o.Subprotocol {
		_ = c.Close(websocket.StatusProtocolError, "subprotocol not accepted")
		return nil, &HandshakeError{Err: fmt.Errorf("the server did not accept subprotocol %q", o.Subprotocol)}
	}
	max := o.MaxFrame
	if max <= 0 {
		max = defaultMaxFrame
	}
	c.SetReadLimit(-1) // read below, bounded there, so a large frame is told apart
	conn.c = c
	rctx, cancel := context.WithCancel(context.Background())
	conn.cancel = cancel
	conn.wg.Add(1)
	go conn.read(rctx, max)
	if o.PingInterval > 0 {
		conn.wg.Add(1)
		go conn.ping(rctx, o.PingInterval)
	}
	return conn, nil
}

// read hands every frame over until the connection ends.
func (c *Conn) read(ctx context.Context, max int64) {
	defer c.wg.Done()
	defer close(c.done)
	for {
		f, err := c.next(ctx, max)
		if err != nil {
			c.err = err
			return
		}
		select {
		case c.frames <- f:
		case <-c.stop: // closing: frames are read to reach the close frame, not kept
		}
	}
}

// next reads one frame, at most max bytes.
func (c *Conn) next(ctx context.Context, max int64) (Frame, error) {
	typ, r, err := c.c.Reader(ctx)
	if err != nil {
		return Frame{}, err
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	at := time.Now()
	c.bytes.Add(int64(len(data)))
	if err != nil {
		return Frame{}, err
	}
	if int64(len(data)) > max {
		_ = c.c.CloseNow() // mid-frame: no close handshake can follow
		return Frame{}, fmt.Errorf("%w of %d KiB", ErrTooLarge, max>>10)
	}
	return Frame{Data: data, Binary: typ == websocket.MessageBinary, At: at}, nil
}

// ping pings every interval while the connection is open.
func (c *Conn) ping(ctx context.Context, every time.Duration) {
	defer c.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, every)
			c.pings.Add(1)
			_ = c.c.Ping(pctx) // a missing pong shows as pings > pongs
			cancel()
		}
	}
}

// Frames are the incoming frames, in order.
func (c *Conn) Frames() <-chan Frame { return c.frames }

// Done is closed when the connection ended; Err then says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is why the connection ended (a *CloseError for a close the peer
// sent or a connection that broke, ErrTooLarge for a frame over the
// limit); nil before Done.
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return closeError(c.err)
	default:
		return nil
	}
}

// Write sends one text frame.
func (c *Conn) Write(ctx context.Context, data []byte) error {
	return c.c.Write(ctx, websocket.MessageText, data)
}

// Counts are a connection's counters so far.
type Counts struct {
	Bytes     int64 // frame bytes read
	Pings     int64 // pings sent
	Pongs     int64 // pongs received
	PeerPings int64 // pings the peer sent (answered)
}

// Counts returns the counters so far.
func (c *Conn) Counts() Counts {
	return Counts{Bytes: c.bytes.Load(), Pings: c.pings.Load(), Pongs: c.pongs.Load(), PeerPings: c.peer.Load()}
}

// Close closes the connection normally (1000) and waits for its
// goroutines; the close handshake is bounded by the library (5 s each way).
func (c *Conn) Close() {
	c.once.Do(func() {
		close(c.stop)
		_ = c.c.Close(websocket.StatusNormalClosure, "")
		c.cancel()
		c.wg.Wait()
	})
}

// CloseError is how a connection ended that the session did not close:
// the peer's close frame (Code, Reason) or, Code 1006, no close frame at
// all (the connection broke).
type CloseError struct {
	Code   int
	Reason string
	Err    error // the transport's error for 1006
}

// Abnormal is the close code of a connection that ended without a close
// frame (RFC 6455 §7.1.5).
const Abnormal = int(websocket.StatusAbnormalClosure)

func (e *CloseError) Error() string {
	if e.Code == Abnormal {
		if e.Err != nil {
			return "the connection broke (1006): " + e.Err.Error()
		}
		return "the connection broke (1006)"
	}
	s := fmt.Sprintf("the assistant closed the connection with %d (%s)", e.Code, statusName(e.Code))
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

func (e *CloseError) Unwrap() error { return e.Err }

// closeError turns the reader's error into a *CloseError, keeping
// ErrTooLarge.
func closeError(err error) error {
	if err == nil || errors.Is(err, ErrTooLarge) {
		return err
	}
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return &CloseError{Code: int(ce.Code), Reason: ce.Reason}
	}
	return &CloseError{Code: Abnormal, Err: err}
}

// statusName is a close code's name.
func statusName(code int) string {
	s := websocket.StatusCode(code).String()
	if len(s) > 6 && s[:6] == "Status" {
		return s[6:]
	}
	return s
}
