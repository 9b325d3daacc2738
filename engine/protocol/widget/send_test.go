package widget

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// flaky answers the n-th request (1-based) with script(n); a status of 0
// resets the connection instead of answering. It records every body.
type flaky struct {
	script func(n int) int
	n      atomic.Int32
	mu     sync.Mutex
	bodies []string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(b))
	f.mu.Unlock()
	status := f.script(int(f.n.Add(1)))
	if status == 0 {
		resetConnection(w)
		return
	}
	w.WriteHeader(status)
}

// resetConnection closes the client's connection with an RST, without an
// answer: what a crashing assistant or a load balancer dropping it does.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func newFlaky(t *testing.T, script func(n int) int) (*flaky, *Voyager) {
	t.Helper()
	f := &flaky{script: script}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, &Voyager{URL: srv.URL, ChannelID: "c", Client: NewHTTPClient(5 * time.Second), Backoff: time.Millisecond}
}

func TestSendRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		retries    int
		script     func(n int) int
		wantStatus int
		attempts   int
		wantErr    string // "" for success
	}{
		{"503 then accepted", 3, func(n int) int { return pick(n < 3, 503, 202) }, 202, 3, ""},
		{"500 every time", 2, func(int) int { return 500 }, 500, 3, "assistant answered HTTP 500 (after 3 attempts)"},
		{"connection reset then accepted", 2, func(n int) int { return pick(n == 1, 0, 202) }, 202, 2, ""},
		{"reset every time", 1, func(int) int { return 0 }, 0, 2, "cannot send the message to the assistant"},
		{"4xx is not retried", 3, func(int) int { return 400 }, 400, 1, "assistant answered HTTP 400"},
		{"429 is not retried", 3, func(int) int { return 429 }, 429, 1, "HTTP 429"},
		{"no retries configured", 0, func(int) int { return 503 }, 503, 1, "assistant answered HTTP 503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, v := newFlaky(t, tt.script)
			v.Retries = tt.retries
			sent, err := v.SendMessage(context.Background(), "id@stw.ai", "Olá", "http://hook/1")
			if sent.Status != tt.wantStatus || sent.Attempts != tt.attempts {
				t.Errorf("sent %+v, want status %d after %d attempts", sent, tt.wantStatus, tt.attempts)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v, want success", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if got := int(f.n.Load()); got != tt.attempts {
				t.Errorf("the assistant saw %d requests, want %d", got, tt.attempts)
			}
			for i, b := range f.bodies {
				if b != f.bodies[0] {
					t.Errorf("attempt %d sent %q, want the same body as the first %q", i+1, b, f.bodies[0])
				}
			}
		})
	}
}

func pick(cond bool, a, b int) int {
	if cond {
		return a
	}
	return b
}

func TestSendRetryKeepsStatusError(t *testing.T) {
	t.Parallel()
	_, v := newFlaky(t, func(int) int { return 503 })
	v.Retries = 1
	_, err := v.SendMessage(context.Background(), "id", "Olá", "http://hook/1")
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 503 {
		t.Fatalf("err = %v, want a *StatusError 503 inside", err)
	}
}

func TestSendTimeoutIsNotRetried(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	v := &Voyager{URL: srv.URL, Client: NewHTTPClient(100 * time.Millisecond), Retries: 3, Backoff: time.Millisecond}
	sent, err := v.SendMessage(context.Background(), "id", "Olá", "http://hook/1")
	if err == nil || sent.Attempts != 1 || n.Load() != 1 {
		t.Errorf("sent %+v, err %v, requests %d: a timed-out send must not be repeated", sent, err, n.Load())
	}
}

func TestSendBadURLIsNotRetried(t *testing.T) {
	t.Parallel()
	v := &Voyager{URL: "http://[::1", Retries: 3, Backoff: time.Hour}
	sent, err := v.SendMessage(context.Background(), "id", "Olá", "http://hook/1")
	if err == nil || sent.Attempts != 1 {
		t.Errorf("sent %+v, err %v: want one attempt and an error", sent, err)
	}
}

func TestSendBackoffStopsWithContext(t *testing.T) {
	t.Parallel()
	_, v := newFlaky(t, func(int) int { return 503 })
	v.Retries, v.Backoff = 5, time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	// The context ends once the first attempt has its answer: during the
	// backoff, whatever the machine's load.
	v.Client.Transport = cancelAfter{RoundTripper: v.Client.Transport, cancel: cancel}
	start := time.Now()
	sent, err := v.SendMessage(ctx, "id", "Olá", "http://hook/1")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("SendMessage waited %v after its context ended", took)
	}
	var se *StatusError
	if sent.Attempts != 1 || !errors.As(err, &se) {
		t.Errorf("sent %+v, err %v: want the first attempt's 503", sent, err)
	}
}

// cancelAfter calls cancel once a request has its response.
type cancelAfter struct {
	http.RoundTripper
	cancel context.CancelFunc
}

func (c cancelAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.RoundTripper.RoundTrip(req)
	c.cancel()
	return resp, err
}

// TestSendHonoursRetryAfter: a 503 that says Retry-After: 1 is tried again
// after that second, not after the 1 ms backoff; one asking for more than
// the policy waits (an hour) fails at once.
func TestSendHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		retryAfter string
		attempts   int
		atLeast    time.Duration
	}{
		{"one second", "1", 2, time.Second},
		{"an hour", "3600", 1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			t.Cleanup(srv.Close)
			v := &Voyager{URL: srv.URL, Client: NewHTTPClient(5 * time.Second), Retries: 3, Backoff: time.Millisecond}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			start := time.Now()
			sent, _ := v.SendMessage(ctx, "id", "Olá", "http://hook/1")
			if took := time.Since(start); sent.Attempts != tt.attempts || took < tt.atLeast {
				t.Errorf("%d attempts in %v; want %d, after at least %v", sent.Attempts, took, tt.attempts, tt.atLeast)
			}
		})
	}
}

// The client's timeout bounds the body too: an answer whose body stalls
// ends with the deadline, as with http.Client.Timeout (the send goes to
// the transport itself).
func TestSendTimeoutBoundsTheBody(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte("{}"))
		http.NewResponseController(w).Flush()
		select { // 8 bytes owed, never sent
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	v := &Voyager{URL: srv.URL, Client: NewHTTPClient(100 * time.Millisecond)}
	done := make(chan error, 1)
	go func() {
		_, err := v.SendMessage(context.Background(), "id", "Olá", "http://hook/1")
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil { // the status came: accepted; the rest of the body is not the assistant's answer
			t.Errorf("a 202 whose body stalled: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the send still reads a stalled body long after its 100 ms timeout")
	}
}

// A redirect is not followed: the widget API accepts with 200–202, and
// anything else is the assistant's answer, counted (http.Client.Do would
// have sent the message again, or as a GET).
func TestSendDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	v := &Voyager{URL: srv.URL, Client: NewHTTPClient(5 * time.Second)}
	sent, err := v.SendMessage(context.Background(), "id", "Olá", "http://hook/1")
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusTemporaryRedirect || sent.Status != http.StatusTemporaryRedirect || n.Load() != 1 {
		t.Errorf("sent %+v, err %v, %d requests: want one request, answered 307", sent, err, n.Load())
	}
}

// A timed-out send is a timeout (net.Error), named by its URL as Do names
// it, and ends in time.
func TestSendTimeoutErrorIsATimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	v := &Voyager{URL: srv.URL, Client: NewHTTPClient(50 * time.Millisecond)}
	_, err := v.SendMessage(context.Background(), "id", "Olá", "http://hook/1")
	ne, ok := errors.AsType[net.Error](err)
	if !ok || !ne.Timeout() || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), `Post "`+srv.URL) || !strings.Contains(err.Error(), "the target's timeout (50ms)") {
		t.Errorf("err %v: want a timeout naming the URL", err)
	}
}
