package webhook

import (
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"
)

// TestArrivalIsWhenTheBytesCame: data that waits in the socket before
// anybody reads it is stamped with when it arrived, not when it was read, so
// a busy process does not inflate reply latencies.
func TestArrivalIsWhenTheBytesCame(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("kernel receive timestamps are read on Linux only")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rxl := rxListener{ln}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := rxl.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server := <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	defer server.Close()

	sent := time.Now()
	if _, err := client.Write([]byte("POST /hooks/x/y/1 HTTP/1.1\r\n")); err != nil {
		t.Fatal(err)
	}
	const held = 150 * time.Millisecond // the reader is busy elsewhere
	time.Sleep(held)
	buf := make([]byte, 64)
	if _, err := server.Read(buf); err != nil {
		t.Fatal(err)
	}
	rx := server.(rxStamped).received()
	if rx.IsZero() {
		t.Fatal("no kernel receive time after a read")
	}
	if lag := rx.Sub(sent.Round(0)); lag < -time.Millisecond || lag > held/2 {
		t.Errorf("received %s after the write, though read %s later; want the arrival", lag, held)
	}
	req, _ := http.NewRequestWithContext(withConn(context.Background(), server), http.MethodPost, "/", nil)
	if at := arrival(req, time.Now()); at.Sub(sent) > held/2 {
		t.Errorf("arrival %s after the write; want the kernel's time, not the handler's", at.Sub(sent))
	}

	// The connection still behaves as a net.Conn: EOF when the peer closes,
	// and read deadlines.
	_ = server.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := server.Read(buf); err == nil {
		t.Error("Read past the deadline returned no error")
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Errorf("Read past the deadline: %v; want a timeout", err)
	}
	_ = server.SetReadDeadline(time.Time{})
	client.Close()
	if _, err := server.Read(buf); err != io.EOF {
		t.Errorf("Read after the peer closed: %v; want io.EOF", err)
	}
}

func TestArrivalFallsBackToNow(t *testing.T) {
	t.Parallel()
	now := time.Now()
	plain, _ := http.NewRequest(http.MethodPost, "/", nil)
	stale := fakeStamped(now.Add(-time.Minute))
	future := fakeStamped(now.Add(time.Second))
	for name, req := range map[string]*http.Request{
		"no connection":       plain,
		"no stamp yet":        withStamp(fakeStamped(time.Time{})),
		"stamp too old":       withStamp(stale),
		"stamp in the future": withStamp(future),
	} {
		if at := arrival(req, now); !at.Equal(now) {
			t.Errorf("%s: arrival %s; want now", name, at.Sub(now))
		}
	}
	fresh := now.Add(-3 * time.Millisecond)
	if at := arrival(withStamp(fakeStamped(fresh)), now); at.Sub(now) != -3*time.Millisecond {
		t.Errorf("fresh stamp: arrival %s from now; want -3ms", at.Sub(now))
	}
}

type fakeStamped time.Time

func (f fakeStamped) received() time.Time { return time.Time(f) }

func withStamp(f fakeStamped) *http.Request {
	req, _ := http.NewRequestWithContext(context.WithValue(context.Background(), connKey{}, f), http.MethodPost, "/", nil)
	return req
}
