package webhook

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// listenFast is listen with short server timeouts, so the slow-client
// tests take a moment instead of the production half-minute.
func listenFast(t *testing.T) *Receiver {
	t.Helper()
	r, err := listenWith("127.0.0.1:0", limits{
		readHeader: 200 * time.Millisecond,
		read:       400 * time.Millisecond,
		write:      time.Second,
		idle:       300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	withWidget(r)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.Close(ctx)
	})
	return r
}

// closedWithin reports whether the server closed conn within d: a read
// returns EOF or a reset (anything but our own deadline) before then.
func closedWithin(t *testing.T, conn net.Conn, d time.Duration) bool {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn) // nil at EOF
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func dial(t *testing.T, r *Receiver) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", r.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// A client that sends half its headers and stalls is cut off at the header
// timeout, and never reaches a mailbox.
func TestSlowHeadersAreCutOff(t *testing.T) {
	t.Parallel()
	r := listenFast(t)
	m := r.Open("conv-1")
	conn := dial(t, r)
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n", hookPath(m, 1))
	if !closedWithin(t, conn, 3*time.Second) {
		t.Fatal("a connection stalled in its headers is still open after 3s")
	}
	wantStats(t, r, Stats{})
}

// A client that sends its headers and then trickles the body is cut off at
// the read timeout; the callback counts as malformed.
func TestSlowBodyIsCutOff(t *testing.T) {
	t.Parallel()
	r := listenFast(t)
	m := r.Open("conv-1")
	conn := dial(t, r)
	body := textBody("Oi")
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", hookPath(m, 1), len(body), body[:5])
	if !closedWithin(t, conn, 3*time.Second) {
		t.Fatal("a connection stalled in its body is still open after 3s")
	}
	wantStats(t, r, Stats{Received: 1, Malformed: 1})
	if _, err := m.Wait(context.Background(), 1, 0, 0); !errors.Is(err, ErrTimeout) {
		t.Errorf("a cut-off callback reached the mailbox: %v", err)
	}
}

// A keep-alive connection left idle is closed at the idle timeout.
func TestIdleConnectionsAreClosed(t *testing.T) {
	t.Parallel()
	r := listenFast(t)
	m := r.Open("conv-1")
	conn := dial(t, r)
	body := textBody("Oi")
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", hookPath(m, 1), len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("status %d, close %v: want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
	}
	if !closedWithin(t, conn, 3*time.Second) {
		t.Fatal("an idle connection is still open after 3s")
	}
}

func TestHugeHeadersAreRefused(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	m := r.Open("conv-1")
	req, err := http.NewRequest(http.MethodPost, m.URL(1), strings.NewReader(textBody("x")))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Junk", strings.Repeat("a", 2*maxHeaderBytes))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", resp.StatusCode)
	}
	wantStats(t, r, Stats{})
}

// The production timeouts are the ones the receiver is built with.
func TestListenSetsTimeouts(t *testing.T) {
	t.Parallel()
	r := listen(t)
	s := r.srv
	if s.ReadHeaderTimeout != 5*time.Second || s.ReadTimeout != 30*time.Second ||
		s.WriteTimeout != 30*time.Second || s.IdleTimeout != 120*time.Second || s.MaxHeaderBytes != 64<<10 {
		t.Errorf("server timeouts %v/%v/%v/%v, max header %d", s.ReadHeaderTimeout, s.ReadTimeout,
			s.WriteTimeout, s.IdleTimeout, s.MaxHeaderBytes)
	}
}

// A tunnel's listener served with Serve reaches the same mailboxes, and
// Close closes it.
func TestServeAnotherListener(t *testing.T) {
	t.Parallel()
	r, err := listenWidget("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.Serve(ln)
	r.SetPublicBase("http://" + ln.Addr().String())
	m := r.Open("conv-1")
	if !strings.HasPrefix(m.URL(1), "http://"+ln.Addr().String()+"/hooks/") {
		t.Fatalf("URL %q is not on the tunnel's address", m.URL(1))
	}
	post(t, newClient(), m.URL(1), textBody("via the tunnel"))
	reply, err := m.Wait(context.Background(), 1, time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantTexts(t, reply.Messages, "via the tunnel")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("the served listener is still open after Close: %v", err)
	}
}

// A callback after its conversation ended is reported to the hook, with
// its items; a callback for a stranger or one gathered in time is not.
func TestLateAfterEndHook(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	type call struct {
		id   string
		turn int
		text string
	}
	calls := make(chan call, 10)
	r.OnLateAfterEnd(func(id string, turn int, items []transcript.Message) {
		calls <- call{id, turn, items[0].Text}
	})
	open := r.Open("open")
	gone := r.Open("gone")
	gone.Close()
	post(t, c, gone.URL(3), textBody("too late"))
	post(t, c, open.URL(1), textBody("in time"))
	post(t, c, "http://"+r.Addr()+"/hooks/"+r.token+"/stranger/1", textBody("who?"))
	if got := <-calls; got != (call{"gone", 3, "too late"}) {
		t.Errorf("hook got %+v", got)
	}
	select {
	case got := <-calls:
		t.Errorf("hook also got %+v", got)
	default:
	}
	wantStats(t, r, Stats{Received: 3, Late: 1, Unmatched: 1})
}

// hookPath is the path of m's URL for turn, as a request line carries it.
func hookPath(m *Mailbox, turn int) string {
	return strings.TrimPrefix(m.URL(turn), *m.r.base.Load())
}
