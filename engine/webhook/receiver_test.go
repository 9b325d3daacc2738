package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/protocol/widget"
	"github.com/voyplan/voyplan/engine/transcript"
)

// listen starts a receiver on a loopback port the OS picks and closes it
// when the test ends.
func listen(t testing.TB) *Receiver {
	t.Helper()
	r, err := listenWidget("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := r.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func newClient() *http.Client { return widget.NewHTTPClient(10 * time.Second) }

// do sends one request and returns its status and body.
func do(t testing.TB, c *http.Client, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// post delivers a callback and fails the test unless it is received.
func post(t testing.TB, c *http.Client, url, body string) {
	t.Helper()
	if err := send(c, url, body); err != nil {
		t.Fatal(err)
	}
}

// send delivers a callback; safe to call from any goroutine.
func send(c *http.Client, url, body string) error {
	resp, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || len(got) != 0 || resp.ContentLength != 0 {
		return fmt.Errorf("POST %s = %d %q (Content-Length %d), want 200 with an empty body", url, resp.StatusCode, got, resp.ContentLength)
	}
	return nil
}

func textBody(s string) string { return fmt.Sprintf(`{"messages":[{"type":"text","text":%q}]}`, s) }

func texts(msgs []transcript.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Text
	}
	return out
}

func wantTexts(t *testing.T, msgs []transcript.Message, want ...string) {
	t.Helper()
	if got := texts(msgs); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("messages %q, want %q", got, want)
	}
}

func wantStats(t *testing.T, r *Receiver, want Stats) {
	t.Helper()
	if got := r.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func TestReplyBeforeWait(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	m := r.Open("conv-1")
	postStart := time.Now()
	post(t, c, m.URL(1), `{"messages":[{"role":"assistant","type":"text","text":"Bom dia!"},`+
		`{"type":"media","media":{"type":"image","link":"https://x/foto.jpg"}}]}`)
	reply, err := m.Wait(context.Background(), 1, 5*time.Second, 0)
	waitEnd := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	want := []transcript.Message{
		{Role: "assistant", Type: "text", Text: "Bom dia!"},
		{Role: "assistant", Type: "media", Link: "https://x/foto.jpg"},
	}
	if fmt.Sprint(reply.Messages) != fmt.Sprint(want) || reply.Callbacks != 1 || reply.Duplicates != 0 {
		t.Errorf("reply %+v, want %v in 1 callback", reply, want)
	}
	if reply.First.Before(postStart) || reply.First.After(waitEnd) {
		t.Errorf("First %v not between the POST's start %v and Wait's return %v", reply.First, postStart, waitEnd)
	}
	wantStats(t, r, Stats{Received: 1})
}

func TestReplyWakesWait(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	m := r.Open("conv-1")
	posted := make(chan time.Time, 1)
	go func() {
		time.Sleep(20 * time.Millisecond)
		start := time.Now()
		if err := send(c, m.URL(1), textBody("Oi")); err != nil {
			t.Error(err)
		}
		posted <- start
	}()
	waitStart := time.Now()
	reply, err := m.Wait(context.Background(), 1, 5*time.Second, 0)
	waitEnd := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	wantTexts(t, reply.Messages, "Oi")
	postStart := <-posted
	if reply.First.Before(postStart) || reply.First.After(waitEnd) {
		t.Errorf("First %v not between the POST's start %v and Wait's return %v", reply.First, postStart, waitEnd)
	}
	if d := waitEnd.Sub(waitStart); d > 2*time.Second {
		t.Errorf("Wait took %v to wake", d)
	}
}

func TestSplitReply(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	m := r.Open("conv-1")
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		if err := send(c, m.URL(1), textBody("part one")); err != nil {
			t.Error(err)
		}
		if err := send(c, m.URL(1), `{"messages":[{"media":"https://x/a.png"}]}`); err != nil {
			t.Error(err)
		}
	}()
	// The second part follows the first at once; a settle period far
	// longer than that gap, however loaded the machine, gathers both.
	reply, err := m.Wait(context.Background(), 1, 5*time.Second, 2*time.Second)
	<-sent
	if err != nil {
		t.Fatal(err)
	}
	if reply.Callbacks != 2 || len(reply.Messages) != 2 ||
		reply.Messages[0].Text != "part one" || reply.Messages[1].Link != "https://x/a.png" {
		t.Errorf("reply %+v, want both parts in 2 callbacks", reply)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	r := listen(t)
	m := r.Open("conv-1")
	const timeout = 50 * time.Millisecond
	start := time.Now()
	reply, err := m.Wait(context.Background(), 1, timeout, 100*time.Millisecond)
	took := time.Since(start)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Wait = %+v, %v; want ErrTimeout", reply, err)
	}
	if took < timeout || took > timeout+time.Second {
		t.Errorf("Wait timed out after %v, want %v plus a little", took, timeout)
	}
}

func TestLateAfterTimeout(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	m := r.Open("conv-1")
	if _, err := m.Wait(context.Background(), 1, 10*time.Millisecond, 0); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Wait: %v, want ErrTimeout", err)
	}
	post(t, c, m.URL(1), textBody("too late"))
	post(t, c, m.URL(2), textBody("next"))
	reply, err := m.Wait(context.Background(), 2, 5*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantTexts(t, reply.Messages, "next")
	late := m.Late()
	if len(late) != 1 {
		t.Fatalf("Late() = %v, want turn 1 only", late)
	}
	wantTexts(t, late[1], "too late")
	wantStats(t, r, Stats{Received: 2, Late: 1})
}

func TestDuplicate(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	m := r.Open("conv-1")
	body := textBody("Oi")
	post(t, c, m.URL(1), body)
	post(t, c, m.URL(1), body)
	post(t, c, m.URL(1), textBody("Oi de novo"))
	reply, err := m.Wait(context.Background(), 1, 5*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantTexts(t, reply.Messages, "Oi", "Oi de novo")
	if reply.Callbacks != 2 || reply.Duplicates != 1 {
		t.Errorf("Callbacks %d, Duplicates %d; want 2, 1", reply.Callbacks, reply.Duplicates)
	}
	post(t, c, m.URL(1), body) // after the turn closed: still a duplicate, not late
	if late := m.Late(); late != nil {
		t.Errorf("Late() = %v, want none", late)
	}
	wantStats(t, r, Stats{Received: 4, Duplicates: 2})
}

func TestRejectedRequests(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	m := r.Open("conv-1")
	base := "http://" + r.Addr()
	tests := []struct {
		name, method, url, body string
		code                    int
		wantBody                string
	}{
		{"wrong token", "POST", base + "/hooks/0123456789abcdef0123456789abcdef/conv-1/1", textBody("x"), 404, ""},
		{"token prefix only", "POST", base + "/hooks/" + r.token[:8] + "/conv-1/1", textBody("x"), 404, ""},
		{"unknown path", "POST", base + "/responses/conv-1_1", textBody("x"), 404, ""},
		{"root", "GET", base + "/", "", 404, ""},
		{"no turn", "POST", base + "/hooks/" + r.token + "/conv-1", textBody("x"), 404, ""},
		{"turn not a number", "POST", base + "/hooks/" + r.token + "/conv-1/one", textBody("x"), 404, ""},
		{"negative turn", "POST", base + "/hooks/" + r.token + "/conv-1/-1", textBody("x"), 404, ""},
		{"GET on a valid path", "GET", m.URL(1), "", 405, ""},
		{"body over 1 MiB", "POST", m.URL(1), strings.Repeat(" ", 2<<20) + textBody("x"), 413, ""},
		{"junk JSON", "POST", m.URL(1), `{"messages":[{`, 400, ""},
		{"unknown shape", "POST", m.URL(1), `{"reply":"x"}`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(t, c, tt.method, tt.url, tt.body)
			if code != tt.code {
				t.Errorf("status %d, want %d", code, tt.code)
			}
			if tt.code == 404 && body != "" {
				t.Errorf("404 body %q, want empty", body)
			}
		})
	}
	// The seven 404s are refused (their connections closed), and the body
	// over 1 MiB is both Malformed and refused as oversize.
	wantStats(t, r, Stats{Received: 3, Malformed: 3, Refused: Refused{Token: 7, Oversize: 1}})
	if _, err := m.Wait(context.Background(), 1, 0, 0); !errors.Is(err, ErrTimeout) {
		t.Errorf("a rejected callback reached the mailbox: %v", err)
	}
}

func TestMethodNotAllowedSaysPost(t *testing.T) {
	t.Parallel()
	r := listen(t)
	m := r.Open("conv-1")
	resp, err := newClient().Get(m.URL(1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET = %d, Allow %q; want 405, POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestUnmatchedAndClosedConversations(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	gone := r.Open("gone")
	gone.Close()
	stranger := "http://" + r.Addr() + "/hooks/" + r.token + "/stranger/1"
	post(t, c, stranger, textBody("who?"))
	post(t, c, gone.URL(3), textBody("after close"))
	wantStats(t, r, Stats{Received: 2, Unmatched: 1, Late: 1})
}

func TestCloseMovesPendingToLate(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	m := r.Open("conv-1")
	post(t, c, m.URL(2), textBody("never awaited"))
	m.Close()
	wantTexts(t, m.Late()[2], "never awaited")
	wantStats(t, r, Stats{Received: 1, Late: 1})
	if _, err := m.Wait(context.Background(), 3, time.Second, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Wait on a closed mailbox: %v, want ErrClosed", err)
	}
}

func TestWaitUnblocks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		unblock func(cancel context.CancelFunc, m *Mailbox)
		want    error
	}{
		{"context cancelled", func(cancel context.CancelFunc, _ *Mailbox) { cancel() }, context.Canceled},
		{"mailbox closed", func(_ context.CancelFunc, m *Mailbox) { m.Close() }, ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := listen(t)
			m := r.Open("conv-1")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			timer := time.AfterFunc(20*time.Millisecond, func() { tt.unblock(cancel, m) })
			defer timer.Stop()
			start := time.Now()
			_, err := m.Wait(ctx, 1, 10*time.Second, 0)
			if !errors.Is(err, tt.want) {
				t.Errorf("Wait: %v, want %v", err, tt.want)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("Wait took %v to unblock", took)
			}
		})
	}
}

func TestWaitMisuse(t *testing.T) {
	t.Parallel()
	r := listen(t)
	m := r.Open("conv-1")
	if _, err := m.Wait(context.Background(), 2, 0, 0); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Wait: %v", err)
	}
	for _, turn := range []int{1, 2} {
		if _, err := m.Wait(context.Background(), turn, time.Second, 0); err == nil || !strings.Contains(err.Error(), "already closed") {
			t.Errorf("Wait(%d) after turn 2 closed: %v, want an already-closed error", turn, err)
		}
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	m := r.Open("3f1c/odd id@stw.ai")
	if got, want := m.URL(7), "http://"+r.Addr()+"/hooks/"+r.token+"/3f1c%2Fodd%20id@stw.ai/7"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if len(r.token) != 32 || strings.Trim(r.token, "0123456789abcdef") != "" {
		t.Errorf("token %q is not 128 bits of hex", r.token)
	}
	post(t, c, m.URL(7), textBody("routed"))
	reply, err := m.Wait(context.Background(), 7, time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantTexts(t, reply.Messages, "routed")
	r.SetPublicBase("https://abc.ngrok.app/")
	if got, want := m.URL(8), "https://abc.ngrok.app/hooks/"+r.token+"/3f1c%2Fodd%20id@stw.ai/8"; got != want {
		t.Errorf("URL after SetPublicBase = %q, want %q", got, want)
	}
}

func TestListenPortInUse(t *testing.T) {
	t.Parallel()
	r := listen(t)
	_, err := listenWidget(r.Addr())
	if err == nil || !strings.Contains(err.Error(), r.Addr()) || !strings.Contains(err.Error(), "cannot listen") {
		t.Errorf("Listen on a busy port: %v, want an error naming %s", err, r.Addr())
	}
}

func TestManyMailboxes(t *testing.T) {
	t.Parallel()
	const n, posters = 2000, 32
	r, c := listen(t), newClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	boxes := make([]*Mailbox, n)
	for i := range boxes {
		boxes[i] = r.Open(fmt.Sprintf("conv-%d", i))
	}
	errs := make(chan error, n)
	var waiters sync.WaitGroup
	for i, m := range boxes {
		waiters.Go(func() {
			reply, err := m.Wait(ctx, 1, 20*time.Second, 0)
			if err == nil && (len(reply.Messages) != 1 || reply.Messages[0].Text != fmt.Sprint(i)) {
				err = fmt.Errorf("mailbox %d got %+v", i, reply.Messages)
			}
			errs <- err
		})
	}
	jobs := make(chan int)
	var sent sync.WaitGroup
	for range posters {
		sent.Go(func() {
			for i := range jobs {
				if err := send(c, boxes[i].URL(1), textBody(fmt.Sprint(i))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	sent.Wait()
	waiters.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	wantStats(t, r, Stats{Received: n})
}

func TestCloseIsGraceful(t *testing.T) {
	t.Parallel()
	r, err := listenWidget("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := newClient().Post(r.Open("x").URL(1), "application/json", strings.NewReader(textBody("x"))); err == nil {
		t.Error("a callback was accepted after Close")
	}
}

func TestCloseDoesNotWaitForUnusedConnections(t *testing.T) {
	t.Parallel()
	r, err := listenWidget("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", r.Addr()) // a client's spare connection: no request ever
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(10 * time.Millisecond) // let the server accept it
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if err := r.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v with an unused connection open", took)
	}
}

// A callback repeated after its conversation ended is a duplicate: the
// run hears of it once (late.jsonl gets one line), and a copy of a reply
// the conversation already had is not late at all.
func TestLateAfterEndIsKeptOnce(t *testing.T) {
	r := listen(t)
	var heard atomic.Int32
	r.OnLateAfterEnd(func(string, int, []transcript.Message) { heard.Add(1) })
	c := newClient()
	m := r.Open("conv-1")
	post(t, c, m.URL(1), textBody("Oi"))
	if _, err := m.Wait(context.Background(), 1, time.Second, 0); err != nil {
		t.Fatal(err)
	}
	m.Close()
	post(t, c, m.URL(1), textBody("Oi"))    // the reply it had, again
	post(t, c, m.URL(2), textBody("tarde")) // late
	post(t, c, m.URL(2), textBody("tarde")) // and its copy
	wantStats(t, r, Stats{Received: 4, Duplicates: 2, Late: 1})
	if n := heard.Load(); n != 1 {
		t.Errorf("OnLateAfterEnd heard %d callbacks, want the one late reply once", n)
	}
}

// TestUnreadAnswerKeepsTheConnection: a sender that closes the receiver's
// answer without reading it keeps its kept-alive connection, because the
// answer has no body (issue 16: a 200 with a JSON body made Go's transport,
// and clients like it, drop the connection after every callback).
func TestUnreadAnswerKeepsTheConnection(t *testing.T) {
	t.Parallel()
	r, c := listen(t), newClient()
	m := r.Open("conv-1")
	reused := 0
	for turn := 1; turn <= 3; turn++ {
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
			if info.Reused {
				reused++
			}
		}}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			http.MethodPost, m.URL(turn), strings.NewReader(textBody("Oi")))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close() // unread, as a sender that ignores the answer does
		if resp.StatusCode != http.StatusOK || resp.ContentLength != 0 {
			t.Fatalf("turn %d: %d, Content-Length %d; want 200 with an empty body", turn, resp.StatusCode, resp.ContentLength)
		}
	}
	if reused != 2 {
		t.Errorf("%d of the 2 later callbacks reused the connection, want 2", reused)
	}
}
