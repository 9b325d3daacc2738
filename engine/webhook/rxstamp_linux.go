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
	rc := &rxConn{TCPConn: tc, raw: raw}
	rc.recv = rc.recvmsg
	return rc, nil
}

// rxConn is a TCP connection that reads with recvmsg and keeps the receive
// time of the data its latest read returned. Everything but Read is the
// TCPConn's own (deadlines, Close, writes), and Read goes through the same
// poller, so deadlines and Close interrupt it as they would a plain Read.
//
// net/http never reads one connection from two goroutines at once, so a
// read's arguments and results live in the connection, and recv is made
// once: a read allocates nothing (issue 16: a closure and its captured
// results were three allocations per read, two reads per callback).
type rxConn struct {
	*net.TCPConn
	raw  syscall.RawConn
	recv func(fd uintptr) bool // recvmsg, as raw.Read takes it
	oob  [64]byte              // control messages
	// The current read's buffer and results, for recvmsg.
	p       []byte
	n, oobn int
	rerr    error
	last    atomic.Int64 // Unix ns of the latest read's receive time; 0 before the first
}

func (c *rxConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.p = p
	err := c.raw.Read(c.recv)
	n, oobn, rerr := c.n, c.oobn, c.rerr
	c.p, c.rerr = nil, nil
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

// recvmsg is one recvmsg(2) into c.p and c.oob; false asks the poller to
// wait for the socket to be readable and call it again.
func (c *rxConn) recvmsg(fd uintptr) bool {
	c.n, c.oobn, _, _, c.rerr = syscall.Recvmsg(int(fd), c.p, c.oob[:], 0)
	return c.rerr != syscall.EAGAIN && c.rerr != syscall.EINTR
}

func (c *rxConn) received() time.Time {
	if ns := c.last.Load(); ns > 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// rxTime finds the SCM_TIMESTAMPNS control message; 0 when there is none,
// or when oob is not a well-formed run of control messages. It walks them
// as syscall.ParseSocketControlMessage does, without building its slice
// (an allocation per read).
func rxTime(oob []byte) int64 {
	var ns int64
	found := false
	for len(oob) >= syscall.CmsgLen(0) {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&oob[0]))
		if h.Len < syscall.SizeofCmsghdr || uint64(h.Len) > uint64(len(oob)) {
			return 0
		}
		data := oob[syscall.CmsgLen(0):h.Len]
		if !found && h.Level == syscall.SOL_SOCKET && h.Type == syscall.SCM_TIMESTAMPNS &&
			len(data) >= int(unsafe.Sizeof(syscall.Timespec{})) {
			ns, found = (*syscall.Timespec)(unsafe.Pointer(&data[0])).Nano(), true
		}
		oob = oob[min(cmsgAlign(int(h.Len)), len(oob)):]
	}
	return ns
}

// cmsgAlign rounds n up to the alignment of control messages, as the
// kernel's CMSG_ALIGN (and package syscall's cmsgAlignOf) do.
func cmsgAlign(n int) int {
	const salign = int(unsafe.Sizeof(uintptr(0)))
	return (n + salign - 1) &^ (salign - 1)
}
