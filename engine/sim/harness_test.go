package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/datagen"
)

var payRe = regexp.MustCompile(`https://pay\.smarttalks\.ai/[0-9a-f]{24}`)

// callback is one delivery the receiver got.
type callback struct {
	path   string
	body   []byte
	sentAt int64 // SentAtHeader, Unix nanoseconds
	at     time.Time
}

// receiver is the webhook side: a loopback server that hands every
// callback to the test through ch.
type receiver struct {
	srv *httptest.Server
	ch  chan callback
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{ch: make(chan callback, 4096)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sentAt, _ := strconv.ParseInt(r.Header.Get(SentAtHeader), 10, 64)
		select {
		case rc.ch <- callback{path: r.URL.Path, body: body, sentAt: sentAt, at: time.Now()}:
		case <-r.Context().Done():
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"received"}`)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// next waits for the next callback, failing the test after 5 s.
func (rc *receiver) next(t *testing.T) callback {
	t.Helper()
	select {
	case cb := <-rc.ch:
		return cb
	case <-time.After(5 * time.Second):
		t.Fatal("no callback within 5s")
		return callback{}
	}
}

// none asserts that no callback arrives within d.
func (rc *receiver) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case cb := <-rc.ch:
		t.Fatalf("unexpected callback to %s: %s", cb.path, cb.body)
	case <-time.After(d):
	}
}

// harness is a simulator served by httptest plus a receiver.
type harness struct {
	sim    *Server
	url    string
	rc     *receiver
	client *http.Client
}

func start(t *testing.T, opts Options) *harness {
	t.Helper()
	rc := newReceiver(t)
	sim := New(opts)
	ts := httptest.NewServer(sim)
	t.Cleanup(func() {
		if err := sim.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		ts.Close()
	})
	return &harness{sim: sim, url: ts.URL + Path, rc: rc, client: ts.Client()}
}

// settled returns the simulator's stats once want holds, or after 5 s. A
// delivery is counted when its POST returns, which is after the receiver
// has the callback: a check right after receiving races the count.
func (h *harness) settled(want func(Stats) bool) Stats {
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := h.sim.Stats()
		if want(st) || time.Now().After(deadline) {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// send posts one message of conversation conv and returns the status.
func (h *harness) send(t *testing.T, conv, text string) int {
	t.Helper()
	body, _ := json.Marshal(message{
		Type: "text", Text: text, ChannelID: "68e4464832ec9940d9993a12",
		ClientIdentifier: conv + "@stw.ai", Webhook: h.rc.srv.URL + "/cb/" + conv,
	})
	resp, err := h.client.Post(h.url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// say sends text and returns the reply's texts joined by newlines.
func (h *harness) say(t *testing.T, conv, text string) string {
	t.Helper()
	if code := h.send(t, conv, text); code != http.StatusAccepted {
		t.Fatalf("POST %q: status %d, want 202", text, code)
	}
	return replyText(t, h.rc.next(t).body)
}

func decodeItems(t *testing.T, body []byte) []item {
	t.Helper()
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("callback body is not JSON: %v: %s", err, body)
	}
	return p.Messages
}

func replyText(t *testing.T, body []byte) string {
	t.Helper()
	var texts []string
	for _, it := range decodeItems(t, body) {
		if it.Type == "text" {
			texts = append(texts, it.Text)
		}
	}
	return strings.Join(texts, "\n")
}

// line is one scripted customer message and a substring its reply must
// contain.
type line struct{ say, want string }

// play runs a script on conversation conv and returns every reply.
func (h *harness) play(t *testing.T, conv string, script []line) []string {
	t.Helper()
	var replies []string
	for i, l := range script {
		got := h.say(t, conv, l.say)
		if !strings.Contains(got, l.want) {
			t.Fatalf("turn %d %q: reply lacks %q:\n%s", i+1, l.say, l.want, got)
		}
		replies = append(replies, got)
	}
	return replies
}

// customer is the generated personal data of one virtual user.
type customer struct{ phone, email, cpf string }

func newCustomer(user int) customer {
	r := datagen.ForUser(42, user)
	return customer{phone: datagen.BRMobile(r), email: datagen.Email(r, "stw.ai"), cpf: datagen.CPF(r)}
}

// countLinks counts the replies holding a payment link.
func countLinks(replies []string) int {
	n := 0
	for _, r := range replies {
		if payRe.MatchString(r) {
			n++
		}
	}
	return n
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
