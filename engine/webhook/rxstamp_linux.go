//go:build linux

package webhook

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// rxListener turns on kernel receive timestamps (SO_TIMESTAMPNS) on every
// TCP connection it accepts and reads them with recvmsg: the kernel stamps
// each segment as it arrives, before any process is scheduled to read it.
// A connection whose socket refuses the option is served as it is.
type rxListener struct{ net.Listener }

func (l rxListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c, nil
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return c, nil
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return c, nil
	}
	return &rxConn{TCPConn: tc, raw: raw}, nil
}

// rxConn is a TCP connection that reads with recvmsg and keeps the receive
// time of the data its latest read returned. Everything but Read is the
// TCPConn's own (deadlines, Close, writes), and Read goes through the same
// poller, so deadlines and Close interrupt it as they would a plain Read.
type rxConn struct {
	*net.TCPConn
	raw  syscall.RawConn
	oob  [64]byte     // control messages; net/http never reads one connection from two goroutines at once
	last atomic.Int64 // Unix ns of the latest read's receive time; 0 before the first
}

func (c *rxConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n, oobn int
	var rerr error
	err := c.raw.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = syscall.Recvmsg(int(fd), p, c.oob[:], 0)
		return rerr != syscall.EAGAIN && rerr != syscall.EINTR
	})
	switch {
	case err != nil: // deadline, closed: already a *net.OpError
		return 0, err
	case rerr != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: rerr}
	case n == 0:
		return 0, io.EOF
	}
	// A read the kernel did not stamp (none is expected) forgets the last
	// stamp rather than lend it to newer data: arrival falls back to the
	// handler's clock, late rather than early.
	c.last.Store(rxTime(c.oob[:oobn]))
	return n, nil
}

func (c *rxConn) received() time.Time {
	if ns := c.last.Load(); ns > 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// rxTime finds the SCM_TIMESTAMPNS control message; 0 when there is none.
func rxTime(oob []byte) int64 {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS &&
			len(m.Data) >= int(unsafe.Sizeof(syscall.Timespec{})) {
			ts := (*syscall.Timespec)(unsafe.Pointer(&m.Data[0]))
			return ts.Nano()
		}
	}
	return 0
}
