package webhook

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/webhook/webhooktest"
)

// floodConns is how many connections the flood opens in all (the figure
// of the issue that found the receiver exhausting its file descriptors);
// -short opens fewer.
func floodConns() int {
	if testing.Short() {
		return 2_000
	}
	return 20_000
}

// A flood of connections without the run's token, ten times the
// connection budget, while conversations go on: every real callback is
// delivered, the flood's connections are closed by the receiver (not left
// to pile up), and the refusals are counted.
func TestFloodLosesNoCallback(t *testing.T) {
	r := listen(t)
	const budget = 128 // above the conversations' own connections, below the flood's
	r.SetMaxConns(budget)
	var notices sync.Map
	r.OnRefusal(func(kind, detail string) { notices.Store(kind, detail) })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The flood comes while the conversations go on: it starts once each
	// has had its first reply (and so holds its kept-alive connections),
	// and they go on turn after turn until it is over.
	const convs, maxTurns = 50, 5_000
	var started sync.WaitGroup
	started.Add(convs)
	floodDone := make(chan struct{})
	var closed int64
	go func() {
		defer close(floodDone)
		started.Wait()
		closed = webhooktest.Flood(ctx, r.Addr(), floodConns(), 256, 2)
	}()

	var wg sync.WaitGroup
	var sent, lost atomic.Int64
	for i := range convs {
		wg.Go(func() {
			// A client each: its kept-alive connection is its own. With
			// one shared, a moment with more sends at once than ever
			// before the flood dialled a new connection during it, which
			// the budget may refuse — a lost callback depending on how
			// the turns fell, not on the receiver.
			c := newClient()
			m := r.Open(fmt.Sprintf("conv-%d", i))
			defer m.Close()
			for n := 1; n <= maxTurns; n++ {
				if n == 2 {
					started.Done()
				} else if n > 2 && isClosed(floodDone) {
					return
				}
				sent.Add(1)
				if err := send(c, m.URL(n), textBody(fmt.Sprintf("reply %d", n))); err != nil {
					t.Errorf("conversation %d turn %d: callback refused: %v", i, n, err)
					lost.Add(1)
					continue
				}
				reply, err := m.Wait(ctx, n, 10*time.Second, 0)
				if err != nil || len(reply.Messages) != 1 {
					lost.Add(1)
				}
			}
		})
	}
	wg.Wait()
	<-floodDone
	if ctx.Err() != nil {
		t.Fatal("the flood did not end within its bound")
	}
	if n := lost.Load(); n != 0 {
		t.Errorf("%d of %d real callbacks lost under the flood", n, sent.Load())
	}
	if sent.Load() < 4*convs {
		t.Errorf("only %d callbacks were sent: the conversations did not go on during the flood", sent.Load())
	}
	if want := int64(floodConns()); closed != want {
		t.Errorf("the receiver closed %d of the flood's %d connections, want all", closed, want)
	}
	t.Logf("%d real callbacks during a flood of %d connections; %+v", sent.Load(), floodConns(), r.Stats().Refused)
	s := r.Stats()
	if s.Received != uint64(sent.Load()) || s.Malformed != 0 || s.Unmatched != 0 || s.Late != 0 {
		t.Errorf("stats %+v, want %d received and nothing else", s, sent.Load())
	}
	if s.Refused.Token == 0 || s.Refused.Token > uint64(floodConns()/2) {
		t.Errorf("refused for the token: %d, want between 1 and the flood's %d GETs", s.Refused.Token, floodConns()/2)
	}
	if s.Refused.Connections == 0 {
		t.Errorf("no connection refused or evicted over a budget of %d: %+v", budget, s.Refused)
	}
	for _, kind := range []string{RefusedToken, RefusedConnections} {
		if _, ok := notices.Load(kind); !ok {
			t.Errorf("no notice of the first %q refusal", kind)
		}
	}
}

// A request without the token is answered and its connection closed, even
// when the client asked to keep it alive.
func TestNoTokenClosesTheConnection(t *testing.T) {
	r := listenFast(t)
	conn := dial(t, r)
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !resp.Close {
		t.Errorf("status %d, close %v: want 404 and the connection closed", resp.StatusCode, resp.Close)
	}
	if !closedWithin(t, conn, 2*time.Second) {
		t.Error("the connection stayed open after a request without the token")
	}
}

// Over the budget with no fresh connection to evict, a new connection is
// closed at once; with one, the oldest fresh connection makes room.
func TestConnectionBudget(t *testing.T) {
	r := listenFast(t)
	r.SetMaxConns(2)
	m := r.Open("conv")
	t.Cleanup(m.Close)
	// Two kept-alive connections that presented the token fill the budget.
	for n := 1; n <= 2; n++ {
		conn := dial(t, r)
		body := textBody("x")
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", strings.TrimPrefix(m.URL(n), "http://"+r.Addr()), len(body), body)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("callback %d: %v %v", n, resp, err)
		}
	}
	extra := dial(t, r)
	if !closedWithin(t, extra, 2*time.Second) {
		t.Error("a connection over the budget was kept")
	}
	if got := r.Stats().Refused.Connections; got == 0 {
		t.Error("the refused connection was not counted")
	}
}

func sign(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// With RequireSignature, only callbacks signed with the secret reach the
// mailbox; the others are answered 401 and counted.
func TestSignedCallbacks(t *testing.T) {
	r := listen(t)
	r.RequireSignature("X-Hub-Signature-256", "s3cret")
	m := r.Open("conv")
	t.Cleanup(m.Close)
	c := newClient()
	body := textBody("pago")
	tests := []struct {
		name, header string
		want         int
	}{
		{"unsigned", "", 401},
		{"signed with another secret", sign("other", body), 401},
		{"not hex", "sha256=zz", 401},
		{"signed, upper-case hex", strings.ToUpper(sign("s3cret", body)[7:]), 200},
		{"signed", sign("s3cret", body), 200},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodPost, m.URL(1), strings.NewReader(body))
		if tt.header != "" {
			req.Header.Set("X-Hub-Signature-256", tt.header)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
	s := r.Stats()
	if s.Refused.Signature != 3 || s.Malformed != 0 {
		t.Errorf("stats %+v: want 3 refused for the signature, none malformed", s)
	}
	reply, err := m.Wait(context.Background(), 1, time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Callbacks != 1 || reply.Duplicates != 1 {
		t.Errorf("callbacks %d, duplicates %d: want the signed one delivered once and its copy a duplicate", reply.Callbacks, reply.Duplicates)
	}
}

// isClosed reports whether ch is closed, without waiting.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
