package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestValidation(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	hook := h.rc.srv.URL + "/cb/x"
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"bad json", "POST", Path, `{"text":`, 400},
		{"not an object", "POST", Path, `"hi"`, 400},
		{"missing text", "POST", Path, `{"clientIdentifier":"a@b","webhook":"` + hook + `"}`, 400},
		{"blank text", "POST", Path, `{"text":"  ","clientIdentifier":"a@b","webhook":"` + hook + `"}`, 400},
		{"missing client", "POST", Path, `{"text":"Olá","webhook":"` + hook + `"}`, 400},
		{"missing webhook", "POST", Path, `{"text":"Olá","clientIdentifier":"a@b"}`, 400},
		{"relative webhook", "POST", Path, `{"text":"Olá","clientIdentifier":"a@b","webhook":"/cb/x"}`, 400},
		{"ftp webhook", "POST", Path, `{"text":"Olá","clientIdentifier":"a@b","webhook":"ftp://h/x"}`, 400},
		{"other type", "POST", Path, `{"type":"audio","text":"Olá","clientIdentifier":"a@b","webhook":"` + hook + `"}`, 400},
		{"wrong path", "POST", "/v1/other", `{}`, 404},
		{"wrong method", "GET", Path, ``, 405},
		{"accepted", "POST", Path, `{"type":"text","text":"Olá","clientIdentifier":"a@b","webhook":"` + hook + `"}`, 202},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, strings.TrimSuffix(h.url, Path)+tt.path, strings.NewReader(tt.body))
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("response is not JSON: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d (%v), want %d", resp.StatusCode, body, tt.want)
			}
			if tt.want == 400 && body["error"] == "" {
				t.Errorf("400 without an error message: %v", body)
			}
			if tt.want == 202 && body["status"] != "accepted" {
				t.Errorf("202 body = %v", body)
			}
		})
	}
}

func TestReplyShape(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	begin := time.Now()
	h.send(t, "shape", "Olá")
	cb := h.rc.next(t)
	items := decodeItems(t, cb.body)
	if len(items) == 0 || items[0].Role != "assistant" || items[0].Type != "text" ||
		!strings.Contains(items[0].Text, "Ana, atendente virtual do Thermas Aqua Park") {
		t.Fatalf("greeting = %s", cb.body)
	}
	if cb.sentAt < begin.UnixNano() || cb.sentAt > time.Now().UnixNano() {
		t.Errorf("%s = %d, not between the POST and the arrival", SentAtHeader, cb.sentAt)
	}
	if cb.path != "/cb/shape" {
		t.Errorf("delivered to %s", cb.path)
	}
}

func TestImageEvery(t *testing.T) {
	t.Parallel()
	h := start(t, Options{ImageEvery: 1})
	for i, msg := range []string{"Olá", "Ana", "sim"} {
		h.send(t, "img", msg)
		cb := h.rc.next(t)
		var raw struct{ Messages []map[string]any }
		if err := json.Unmarshal(cb.body, &raw); err != nil {
			t.Fatal(err)
		}
		last := raw.Messages[len(raw.Messages)-1]
		m, _ := last["media"].(map[string]any)
		link, _ := m["link"].(string)
		if last["type"] != "media" || m["type"] != "image" || last["text"] != nil {
			t.Fatalf("reply %d: last item %v is not a text-less media item", i+1, last)
		}
		if want := fmt.Sprintf("%s%d.jpg", imageBase, i+1); link != want {
			t.Errorf("reply %d: link %q, want %q", i+1, link, want)
		}
	}
}

func TestImageEveryThird(t *testing.T) {
	t.Parallel()
	h := start(t, Options{ImageEvery: 3})
	for i, msg := range []string{"Olá", "Ana", "sim", "2"} {
		h.send(t, "img3", msg)
		items := decodeItems(t, h.rc.next(t).body)
		hasImage := items[len(items)-1].Type == "media"
		if hasImage != (i+1 == 3) {
			t.Errorf("reply %d: image = %v", i+1, hasImage)
		}
	}
}

func TestSplitEvery(t *testing.T) {
	t.Parallel()
	h := start(t, Options{SplitEvery: 1, ImageEvery: 2})
	for i, msg := range []string{"Olá", "Ana", "sim"} {
		h.send(t, "split", msg)
		a, b := h.rc.next(t), h.rc.next(t)
		if a.sentAt == 0 || b.sentAt == 0 || b.sentAt < a.sentAt {
			t.Errorf("reply %d: sent-at headers %d, %d", i+1, a.sentAt, b.sentAt)
		}
		first, second := decodeItems(t, a.body), decodeItems(t, b.body)
		if len(first) == 0 || len(second) == 0 || first[0].Type != "text" {
			t.Fatalf("reply %d split badly: %s | %s", i+1, a.body, b.body)
		}
		if i+1 == 2 && second[len(second)-1].Type != "media" {
			t.Errorf("reply 2: the image is not in the second callback: %s", b.body)
		}
	}
	h.rc.none(t, 100*time.Millisecond)
}

func TestFailRate(t *testing.T) {
	t.Parallel()
	for _, status := range []int{0, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			h := start(t, Options{FailRate: 1, FailStatus: status})
			want := max(status, 500)
			for range 3 {
				if code := h.send(t, "fail", "Olá"); code != want {
					t.Fatalf("status %d, want %d", code, want)
				}
			}
			h.rc.none(t, 100*time.Millisecond)
			if st := h.sim.Stats(); st.Failed != 3 || st.Conversations != 0 {
				t.Errorf("stats = %+v, want 3 failed and no conversation", st)
			}
		})
	}
}

// TestFailedSendsDoNotAdvance resends each Walkthrough message until it is
// accepted: the flow still ends with exactly one link, so a failed send never
// moved the state machine.
func TestFailedSendsDoNotAdvance(t *testing.T) {
	t.Parallel()
	h := start(t, Options{FailRate: 0.5, Seed: 3})
	c := newCustomer(7)
	var replies []string
	for _, msg := range Walkthrough("Ana Lima", c.phone, c.email, c.cpf) {
		code := 0
		for try := 0; try < 60 && code != http.StatusAccepted; try++ {
			code = h.send(t, "flaky", msg)
		}
		if code != http.StatusAccepted {
			t.Fatalf("%q never accepted", msg)
		}
		replies = append(replies, replyText(t, h.rc.next(t).body))
	}
	if countLinks(replies) != 1 || !payRe.MatchString(replies[len(replies)-1]) {
		t.Fatalf("flow did not complete:\n%s", strings.Join(replies, "\n---\n"))
	}
	if h.sim.Stats().Failed == 0 {
		t.Error("FailRate 0.5 failed no send")
	}
}

func TestDropRate(t *testing.T) {
	t.Parallel()
	h := start(t, Options{DropRate: 1})
	if code := h.send(t, "drop", "Olá"); code != http.StatusAccepted {
		t.Fatalf("status %d", code)
	}
	h.rc.none(t, 200*time.Millisecond)
	if st := h.sim.Stats(); st.Dropped != 1 || st.Delivered != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestDuplicateRate(t *testing.T) {
	t.Parallel()
	h := start(t, Options{DuplicateRate: 1})
	h.send(t, "dup", "Olá")
	a, b := h.rc.next(t), h.rc.next(t)
	if !bytes.Equal(a.body, b.body) {
		t.Fatalf("bodies differ:\n%s\n%s", a.body, b.body)
	}
	h.rc.none(t, 100*time.Millisecond)
	if st := h.settled(func(st Stats) bool { return st.Delivered >= 2 }); st.Duplicated != 1 || st.Delivered != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestMalformedRate(t *testing.T) {
	t.Parallel()
	h := start(t, Options{MalformedRate: 1, SplitEvery: 1})
	h.send(t, "bad", "Olá")
	for range 2 {
		if cb := h.rc.next(t); json.Valid(cb.body) {
			t.Fatalf("body is valid JSON: %s", cb.body)
		}
	}
}

func TestSlowPost(t *testing.T) {
	t.Parallel()
	h := start(t, Options{SlowPost: 200 * time.Millisecond})
	begin := time.Now()
	if code := h.send(t, "slow", "Olá"); code != http.StatusAccepted {
		t.Fatalf("status %d", code)
	}
	if took := time.Since(begin); took < 200*time.Millisecond {
		t.Errorf("POST took %v, want at least 200ms", took)
	}
	h.rc.next(t)
}

func TestLatency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		min  time.Duration
	}{
		{"latency", Options{Latency: 150 * time.Millisecond}, 150 * time.Millisecond},
		{"jitter", Options{Latency: 50 * time.Millisecond, Jitter: 50 * time.Millisecond}, 50 * time.Millisecond},
		{"late", Options{Latency: 20 * time.Millisecond, LateRate: 1, LateDelay: 150 * time.Millisecond}, 170 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, tt.opts)
			begin := time.Now()
			h.send(t, "lat", "Olá")
			cb := h.rc.next(t)
			if got := cb.at.Sub(begin); got < tt.min {
				t.Errorf("callback after %v, want at least %v", got, tt.min)
			}
			if sent := time.Unix(0, cb.sentAt); sent.Sub(begin) < tt.min {
				t.Errorf("sent %v after the POST, want at least %v", sent.Sub(begin), tt.min)
			}
		})
	}
}

// TestRepliesInOrder sends two messages back to back under heavy jitter:
// the greeting must still arrive before the answer to the name.
func TestRepliesInOrder(t *testing.T) {
	t.Parallel()
	h := start(t, Options{Jitter: 80 * time.Millisecond, Seed: 11})
	for i := range 5 {
		conv := fmt.Sprint("order-", i)
		h.send(t, conv, "Olá")
		h.send(t, conv, "Ana")
		first, second := replyText(t, h.rc.next(t).body), replyText(t, h.rc.next(t).body)
		if !strings.Contains(first, "Como posso te chamar?") || !strings.Contains(second, "Prazer, Ana!") {
			t.Fatalf("replies out of order:\n%s\n---\n%s", first, second)
		}
	}
}

func TestCloseCancelsPendingDeliveries(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	// An hour's latency: no delivery can fall due while the test runs, on
	// however loaded a machine, so one that arrives was not cancelled; and
	// a Close that waited for the timers would not return within the
	// bound below.
	sim := New(Options{Latency: time.Hour})
	ts := httptest.NewServer(sim)
	defer ts.Close()
	h := &harness{sim: sim, url: ts.URL + Path, rc: rc, client: ts.Client()}
	for i := range 20 {
		if code := h.send(t, fmt.Sprint("pending-", i), "Olá"); code != http.StatusAccepted {
			t.Fatalf("status %d", code)
		}
	}
	closed := make(chan error, 1)
	go func() { closed <- sim.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Close waited for the pending deliveries instead of cancelling them")
	}
	if n := liveWork(sim); n != 0 {
		t.Errorf("%d timers or goroutines still tracked after Close", n)
	}
	if code := h.send(t, "after", "Olá"); code != http.StatusServiceUnavailable {
		t.Errorf("POST after Close: status %d, want 503", code)
	}
	rc.none(t, 200*time.Millisecond)
	if err := sim.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestCloseAbortsInFlightDelivery closes while a callback is stuck in a
// webhook that never answers.
func TestCloseAbortsInFlightDelivery(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer stuck.Close()
	defer close(release)
	sim := New(Options{})
	ts := httptest.NewServer(sim)
	defer ts.Close()
	body := `{"text":"Olá","clientIdentifier":"s@b","webhook":"` + stuck.URL + `/cb"}`
	resp, err := ts.Client().Post(ts.URL+Path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("callback never reached the webhook")
	}
	begin := time.Now()
	_ = sim.Close()
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("Close took %v with a delivery in flight", took)
	}
	if st := sim.Stats(); st.DeliveryErrors != 1 || st.Delivered != 0 {
		t.Errorf("stats = %+v, want the aborted callback counted as an error", st)
	}
}

func liveWork(s *Server) int {
	s.track.mu.Lock()
	defer s.track.mu.Unlock()
	return s.track.n
}

func TestListen(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	sim, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sim.URL(), "http://127.0.0.1:") || !strings.HasSuffix(sim.URL(), Path) {
		t.Fatalf("URL() = %q", sim.URL())
	}
	h := &harness{sim: sim, url: sim.URL(), rc: rc, client: &http.Client{Timeout: 5 * time.Second}}
	if got := h.say(t, "listen", "Olá"); !strings.Contains(got, "Como posso te chamar?") {
		t.Fatalf("greeting = %q", got)
	}
	if _, err := Listen(strings.TrimSuffix(strings.TrimPrefix(sim.URL(), "http://"), Path), Options{}); err == nil {
		t.Error("Listen on a bound address succeeded")
	}
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	if resp, err := h.client.Post(sim.URL(), "application/json", strings.NewReader(`{}`)); err == nil {
		resp.Body.Close()
		t.Error("the listener still answers after Close")
	}
	if n := liveWork(sim); n != 0 {
		t.Errorf("%d still tracked after Close", n)
	}
}

func TestConcurrentConversations(t *testing.T) {
	t.Parallel()
	const n = 1000
	h := start(t, Options{Latency: 10 * time.Millisecond, Jitter: 20 * time.Millisecond})
	// A bound, not a figure: 1,000 connections at once take a loaded
	// machine far longer than an idle one.
	h.client = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	defer h.client.CloseIdleConnections()
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() { codes[i] = h.sendNoFatal(fmt.Sprint("c-", i), "Olá") })
	}
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusAccepted {
			t.Fatalf("conversation %d: status %d", i, code)
		}
	}
	got := map[string]int{}
	deadline := time.After(30 * time.Second)
	for len(got) < n {
		select {
		case cb := <-h.rc.ch:
			got[cb.path]++
		case <-deadline:
			t.Fatalf("%d of %d conversations got a reply", len(got), n)
		}
	}
	h.rc.none(t, 200*time.Millisecond)
	for path, k := range got {
		if k != 1 {
			t.Errorf("%s got %d replies", path, k)
		}
	}
	if st := h.settled(func(st Stats) bool { return st.Delivered >= n }); st.Conversations != n || st.Delivered != n || st.DeliveryErrors != 0 {
		t.Errorf("stats = %+v", st)
	}
}

// sendNoFatal is send for goroutines other than the test's: it reports a
// transport error as status 0.
func (h *harness) sendNoFatal(conv, text string) int {
	body, _ := json.Marshal(message{Type: "text", Text: text, ClientIdentifier: conv + "@stw.ai",
		Webhook: h.rc.srv.URL + "/cb/" + conv})
	resp, err := h.client.Post(h.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}
