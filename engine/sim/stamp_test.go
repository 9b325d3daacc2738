package sim

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestPutStamp(t *testing.T) {
	t.Parallel()
	d := make([]byte, stampDigits)
	putStamp(d, 1_764_000_000_123_456_789)
	if string(d) != "1764000000123456789" {
		t.Errorf("putStamp = %s", d)
	}
	putStamp(d, 42)
	if string(d) != "0000000000000000042" {
		t.Errorf("putStamp(42) = %s; want zero-padded", d)
	}
}

// TestCallbackIsStampedAsItIsWritten: with its own client, the simulator
// fills SentAtHeader in as the callback's bytes go to the socket — a real
// time, between the message and the callback's arrival, never the
// placeholder.
func TestCallbackIsStampedAsItIsWritten(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan *http.Request, 1)
	arrived := make(chan time.Time, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		arrived <- time.Now()
		if err != nil {
			close(got)
			return
		}
		got <- req
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
	}()
	s := New(Options{})
	defer s.Close()
	before := time.Now()
	s.accept(message{Type: "text", Text: "Olá", ClientIdentifier: "stamp@stw.ai",
		Webhook: "http://" + ln.Addr().String() + "/hooks/t/stamp/1"}, "", before)
	req := <-got
	if req == nil {
		t.Fatal("no callback could be read")
	}
	at := <-arrived
	v := req.Header.Get(SentAtHeader)
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil || v == string(stampPlaceholder) {
		t.Fatalf("%s = %q; want a time", SentAtHeader, v)
	}
	if stamp := time.Unix(0, ns); stamp.Before(before.Round(0)) || stamp.After(at.Round(0)) {
		t.Errorf("stamp %s not between the message (%s) and the arrival (%s)", stamp, before, at)
	}
}
