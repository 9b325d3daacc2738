package protocol

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Test secrets: they must never be quoted by anything voyplan writes.
const (
	waSecret = "fake-test-secret-1"
	waToken  = "fake-test-token-1"
	waVerify = "fake-verify-token-1"
	waPhone  = "106540352242922"
	waCust   = "5585991234567"
)

// docBot is a WhatsApp Cloud API bot written from Meta's documentation
// alone — the messages webhook reference and the Graph API's messages
// endpoint — sharing no type with the encoder: it reads the delivery as
// generic JSON. It checks X-Hub-Signature-256, answers the verification
// handshake, and answers a message by calling the Graph API (before it
// answers the delivery, so the test needs no goroutine of its own).
type docBot struct {
	t     *testing.T
	graph string // the Graph API base URL: voyplan's stand-in
	token string // the bearer token it presents; "" presents none
	// status, when set, answers every delivery with it (and nothing is sent).
	status   int
	hold     chan struct{} // when set, a delivery waits for it (or the request's end)
	badSig   atomic.Int64
	messages atomic.Int64
	graphErr atomic.Pointer[string] // the last Graph API answer that was not 200
	// statusFail, when set, answers every statuses webhook with it.
	statusFail int
	mu         sync.Mutex
	statuses   map[string][]string // the statuses webhooks, by the message id they report on, in arrival order
}

func (b *docBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet { // the verification request
		q := r.URL.Query()
		if q.Get("hub.mode") == "subscribe" && q.Get("hub.verify_token") == waVerify {
			_, _ = io.WriteString(w, q.Get("hub.challenge"))
			return
		}
		w.WriteHeader(http.StatusForbidden)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(waSecret))
	mac.Write(raw)
	if r.Header.Get("X-Hub-Signature-256") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		b.badSig.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if b.hold != nil {
		select {
		case <-b.hold:
		case <-r.Context().Done():
		}
		return
	}
	if b.status != 0 {
		w.WriteHeader(b.status)
		return
	}
	var hook struct {
		Object string `json:"object"`
		Entry  []struct {
			ID      string `json:"id"`
			Changes []struct {
				Field string         `json:"field"`
				Value map[string]any `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &hook); err != nil || hook.Object != "whatsapp_business_account" {
		b.t.Errorf("bot: not a WhatsApp webhook: %s", raw)
	}
	for _, e := range hook.Entry {
		for _, c := range e.Changes {
			if _, ok := c.Value["statuses"]; ok {
				b.readStatuses(c.Value)
				if b.statusFail != 0 {
					w.WriteHeader(b.statusFail)
					return
				}
				continue
			}
			b.read(c.Field, c.Value)
		}
	}
	w.WriteHeader(http.StatusOK)
}

// readStatuses records a statuses webhook, as the webhook reference
// documents it: value.statuses[] with id, status, timestamp and
// recipient_id.
func (b *docBot) readStatuses(v map[string]any) {
	sts, _ := v["statuses"].([]any)
	meta, _ := v["metadata"].(map[string]any)
	if v["messaging_product"] != "whatsapp" || meta["phone_number_id"] != waPhone || len(sts) != 1 {
		b.t.Errorf("bot: statuses change %v", v)
		return
	}
	st, _ := sts[0].(map[string]any)
	id, _ := st["id"].(string)
	if !strings.HasPrefix(id, "wamid.") || st["recipient_id"] != waCust || st["timestamp"] == "" {
		b.t.Errorf("bot: status %v", st)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.statuses == nil {
		b.statuses = map[string][]string{}
	}
	b.statuses[id] = append(b.statuses[id], st["status"].(string))
}

// read answers one change's messages.
func (b *docBot) read(field string, v map[string]any) {
	meta, _ := v["metadata"].(map[string]any)
	contacts, _ := v["contacts"].([]any)
	msgs, _ := v["messages"].([]any)
	if field != "messages" || v["messaging_product"] != "whatsapp" || meta["phone_number_id"] != waPhone || len(contacts) != 1 {
		b.t.Errorf("bot: change %s %v", field, v)
		return
	}
	profile := contacts[0].(map[string]any)["profile"].(map[string]any)["name"]
	for _, m := range msgs {
		m := m.(map[string]any)
		text, _ := m["text"].(map[string]any)
		id, _ := m["id"].(string)
		if m["type"] != "text" || !strings.HasPrefix(id, "wamid.") || m["from"] != waCust || m["timestamp"] == "" {
			b.t.Errorf("bot: message %v", m)
			continue
		}
		b.messages.Add(1)
		b.call(map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": id})
		b.call(map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": m["from"],
			"context": map[string]any{"message_id": id}, "type": "text",
			"text": map[string]any{"body": fmt.Sprintf("Oi %v! Você disse: %v", profile, text["body"])}})
		b.call(map[string]any{"messaging_product": "whatsapp", "to": m["from"], "type": "interactive",
			"interactive": map[string]any{"type": "button", "body": map[string]any{"text": "Posso ajudar?"},
				"action": map[string]any{"buttons": []any{
					map[string]any{"type": "reply", "reply": map[string]any{"id": "buy", "title": "Comprar"}},
					map[string]any{"type": "reply", "reply": map[string]any{"id": "faq", "title": "Dúvidas"}},
				}}}})
		b.call(map[string]any{"messaging_product": "whatsapp", "to": m["from"], "type": "image",
			"image": map[string]any{"link": "https://x.example/parque.jpg"}})
	}
}

// call POSTs one Graph API request, as the bot's HTTP client would.
func (b *docBot) call(msg map[string]any) {
	body, _ := json.Marshal(msg)
	req, _ := http.NewRequest(http.MethodPost, b.graph+"/v21.0/"+waPhone+"/messages", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Errorf("bot: Graph API: %v", err)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s := fmt.Sprintf("%d %s", resp.StatusCode, answer)
		b.graphErr.Store(&s)
		return
	}
	var ok struct {
		Product  string `json:"messaging_product"`
		Success  bool   `json:"success"`
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if json.Unmarshal(answer, &ok) != nil || (!ok.Success && (ok.Product != "whatsapp" || len(ok.Messages) != 1 ||
		!strings.HasPrefix(ok.Messages[0].ID, "wamid."))) {
		b.t.Errorf("bot: the Graph API's answer is not Meta's shape: %s", answer)
	}
}

// waPlan loads a plan whose whatsapp target delivers to bot.
func waPlan(t *testing.T, bot string, extra string) *plan.Plan {
	t.Helper()
	return loadTarget(t, fmt.Sprintf(`target "bot" {
  protocol        = "whatsapp"
  bot_url         = %q
  app_secret      = %q
  verify_token    = %q
  phone_number_id = %q
  access_token    = %q
  graph_listen    = "127.0.0.1:0"
  wa_id           = %q
  profile_name    = data.customer.name
  %s
}`, bot, waSecret, waVerify, waPhone, waToken, waCust, extra))
}

// waSetup starts a receiver and the whatsapp protocol for p, and points bot
// at its Graph API stand-in.
func waSetup(t *testing.T, p *plan.Plan, bot *docBot) *WhatsApp {
	t.Helper()
	rcv := listen(t)
	bot.graph = "http://" + rcv.Addr()
	proto, err := FromPlan(p, rcv, &http.Client{Timeout: p.Target.Timeout})
	if err != nil {
		t.Fatal(err)
	}
	return proto.(*WhatsApp)
}

// TestWhatsAppDocBot: a bot written against Meta's documentation accepts
// voyplan's deliveries (signature checked), passes the handshake, and its
// Graph API calls come back as the turn's reply, with the bearer token
// checked by voyplan.
func TestWhatsAppDocBot(t *testing.T) {
	t.Parallel()
	bot := &docBot{t: t, token: waToken}
	srv := httptest.NewServer(bot)
	defer srv.Close()
	wa := waSetup(t, waPlan(t, srv.URL, ""), bot)
	if err := wa.Verify(context.Background()); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	s := wa.Open(conversation())
	defer s.Close()
	for n, text := range []string{"Olá", "Quero ingressos"} {
		turn, err := s.Exchange(context.Background(), n+1, text)
		if err != nil {
			t.Fatalf("turn %d: %v", n+1, err)
		}
		want := []transcript.Message{
			{Type: "text", Text: "Oi Ana Souza! Você disse: " + text},
			{Type: "text", Text: "Posso ajudar?"}, {Type: "button", Text: "Comprar"}, {Type: "button", Text: "Dúvidas"},
			{Type: "media", Link: "https://x.example/parque.jpg"},
		}
		if len(turn.Messages) != len(want) || turn.Messages[0].ReplyTo == "" || turn.Status != http.StatusOK || turn.Reply <= 0 {
			t.Fatalf("turn %d: %+v", n+1, turn)
		}
		for i, m := range turn.Messages {
			if m.Type != want[i].Type || m.Text != want[i].Text || m.Link != want[i].Link || m.Role != "assistant" {
				t.Errorf("turn %d item %d: %+v, want %+v", n+1, i, m, want[i])
			}
		}
	}
	st := wa.Stats()
	g := st.Graph
	if bot.badSig.Load() != 0 || bot.messages.Load() != 2 || st.Deliveries != 2 || g.Messages != 6 || g.Text != 2 ||
		g.Interactive != 2 || g.Media != 2 || g.ReadMarks != 2 || g.WithContext != 2 || g.AuthFailures != 0 {
		t.Errorf("bot saw %d bad signatures, %d messages; stats %+v", bot.badSig.Load(), bot.messages.Load(), st)
	}
	if e := bot.graphErr.Load(); e != nil {
		t.Errorf("the Graph API refused the bot: %s", *e)
	}
}

// TestWhatsAppBotWithoutToken: a bot that calls the Graph API without the
// bearer token gets Meta's 401 (OAuthException 190), counted, and the turn
// has no reply.
func TestWhatsAppBotWithoutToken(t *testing.T) {
	t.Parallel()
	bot := &docBot{t: t}
	srv := httptest.NewServer(bot)
	defer srv.Close()
	wa := waSetup(t, waPlan(t, srv.URL, ""), bot)
	wa.Wait = ReplyWait{Timeout: 300 * time.Millisecond}
	s := wa.Open(conversation())
	defer s.Close()
	_, err := s.Exchange(context.Background(), 1, "Olá")
	nr, ok := errors.AsType[*NoReplyError](err)
	if !ok {
		t.Fatalf("err %v, want no reply", err)
	}
	// The three sends name the customer; the read mark names only the
	// message, and is not tied to the conversation.
	if d := nr.Detail(); !strings.Contains(d, "refused 3 of the bot's calls for this customer") || !strings.Contains(d, "OAuthException 190") {
		t.Errorf("the turn says %q: want why no reply came", d)
	}
	e := bot.graphErr.Load()
	if e == nil || !strings.HasPrefix(*e, "401 ") || !strings.Contains(*e, `"type":"OAuthException","code":190`) {
		t.Errorf("the bot got %v, want Meta's 401", e)
	}
	if g := wa.Stats().Graph; g.AuthFailures != 4 || g.Messages != 0 {
		t.Errorf("graph %+v: want 4 auth failures (a read mark and three sends)", g)
	}
}

// TestWhatsAppBadBots: a bot that refuses the signature, fails with 500,
// or takes longer than Meta waits is a counted send failure with a reason
// that says what happened.
func TestWhatsAppBadBots(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		bot    *docBot
		extra  string
		want   string
		status int
		count  func(WhatsAppStats) uint64
	}{
		{"signature", &docBot{status: http.StatusUnauthorized}, "", "refused the delivery (HTTP 401)", 401,
			func(s WhatsAppStats) uint64 { return s.SignatureRefused }},
		{"500", &docBot{status: http.StatusInternalServerError}, "", "assistant answered HTTP 500", 500,
			func(s WhatsAppStats) uint64 { return s.DeliveryFailed }},
		{"slow", &docBot{hold: make(chan struct{})}, `timeout = "200ms"`, "did not answer the delivery within 200ms", 0,
			func(s WhatsAppStats) uint64 { return s.DeliveryFailed }},
		// Meta re-delivers what the bot did not answer in time: retries
		// does, the same message, and each delivery is counted.
		{"slow, re-delivered", &docBot{hold: make(chan struct{})}, `timeout = "200ms"
  retries = 2`, "did not answer the delivery within 200ms, nor its 2 re-deliveries", 0,
			func(s WhatsAppStats) uint64 {
				if s.Deliveries != 3 { // the delivery and its 2 re-deliveries
					return 0
				}
				return s.DeliveryFailed
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.bot.t = t
			srv := httptest.NewServer(tt.bot)
			defer srv.Close()
			if tt.bot.hold != nil {
				defer close(tt.bot.hold)
			}
			wa := waSetup(t, waPlan(t, srv.URL, tt.extra), tt.bot)
			s := wa.Open(conversation())
			defer s.Close()
			turn, err := s.Exchange(context.Background(), 1, "Olá")
			var se *SendError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) || turn.Status != tt.status {
				t.Fatalf("err %v status %d, want a send error saying %q", err, turn.Status, tt.want)
			}
			if n := tt.count(wa.Stats()); n != 1 {
				t.Errorf("counted %d, want 1: %+v", n, wa.Stats())
			}
		})
	}
}

// TestWhatsAppGraphBadInput: what a broken bot sends the Graph API
// stand-in gets Meta's status and error shape, and is counted apart.
func TestWhatsAppGraphBadInput(t *testing.T) {
	t.Parallel()
	bot := &docBot{t: t}
	wa := waSetup(t, waPlan(t, "http://127.0.0.1:1/unused", ""), bot)
	s := wa.Open(conversation()) // so waCust is a known recipient
	defer s.Close()
	text := `{"messaging_product":"whatsapp","to":"` + waCust + `","type":"text","text":{"body":"oi"}}`
	path := "/v21.0/" + waPhone + "/messages"
	tests := []struct {
		name, method, path, auth, body string
		status, code                   int
		counted                        func(g WhatsAppStats) uint64
	}{
		{"no token", "POST", path, "", text, 401, 190, func(g WhatsAppStats) uint64 { return g.Graph.AuthFailures }},
		{"wrong token", "POST", path, "Bearer fake-test-token-2", text, 401, 190, func(g WhatsAppStats) uint64 { return g.Graph.AuthFailures }},
		{"unknown phone", "POST", "/v21.0/999/messages", "Bearer " + waToken, text, 400, 100, func(g WhatsAppStats) uint64 { return g.Graph.UnknownPhone }},
		{"malformed", "POST", path, "Bearer " + waToken, `{"messaging_product":"whatsapp","to":`, 400, 100, func(g WhatsAppStats) uint64 { return g.Graph.Malformed }},
		{"unknown type", "POST", path, "Bearer " + waToken, `{"messaging_product":"whatsapp","to":"1","type":"hologram"}`, 400, 100, func(g WhatsAppStats) uint64 { return g.Graph.Malformed }},
		{"unknown to", "POST", path, "Bearer " + waToken, strings.Replace(text, waCust, "5511900000000", 1), 400, 131030, func(g WhatsAppStats) uint64 { return g.Graph.UnknownTo }},
		{"read unknown", "POST", path, "Bearer " + waToken, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.x"}`, 400, 100, func(g WhatsAppStats) uint64 { return g.Graph.UnknownTo }},
		{"5 MB", "POST", path, "Bearer " + waToken, `{"messaging_product":"whatsapp","to":"` + strings.Repeat("9", 5<<20) + `"}`, 413, 100, func(g WhatsAppStats) uint64 { return g.Graph.Oversize }},
		{"GET", "GET", path, "Bearer " + waToken, "", 405, 100, func(g WhatsAppStats) uint64 { return g.Graph.BadRoute }},
		{"bad path", "POST", "/v21.0/" + waPhone + "/media", "Bearer " + waToken, text, 404, 2500, func(g WhatsAppStats) uint64 { return g.Graph.BadRoute }},
	}
	for _, tt := range tests { // in order: each counter is read before and after
		before := tt.counted(wa.Stats())
		req, _ := http.NewRequest(tt.method, bot.graph+tt.path, strings.NewReader(tt.body))
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var answer struct {
			Error struct {
				Message string `json:"message"`
				Type    string `json:"type"`
				Code    int    `json:"code"`
				Trace   string `json:"fbtrace_id"`
			} `json:"error"`
		}
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err := json.Unmarshal(raw, &answer); err != nil || resp.StatusCode != tt.status || answer.Error.Code != tt.code ||
			answer.Error.Message == "" || answer.Error.Type == "" || answer.Error.Trace == "" {
			t.Errorf("%s: %d %s, want %d with Graph API error code %d", tt.name, resp.StatusCode, raw, tt.status, tt.code)
		}
		if strings.Contains(string(raw), waToken) {
			t.Errorf("%s: the answer quotes the token", tt.name)
		}
		if after := tt.counted(wa.Stats()); after != before+1 {
			t.Errorf("%s: counter %d → %d, want one more", tt.name, before, after)
		}
	}
	if g := wa.Stats().Graph; g.Messages != 0 || g.Requests != uint64(len(tests)) {
		t.Errorf("graph %+v: want every request counted and none taken", g)
	}
	// The token and phone id refusals named the open conversation's
	// customer; bad JSON, an unknown type (to "1"), an unknown to and the
	// 5 MB body named none.
	sess := s.(*waSession)
	if n, why := wa.Graph.Unattributed(); sess.refused.Load() != 3 || n != 4 || !strings.Contains(why, "413") {
		t.Errorf("%d refusals told to the conversation (last %q), %d not (last %q): want 3 and 4", sess.refused.Load(),
			*sess.lastRefusal.Load(), n, why)
	}
}

// TestWhatsAppSecretsRedacted: a whatsapp target's app secret and tokens
// are hidden by plan.Redact, even when no variable declares them sensitive.
func TestWhatsAppSecretsRedacted(t *testing.T) {
	t.Parallel()
	p := waPlan(t, "http://127.0.0.1:1/bot", "")
	line := "secret " + waSecret + " token " + strings.ToUpper(waToken) + " verify " + waVerify
	got := p.Redact(line)
	for _, s := range []string{waSecret, waToken, waVerify} {
		if strings.Contains(strings.ToLower(got), strings.ToLower(s)) {
			t.Errorf("Redact(%q) = %q: %q is still there", line, got, s)
		}
	}
}

// TestWhatsAppStatuses: with statuses = true every message the bot sent
// is followed by its statuses webhooks — sent, delivered, read, in that
// order — signed (the bot checks), and counted; the ones still due when
// the conversation ends are sent as it closes.
func TestWhatsAppStatuses(t *testing.T) {
	t.Parallel()
	bot := &docBot{t: t, token: waToken}
	srv := httptest.NewServer(bot)
	defer srv.Close()
	wa := waSetup(t, waPlan(t, srv.URL, `statuses = true
  status_delay = ["1ms", "5ms"]`), bot)
	s := wa.Open(conversation())
	for n, text := range []string{"Olá", "Quero ingressos"} {
		if _, err := s.Exchange(context.Background(), n+1, text); err != nil {
			t.Fatalf("turn %d: %v", n+1, err)
		}
	}
	s.Close()
	st := wa.Stats()
	if st.Graph.Messages != 6 || st.Statuses != 18 || st.StatusFailed != 0 || bot.badSig.Load() != 0 || st.Channel.OutOfOrder != 0 {
		t.Fatalf("stats %+v, bad signatures %d: want 3 statuses for each of the 6 messages", st, bot.badSig.Load())
	}
	bot.mu.Lock()
	defer bot.mu.Unlock()
	if len(bot.statuses) != 6 {
		t.Errorf("statuses for %d messages, want 6: %v", len(bot.statuses), bot.statuses)
	}
	for id, got := range bot.statuses {
		if strings.Join(got, ",") != "sent,delivered,read" {
			t.Errorf("message %s: statuses %v, want sent, delivered, read", id, got)
		}
	}
}

// TestWhatsAppStatusesReordered: channel_faults.reorder_rate = 1 holds
// each status back until a later delivery of its conversation went out:
// they reach the bot out of order, counted; a bot that fails on a status
// is counted too.
func TestWhatsAppStatusesReordered(t *testing.T) {
	t.Parallel()
	bot := &docBot{t: t, token: waToken, statusFail: http.StatusInternalServerError}
	srv := httptest.NewServer(bot)
	defer srv.Close()
	wa := waSetup(t, waPlan(t, srv.URL, `statuses = true
  channel_faults {
    reorder_rate = 1
  }`), bot)
	s := wa.Open(conversation())
	cc := s.(*waSession).cc
	for n, text := range []string{"Olá", "Quero ingressos", "Sim"} {
		// Each turn's message and the "sent" of its 3 replies became due
		// (and are held) before the next message goes out and overtakes
		// them.
		waitUntil(t, func() bool { cc.mu.Lock(); defer cc.mu.Unlock(); return cc.due >= uint64(4*n) })
		if _, err := s.Exchange(context.Background(), n+1, text); err != nil {
			t.Fatalf("turn %d: %v", n+1, err)
		}
	}
	s.Close()
	st := wa.Stats()
	t.Logf("stats %+v", st)
	// At least the "sent" of turns 1 and 2's replies reached the bot after
	// the next message.
	if st.Statuses != 27 || st.StatusFailed != 27 || st.Channel.OutOfOrder < 6 || st.Channel.Redelivered != 0 {
		t.Errorf("stats %+v: want 27 statuses, all refused by the bot, at least 6 out of order", st)
	}
}

// waitUntil waits (bounded) for cond.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("the condition did not come true within 30s")
		}
		time.Sleep(time.Millisecond)
	}
}
