package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// WhatsAppPath is the simulator's WhatsApp Cloud API bot: the webhook Meta
// delivers to. It is served once SetWhatsApp has told the bot where the
// Graph API is.
const WhatsAppPath = "/whatsapp/webhook"

// graphVersion is the Graph API version the bot calls.
const graphVersion = "v21.0"

// WhatsApp configures the bot mode: a bot written against Meta's Cloud
// API documentation. It answers the GET hub.challenge handshake when
// hub.verify_token is VerifyToken, verifies X-Hub-Signature-256 under
// AppSecret (401 when wrong), answers every delivery 200 at once, and
// later, as the widget replies are timed (Latency, Jitter, DropRate, ...),
// marks the message read and sends the dialogue's reply through POST
// GraphURL/v21.0/{phone_number_id}/messages with the bearer AccessToken:
// text messages answering the customer's (context.message_id), a park
// image now and then, and the payment link as a call-to-action button.
type WhatsApp struct {
	GraphURL    string
	AccessToken string // secret
	AppSecret   string // secret
	VerifyToken string // secret
	// The bugs a Cloud API bot can have: calling the Graph API without the
	// bearer token, answering a re-delivered message (the same id) again,
	// never marking a message read.
	NoToken       bool
	NotIdempotent bool
	NoMarkRead    bool
}

// SetWhatsApp turns the bot mode on (or changes it).
func (s *Server) SetWhatsApp(w WhatsApp) { s.wa.Store(&w) }

// The messages webhook as Meta's reference documents it; only what the bot
// reads.
type (
	waWebhook struct {
		Object string `json:"object"`
		Entry  []struct {
			Changes []struct {
				Field string `json:"field"`
				Value struct {
					Metadata struct {
						PhoneNumberID string `json:"phone_number_id"`
					} `json:"metadata"`
					Messages []waMessage `json:"messages"`
					Statuses []waStatus  `json:"statuses"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	waStatus struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		Timestamp   string `json:"timestamp"`
		RecipientID string `json:"recipient_id"`
	}
	waMessage struct {
		From string `json:"from"`
		ID   string `json:"id"`
		Type string `json:"type"`
		Text struct {
			Body string `json:"body"`
		} `json:"text"`
	}
)

// serveWhatsApp is the bot's webhook: GET is the verification handshake,
// POST a delivery.
func (s *Server) serveWhatsApp(w http.ResponseWriter, r *http.Request) {
	wa := s.wa.Load()
	switch {
	case wa == nil:
		writeJSON(w, http.StatusNotFound, errorBody("the WhatsApp bot is not configured"))
	case r.Method == http.MethodGet:
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" || wa.VerifyToken == "" || q.Get("hub.verify_token") != wa.VerifyToken {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, q.Get("hub.challenge"))
	case r.Method == http.MethodPost:
		s.stats.received.Add(1)
		s.serveDelivery(w, r, wa)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, errorBody("method not allowed"))
	}
}

// serveDelivery checks a delivery's signature, answers it and takes its
// text messages.
func (s *Server) serveDelivery(w http.ResponseWriter, r *http.Request, wa *WhatsApp) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil || !validSignature(wa.AppSecret, r.Header.Get(SignatureHeader), body) {
		s.stats.invalid.Add(1)
		writeJSON(w, http.StatusUnauthorized, errorBody("invalid signature"))
		return
	}
	var hook waWebhook
	if json.Unmarshal(body, &hook) != nil || hook.Object != "whatsapp_business_account" {
		s.stats.invalid.Add(1)
		writeJSON(w, http.StatusBadRequest, errorBody("not a WhatsApp webhook"))
		return
	}
	if statuses, ok := statusesOnly(hook); ok {
		s.stats.statuses.Add(uint64(statuses))
		w.WriteHeader(http.StatusOK)
		return
	}
	if !s.pause(r.Context(), s.opts.SlowPost) {
		return
	}
	if s.rng.hit(s.opts.FailRate) {
		s.stats.failed.Add(1)
		writeJSON(w, s.opts.FailStatus, errorBody("simulated failure"))
		return
	}
	now := time.Now()
	for _, e := range hook.Entry {
		for _, c := range e.Changes {
			for _, m := range c.Value.Messages { // a statuses webhook has none
				if c.Field == "messages" && m.Type == "text" {
					s.acceptWhatsApp(wa, c.Value.Metadata.PhoneNumberID, m, now)
				}
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

// statusesOnly reports whether a webhook carries statuses and no message,
// and how many: Meta's report of what became of the bot's messages, taken
// at once (the bot's slowness and failures are for the messages).
func statusesOnly(hook waWebhook) (int, bool) {
	n := 0
	for _, e := range hook.Entry {
		for _, c := range e.Changes {
			if len(c.Value.Messages) > 0 {
				return 0, false
			}
			for _, st := range c.Value.Statuses {
				if st.ID == "" || st.Status == "" || st.RecipientID == "" {
					return 0, false
				}
				n++
			}
		}
	}
	return n, n > 0
}

// validSignature checks "sha256=<hex>" against the body's HMAC.
func validSignature(secret, header string, body []byte) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	sum, err := hex.DecodeString(got)
	if !ok || err != nil || secret == "" {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(sum, mac.Sum(nil))
}

// acceptWhatsApp runs one message through its customer's dialogue and
// queues the Graph API calls that answer it. A message id seen before is
// a re-delivery, answered again only by a bot that is not idempotent.
func (s *Server) acceptWhatsApp(wa *WhatsApp, phoneID string, m waMessage, now time.Time) {
	key := "wa:" + m.From
	sh := s.shardFor(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	c := sh.conv[key]
	if c == nil {
		c = &conversation{}
		sh.conv[key] = c
		s.stats.conversations.Add(1)
	}
	if s.repeat(c, m.ID, wa.NotIdempotent) {
		return
	}
	answer := func(text string, now time.Time) { s.answerWhatsApp(sh, c, wa, phoneID, m, text, now) }
	if !s.hold(sh, c, m.Text.Body, answer) { // debounce.go
		answer(m.Text.Body, now)
	}
}

// answerWhatsApp runs a customer's text through the dialogue and queues
// the Graph API calls that answer m, the latest message it came in. The
// caller holds sh.mu.
func (s *Server) answerWhatsApp(sh *shard, c *conversation, wa *WhatsApp, phoneID string, m waMessage, text string, now time.Time) {
	out := c.dialogue.step(text, env{now: now, link: s.paymentLink})
	if out.paid {
		s.stats.completed.Add(1)
	}
	c.replies++
	d := &delivery{webhook: strings.TrimRight(wa.GraphURL, "/") + "/" + graphVersion + "/" + phoneID + "/messages"}
	if !wa.NoToken {
		d.auth = "Bearer " + wa.AccessToken
	}
	if !wa.NoMarkRead {
		d.bodies = append(d.bodies, graphJSON(map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": m.ID}))
	}
	for _, it := range s.items(c.replies, out.texts) {
		d.bodies = append(d.bodies, graphSend(m, it))
	}
	if s.rng.hit(s.opts.DropRate) {
		s.stats.dropped.Add(1)
		return
	}
	s.queue(sh, c, d, now)
}

var payLink = regexp.MustCompile(`https://pay\.\S+`)

// graphSend is the Graph API send of one reply item to m's sender: a text
// (an interactive call-to-action when it carries the payment link) or an
// image.
func graphSend(m waMessage, it item) []byte {
	msg := map[string]any{
		"messaging_product": "whatsapp", "recipient_type": "individual", "to": m.From,
		"context": map[string]string{"message_id": m.ID},
	}
	switch link := payLink.FindString(it.Text); {
	case it.Media != nil:
		msg["type"], msg["image"] = "image", map[string]string{"link": it.Media.Link}
	case link != "":
		msg["type"], msg["interactive"] = "interactive", map[string]any{
			"type": "cta_url",
			"body": map[string]string{"text": it.Text},
			"action": map[string]any{"name": "cta_url", "parameters": map[string]string{
				"display_text": "Pagar com Pix", "url": strings.TrimRight(link, ".,;!)"),
			}},
		}
	default:
		msg["type"], msg["text"] = "text", map[string]any{"preview_url": false, "body": it.Text}
	}
	return graphJSON(msg)
}

func graphJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("sim: cannot encode a Graph API call: " + err.Error()) // plain maps of strings
	}
	return b
}
