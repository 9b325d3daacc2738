package tunnel

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const secret = "2abcSECRETtoken_0123456789"

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// blackhole accepts connections and never says a word, like a firewall
// that swallows packets; it closes them when the test ends.
func blackhole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// openFails opens n, which must fail within limit with a *StartError whose
// message holds every want and never the token; the agent's log must not
// hold the token either.
func openFails(t *testing.T, n *Ngrok, limit time.Duration, want ...string) *StartError {
	t.Helper()
	var log bytes.Buffer
	n.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	start := time.Now()
	tun, err := n.Open(context.Background())
	took := time.Since(start)
	if err == nil {
		_ = tun.Close()
		t.Fatalf("Open succeeded at %s", tun.URL())
	}
	if took > limit {
		t.Errorf("Open took %v, want at most %v", took, limit)
	}
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v, want a *StartError", err, err)
	}
	for _, w := range append(want, "NGROK_AUTHTOKEN", `tunnel = "none"`, "public_url") {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not say %q:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(log.String(), secret) {
		t.Errorf("the token leaked:\nerror: %v\nlog: %s", err, log.String())
	}
	return se
}

func TestNgrokWithoutToken(t *testing.T) {
	t.Parallel()
	_, err := (&Ngrok{}).Open(context.Background())
	if !errors.Is(err, ErrNoAuthtoken) {
		t.Fatalf("err = %v, want ErrNoAuthtoken", err)
	}
	for _, w := range []string{"NGROK_AUTHTOKEN", "authtoken", `tunnel = "none"`, "public_url"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not say %q: %v", w, err)
		}
	}
}

// The real agent against a service address that refuses connections: the
// pre-flight probe fails at once, well before the start-up timeout.
func TestNgrokOfflineFailsFast(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	se := openFails(t, &Ngrok{Authtoken: secret, ConnectURL: addr, StartTimeout: 30 * time.Second},
		10*time.Second, "cannot reach the ngrok service at "+addr, "connection refused")
	if se.Timeout() {
		t.Error("a refused connection reported as a timeout")
	}
}

// The real agent against a service that accepts and never answers: only
// the start-up timeout ends the wait, and Open returns soon after it.
func TestNgrokSilentServiceTimesOut(t *testing.T) {
	t.Parallel()
	const timeout = 500 * time.Millisecond
	se := openFails(t, &Ngrok{Authtoken: secret, ConnectURL: blackhole(t), StartTimeout: timeout},
		timeout+5*time.Second, "did not open within 500ms")
	if !se.Timeout() {
		t.Error("the start-up timeout is not reported as one")
	}
}

// The real agent against a TLS server that is not ngrok's: the handshake
// fails on the certificate.
func TestNgrokWrongServiceFailsTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	openFails(t, &Ngrok{Authtoken: secret, ConnectURL: srv.Listener.Addr().String(), StartTimeout: 10 * time.Second},
		15*time.Second, "TLS handshake with the ngrok service")
}

func TestNgrokStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := (&Ngrok{Authtoken: secret, ConnectURL: blackhole(t), StartTimeout: time.Minute}).Open(ctx)
	if err == nil || !strings.Contains(err.Error(), "stopped while opening") {
		t.Errorf("err = %v, want a stop", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Open took %v after its context ended", took)
	}
}

// ngrok quotes a refused token in its error; the message must not.
func TestFailRedactsTheToken(t *testing.T) {
	t.Parallel()
	n := &Ngrok{Authtoken: secret}
	err := n.fail(errors.New("authentication failed: The authtoken you specified is invalid.\nYour authtoken: "+secret), false)
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "Your authtoken: [redacted]") {
		t.Errorf("error = %v", err)
	}
}

func TestLoopback(t *testing.T) {
	t.Parallel()
	var l Loopback
	tun, err := l.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "through the tunnel")
	})}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(tun.Listener()) }()
	if !strings.HasPrefix(tun.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %q", tun.URL())
	}
	resp, err := http.Get(tun.URL() + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "through the tunnel" || l.Accepted() != 1 {
		t.Errorf("body %q, accepted %d", body, l.Accepted())
	}
	if l.Closed() {
		t.Error("closed before Close")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	<-served
	if err := tun.Close(); err != nil {
		t.Errorf("Close after the server closed the listener: %v", err)
	}
	if !l.Closed() {
		t.Error("not closed after Close")
	}
}
