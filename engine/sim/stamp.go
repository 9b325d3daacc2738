package sim

import (
	"bytes"
	"context"
	"net"
	"time"
)

// stampDigits is how many digits a Unix time in nanoseconds has (until 2286).
const stampDigits = 19

// stampPlaceholder is the SentAtHeader value the default client sends in
// place of the time; stampConn replaces it as the bytes are written.
var (
	stampPlaceholder = bytes.Repeat([]byte{'0'}, stampDigits)
	stampLine        = []byte(SentAtHeader + ": " + string(stampPlaceholder) + "\r\n")
)

// stampConn stamps SentAtHeader right before a callback's bytes go to the
// socket, so the header says when the callback was sent, not when its
// delivery began: the client's connection pool and its writer goroutine
// are not in it.
type stampConn struct{ net.Conn }

func (c stampConn) Write(p []byte) (int, error) {
	i := bytes.Index(p, stampLine)
	if i < 0 {
		return c.Conn.Write(p)
	}
	q := make([]byte, len(p))
	copy(q, p)
	putStamp(q[i+len(SentAtHeader)+2:i+len(SentAtHeader)+2+stampDigits], time.Now().UnixNano())
	return c.Conn.Write(q)
}

// putStamp writes ns into d as zero-padded decimal digits.
func putStamp(d []byte, ns int64) {
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + ns%10)
		ns /= 10
	}
}

// stampDialer wraps dial so every connection it makes is a stampConn.
func stampDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return stampConn{c}, nil
	}
}
