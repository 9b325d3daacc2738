package widget

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestSendAcceptedStatuses(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusOK, http.StatusCreated, http.StatusAccepted} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(code)
				_, _ = w.Write([]byte(`{"ok":true}`))
			}))
			t.Cleanup(srv.Close)
			v := &Voyager{URL: srv.URL, ChannelID: "c", Client: NewHTTPClient(5 * time.Second)}
			status, err := v.Send(context.Background(), "id@stw.ai", "Olá", "http://hook")
			if err != nil || status != code {
				t.Fatalf("Send = %d, %v; want %d, nil", status, err, code)
			}
		})
	}
}

func TestSendRejectedStatus(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	v := &Voyager{URL: srv.URL, Client: NewHTTPClient(5 * time.Second)}
	status, err := v.Send(context.Background(), "id", "Olá", "http://hook")
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusInternalServerError || status != http.StatusInternalServerError {
		t.Fatalf("Send = %d, %v; want 500 and a *StatusError", status, err)
	}
	if got, want := err.Error(), "assistant answered HTTP 500"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestSendBody(t *testing.T) {
	t.Parallel()
	type request struct {
		method, contentType string
		body                map[string]any
	}
	got := make(chan request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := request{method: r.Method, contentType: r.Header.Get("Content-Type")}
		if err := json.NewDecoder(r.Body).Decode(&req.body); err != nil {
			t.Errorf("decode request body: %v", err)
		}
		got <- req
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	v := &Voyager{URL: srv.URL, ChannelID: "68e4464832ec9940d9993a12", Client: NewHTTPClient(5 * time.Second)}
	if _, err := v.Send(context.Background(), "3f1c@stw.ai", "Olá", "http://127.0.0.1:1/hooks/t/3f1c/1"); err != nil {
		t.Fatal(err)
	}
	req := <-got
	want := map[string]any{
		"type": "text", "text": "Olá", "channelId": "68e4464832ec9940d9993a12",
		"clientIdentifier": "3f1c@stw.ai", "webhook": "http://127.0.0.1:1/hooks/t/3f1c/1",
	}
	if req.method != http.MethodPost || req.contentType != "application/json" {
		t.Errorf("request %s with Content-Type %q, want POST application/json", req.method, req.contentType)
	}
	if len(req.body) != len(want) {
		t.Errorf("body has %d fields, want %d: %v", len(req.body), len(want), req.body)
	}
	for k, w := range want {
		if req.body[k] != w {
			t.Errorf("body[%q] = %v, want %v", k, req.body[k], w)
		}
	}
}

func TestSendConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	v := &Voyager{URL: "http://" + addr + "/v1/webhooks/widget", Client: NewHTTPClient(5 * time.Second)}
	status, err := v.Send(context.Background(), "id", "Olá", "http://hook")
	if err == nil || status != 0 {
		t.Fatalf("Send = %d, %v; want 0 and an error", status, err)
	}
	for _, want := range []string{"cannot send the message to the assistant", addr, "connection refused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	var se *StatusError
	if errors.As(err, &se) {
		t.Errorf("a transport error must not be a *StatusError")
	}
}

// A URL's password never reaches an error, as with http.Client.Do (the
// send goes to the transport itself).
func TestSendErrorHidesTheURLsPassword(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	v := &Voyager{URL: "http://bot:s3cret@" + addr + "/v1/webhooks/widget", Client: NewHTTPClient(5 * time.Second)}
	_, err = v.Send(context.Background(), "id", "Olá", "http://hook")
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "bot:") || !strings.Contains(err.Error(), addr) {
		t.Errorf("error %q: want the URL without its password", err)
	}
}

func TestSendReusesConnections(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 10_000)))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	v := &Voyager{URL: srv.URL, Client: NewHTTPClient(5 * time.Second)}
	for range 5 {
		if _, err := v.Send(context.Background(), "id", "Olá", "http://hook"); err != nil {
			t.Fatal(err)
		}
	}
	srv.Close()
	if n := conns.Load(); n != 1 {
		t.Errorf("5 sequential sends opened %d connections, want 1 (body not drained?)", n)
	}
}

func TestNewHTTPClient(t *testing.T) {
	t.Parallel()
	c := NewHTTPClient(3 * time.Second)
	tr, ok := c.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("Transport is %T", c.Transport)
	}
	if c.Timeout != 3*time.Second || tr.MaxIdleConnsPerHost < 1024 || tr.MaxConnsPerHost != 0 ||
		tr.IdleConnTimeout == 0 || tr.ForceAttemptHTTP2 {
		t.Errorf("client not tuned for load: timeout %v, %+v", c.Timeout, tr)
	}
}
