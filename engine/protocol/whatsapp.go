package protocol

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/internal/wait"
	"github.com/voyplan/voyplan/engine/plan/target"
	"github.com/voyplan/voyplan/engine/protocol/whatsapp"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/webhook"
)

// WhatsApp plays Meta's side of the WhatsApp Business Cloud API: each
// customer message is a signed messages webhook POSTed to the bot's
// webhook (any 2xx means accepted), and the reply is what the bot sends
// through the Graph API stand-in (whatsapp.Graph, served on the
// receiver's address), matched to the conversation by its `to`.
//
// It implements whatsapp.Recipients for its Graph.
type WhatsApp struct {
	Spec     *target.WhatsApp
	BotURL   string // Spec.BotURL, or the simulator's bot when the plan starts one
	Client   *http.Client
	Receiver *webhook.Receiver
	Wait     ReplyWait
	Retry    Retrying // a delivery answered 5xx or cut short is re-delivered, as Meta does
	Graph    *whatsapp.Graph

	// byWaID maps an open conversation's wa_id to its *waSession; byMsg
	// maps the id of each message delivered to it, for read marks.
	byWaID, byMsg sync.Map
	stats         waCounters
	ch            *channel // the channel's faults, drawn from the plan's seed (SetSeed)
}

// WhatsAppStats counts what the bot did with the deliveries, beside what
// it did on the Graph API (whatsapp.Stats).
type WhatsAppStats struct {
	Deliveries       uint64 // messages webhooks POSTed to the bot (re-deliveries included)
	SignatureRefused uint64 // deliveries the bot answered 401 or 403: it refused the signature
	DeliveryFailed   uint64 // deliveries answered with another failing status, or not at all
	SharedWaID       uint64 // conversations opened with a wa_id another open one held
	// Statuses are the statuses webhooks posted (target statuses = true);
	// StatusFailed those the bot did not take (not 2xx, or no answer in
	// time).
	Statuses, StatusFailed uint64
	Channel                ChannelStats // channel_faults: Redelivered; DuplicateReplies is Graph's
	Graph                  whatsapp.Stats
}

type waCounters struct {
	deliveries, signatureRefused, deliveryFailed, sharedWaID, statuses, statusFailed atomic.Uint64
}

// NewWhatsApp builds the protocol and its Graph API stand-in, installed
// on rcv.
func NewWhatsApp(spec *target.WhatsApp, botURL string, conv ReplyWait, rcv *webhook.Receiver, client *http.Client, retries int) *WhatsApp {
	w := &WhatsApp{Spec: spec, BotURL: botURL, Client: client, Receiver: rcv, Wait: conv, Retry: Retrying{Retries: retries},
		ch: newChannel(spec.Faults, 0)}
	w.Graph = &whatsapp.Graph{PhoneNumberID: spec.PhoneNumberID, AccessToken: spec.AccessToken, Replies: rcv, Recipients: w}
	rcv.SetAPI(w.Graph)
	return w
}

// SetSeed implements Seeded: the channel's faults are drawn from seed.
// Call it before the first conversation.
func (w *WhatsApp) SetSeed(seed uint64) { w.ch.seed = seed }

// Stats returns the counters so far.
func (w *WhatsApp) Stats() WhatsAppStats {
	g := w.Graph.Stats()
	ch := w.ch.stats()
	ch.DuplicateReplies = g.DuplicateReplies
	return WhatsAppStats{
		Deliveries: w.stats.deliveries.Load(), SignatureRefused: w.stats.signatureRefused.Load(),
		DeliveryFailed: w.stats.deliveryFailed.Load(), SharedWaID: w.stats.sharedWaID.Load(),
		Statuses: w.stats.statuses.Load(), StatusFailed: w.stats.statusFailed.Load(), Channel: ch, Graph: g,
	}
}

func (w *WhatsApp) business() whatsapp.Business {
	return whatsapp.Business{AccountID: w.Spec.BusinessAccountID, PhoneNumberID: w.Spec.PhoneNumberID, DisplayPhone: w.Spec.DisplayPhone}
}

// Recipient implements whatsapp.Recipients. A send answering a message
// re-delivered after its turn ended, or naming none while a re-delivery
// is the last thing the conversation saw, is a duplicate reply.
func (w *WhatsApp) Recipient(waID, replyTo string) (string, int, bool, bool) {
	v, ok := w.byWaID.Load(waID)
	if !ok {
		return "", 0, false, false
	}
	s := v.(*waSession)
	if m, ok := w.message(replyTo); ok && m.s == s {
		return s.conv.ID, m.turn, m.redelivered.Load(), true
	}
	return s.conv.ID, int(s.turn.Load()), replyTo == "" && s.redelivering.Load(), true
}

func (w *WhatsApp) message(id string) (*waMsg, bool) {
	if id == "" {
		return nil, false
	}
	v, ok := w.byMsg.Load(id)
	if !ok {
		return nil, false
	}
	return v.(*waMsg), true
}

// waMsg is one customer message delivered to the bot.
type waMsg struct {
	s    *waSession
	turn int
	// redelivered: the channel delivered it again after its turn ended.
	redelivered atomic.Bool
}

// Read implements whatsapp.Recipients.
func (w *WhatsApp) Read(messageID string) bool {
	_, ok := w.message(messageID)
	return ok
}

// Verify makes the GET hub.challenge handshake Meta makes when a webhook
// is configured, when the target has a verify_token: the bot must answer
// 200 with the challenge. Run before the first conversation.
func (w *WhatsApp) Verify(ctx context.Context) error {
	if w.Spec.VerifyToken == "" {
		return nil
	}
	var b [8]byte
	_, _ = crand.Read(b[:])
	challenge := hex.EncodeToString(b[:])
	u, err := url.Parse(w.BotURL)
	if err != nil {
		return errors.New("bot_url is not a URL")
	}
	q := u.Query()
	q.Set("hub.mode", "subscribe")
	q.Set("hub.verify_token", w.Spec.VerifyToken)
	q.Set("hub.challenge", challenge)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, w.Spec.Timeout)
	defer cancel()
	o := outgoing{method: http.MethodGet, url: u.String()}
	r, err := roundTrip(ctx, w.Client, o)
	switch {
	case err != nil:
		return fmt.Errorf("the bot's verification handshake failed: %w", err)
	case r.status != http.StatusOK:
		return fmt.Errorf("the bot answered the verification handshake (GET %s?hub.mode=subscribe&hub.verify_token=…) with HTTP %d: "+
			"it must answer 200 with hub.challenge when hub.verify_token is its verify token", redactURL(w.BotURL), r.status)
	case strings.TrimSpace(string(r.body)) != challenge:
		return errors.New("the bot answered the verification handshake without echoing hub.challenge")
	}
	return nil
}

// Open implements Protocol.
func (w *WhatsApp) Open(c Conversation) Session {
	s := &waSession{w: w, conv: c, mailbox: w.Receiver.Open(c.ID), cc: w.ch.open(c.User)}
	s.waID, s.name, s.err = w.Spec.Customer(target.RequestVars{ConversationID: c.ID, User: c.User, Persona: c.Persona, Data: c.Data})
	if s.err == nil {
		if _, loaded := w.byWaID.Swap(s.waID, s); loaded {
			w.stats.sharedWaID.Add(1)
		}
	}
	return s
}

type waSession struct {
	w          *WhatsApp
	conv       Conversation
	mailbox    *webhook.Mailbox
	cc         *convChannel // its side of the channel: fault draws, delivery order, statuses in flight
	waID, name string
	err        error        // the customer could not be evaluated
	turn       atomic.Int64 // the turn in flight, for the Graph API's replies
	ids        []string     // the messages delivered, keys of w.byMsg
	// redelivering: the last thing this conversation's bot got was a
	// re-delivery, after its turn ended; until the next message.
	redelivering atomic.Bool
	// refused counts the bot's Graph API calls for this customer the
	// stand-in refused; lastRefusal says why the latest was.
	refused     atomic.Uint64
	lastRefusal atomic.Pointer[string]
}

// Refused implements whatsapp.Recipients.
func (w *WhatsApp) Refused(waID, why string) bool {
	v, ok := w.byWaID.Load(waID)
	if !ok {
		return false
	}
	s := v.(*waSession)
	s.lastRefusal.Store(&why)
	s.refused.Add(1)
	return true
}

// whyNoReply is what a turn without a reply can say of it: the stand-in
// refused the bot's calls for this customer, or calls it could not tie to
// any, since the turn's message went out (counts taken then: mine, all).
func (s *waSession) whyNoReply(mine, all uint64) string {
	if n := s.refused.Load() - mine; n > 0 {
		return fmt.Sprintf("the Graph API stand-in refused %d of the bot's calls for this customer (the last: %s)", n, *s.lastRefusal.Load())
	}
	if n, why := s.w.Graph.Unattributed(); n > all {
		return fmt.Sprintf("the Graph API stand-in refused %d calls meanwhile that named no customer of the run (the last: %s)", n-all, why)
	}
	return ""
}

// Exchange implements Session: deliver turn n's message, then wait for
// what the bot sends back through the Graph API. The message keeps the
// time the customer sent it; the turn is timed from its delivery, after
// whatever delay the channel's faults held it back.
func (s *waSession) Exchange(ctx context.Context, n int, text string) (Turn, error) {
	mine, all := s.refused.Load(), s.unattributed()
	t, msg, o, err := s.deliver(ctx, n, text)
	if err != nil {
		return t, err
	}
	err = awaitReply(ctx, s.mailbox, n, s.w.Wait, &t)
	if nr, ok := errors.AsType[*NoReplyError](err); ok {
		nr.Why = s.whyNoReply(mine, all)
	}
	f := s.w.Spec.Faults
	if err == nil && s.cc.msgs.chance(f.RedeliverRate) {
		if !s.cc.msgs.chance(f.ReorderRate) {
			s.redeliverAfter(ctx, msg, o, t.SentAt)
		} else {
			var seq uint64
			if time.Until(t.SentAt.Add(f.RedeliverAfter)) <= 0 { // due now: before the customer's next message
				seq = s.cc.next()
			}
			s.cc.async(func() { s.redeliverLate(msg, o, t.SentAt, seq) })
		}
	}
	return t, err
}

// burst delivers a thought as several messages in turn n (burst.go).
func (s *waSession) burst(ctx context.Context, n int, b Burst) (Turn, error) {
	return asyncBurst(ctx, s.mailbox, n, s.w.Wait, b, func(ctx context.Context, text string) (Turn, error) {
		t, _, _, err := s.deliver(ctx, n, text)
		return t, err
	})
}

// deliver delivers one message of turn n to the bot, signed, without
// waiting for the answer; it returns the message and its request, for a
// re-delivery.
func (s *waSession) deliver(ctx context.Context, n int, text string) (Turn, *waMsg, outgoing, error) {
	t := Turn{SentAt: time.Now(), Attempts: 1}
	if s.err != nil {
		return t, nil, outgoing{}, &SendError{Err: fmt.Errorf("cannot make the customer: %w", s.err)}
	}
	s.turn.Store(int64(n))
	s.redelivering.Store(false)
	id := whatsapp.NewMessageID()
	s.ids = append(s.ids, id)
	msg := &waMsg{s: s, turn: n}
	s.w.byMsg.Store(id, msg)
	body := whatsapp.EncodeMessage(s.w.business(), whatsapp.Inbound{WaID: s.waID, ProfileName: s.name, ID: id, At: t.SentAt, Text: text})
	o := outgoing{method: http.MethodPost, url: s.w.BotURL, body: body,
		headers: map[string]string{whatsapp.SignatureHeader: whatsapp.Sign(s.w.Spec.AppSecret, body)}}
	seq, ok := s.cc.hold(ctx, &s.cc.msgs, 0, false)
	if !ok {
		return t, nil, outgoing{}, ctx.Err()
	}
	t.SentAt = time.Now()
	s.cc.post(seq)
	r, attempts, err := s.w.deliver(ctx, o)
	t.Send, t.Status, t.Attempts = time.Since(t.SentAt), r.status, attempts
	s.w.stats.deliveries.Add(uint64(attempts))
	return t, msg, o, s.w.deliveryFailure(ctx, r, o, err, attempts)
}

// redeliverAfter delivers a message again, as Meta does when it thinks the
// bot did not take it: RedeliverAfter after the first delivery, and after
// the turn's reply settled, so whatever the bot sends for it now is an
// answer given twice. The bot's answer to the copy is not the turn's.
func (s *waSession) redeliverAfter(ctx context.Context, m *waMsg, o outgoing, sentAt time.Time) {
	if d := time.Until(sentAt.Add(s.w.Spec.Faults.RedeliverAfter)); d > 0 && !wait.For(ctx, d) {
		return
	}
	seq, ok := s.cc.hold(ctx, &s.cc.msgs, 0, false)
	if !ok {
		return
	}
	m.redelivered.Store(true)
	s.redelivering.Store(true)
	s.repost(ctx, seq, o)
}

// redeliverLate is redeliverAfter for a copy the channel also reorders:
// beside the conversation, held back until the customer's next message
// went out, so it arrives after it. A copy still held when the
// conversation ends is never sent.
func (s *waSession) redeliverLate(m *waMsg, o outgoing, sentAt time.Time, seq uint64) {
	ctx := s.cc.ctx
	if d := time.Until(sentAt.Add(s.w.Spec.Faults.RedeliverAfter)); d > 0 && !wait.For(ctx, d) {
		return
	}
	seq, ok := s.cc.hold(ctx, &s.cc.msgs, seq, true) // its place in the order: when due, unless it was due at once
	if !ok {
		return
	}
	m.redelivered.Store(true)
	s.repost(ctx, seq, o)
}

// repost posts a copy of a delivery, counted; its failure is counted too,
// the turn itself went through.
func (s *waSession) repost(ctx context.Context, seq uint64, o outgoing) {
	s.w.ch.redelivered.Add(1)
	s.w.stats.deliveries.Add(1)
	s.cc.post(seq)
	r, err := roundTrip(ctx, s.w.Client, o)
	_ = s.w.deliveryFailure(ctx, r, o, err, 1)
}

func (s *waSession) unattributed() uint64 {
	n, _ := s.w.Graph.Unattributed()
	return n
}

// deliver posts a delivery as Meta does: one answered 5xx or cut short is
// tried again (Retry), and so is one the bot did not answer within the
// target's timeout — Meta re-delivers it, the same id — up to the
// target's retries in all.
func (w *WhatsApp) deliver(ctx context.Context, o outgoing) (response, int, error) {
	r, attempts, err := w.Retry.send(ctx, w.Client, o)
	for err != nil && isTimeout(err) && ctx.Err() == nil && attempts <= w.Retry.Retries {
		r, err = roundTrip(ctx, w.Client, o)
		attempts++
	}
	return r, attempts, err
}

// Sent implements whatsapp.Recipients: with statuses on, each message the
// bot sent is followed by its statuses webhooks.
func (w *WhatsApp) Sent(waID, messageID string) {
	if !w.Spec.Statuses {
		return
	}
	v, ok := w.byWaID.Load(waID)
	if !ok {
		return
	}
	s := v.(*waSession)
	s.cc.async(func() { s.sendStatuses(messageID) })
}

// statusOrder is the order Meta reports a message's fate in.
var statusOrder = [...]string{"sent", "delivered", "read"}

// sendStatuses posts the statuses webhooks of one of the bot's messages,
// each status_delay after the one before, through the channel's faults
// (delay, reorder). When the conversation ends, the statuses still waiting
// are posted at once: every message the bot sent gets all three.
func (s *waSession) sendStatuses(messageID string) {
	spec := s.w.Spec
	for _, st := range statusOrder {
		_ = wait.ForOrStop(context.Background(), s.cc.statuses.between(spec.StatusDelayMin, spec.StatusDelayMax), s.cc.ctx.Done())
		seq, _ := s.cc.hold(context.Background(), &s.cc.statuses, 0, s.cc.statuses.chance(spec.Faults.ReorderRate))
		body := whatsapp.EncodeStatus(s.w.business(), whatsapp.Status{ID: messageID, Status: st, RecipientID: s.waID, At: time.Now()})
		o := outgoing{method: http.MethodPost, url: s.w.BotURL, body: body,
			headers: map[string]string{whatsapp.SignatureHeader: whatsapp.Sign(spec.AppSecret, body)}}
		s.cc.post(seq)
		s.w.postStatus(o)
	}
}

// postStatus posts one statuses webhook; a bot that does not take it
// (not 2xx, or no answer within the target's timeout) is counted.
func (w *WhatsApp) postStatus(o outgoing) {
	ctx, cancel := context.WithTimeout(context.Background(), w.Spec.Timeout)
	defer cancel()
	w.stats.statuses.Add(1)
	if r, err := roundTrip(ctx, w.Client, o); err != nil || !r.ok() {
		w.stats.statusFailed.Add(1)
	}
}

// deliveryFailure is how a delivery failed, counted; nil when the bot
// took it.
func (w *WhatsApp) deliveryFailure(ctx context.Context, r response, o outgoing, err error, attempts int) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		w.stats.deliveryFailed.Add(1)
		if isTimeout(err) && attempts > 1 {
			return &SendError{Err: fmt.Errorf("the bot did not answer the delivery within %s, nor its %d re-deliveries (the same message id, as Meta re-delivers): %w",
				w.Spec.Timeout, attempts-1, err)}
		}
		if isTimeout(err) {
			return &SendError{Err: fmt.Errorf("the bot did not answer the delivery within %s (Meta would re-deliver it; retries re-deliver it): %w", w.Spec.Timeout, err)}
		}
		return &SendError{Err: err}
	case r.status == http.StatusUnauthorized || r.status == http.StatusForbidden:
		w.stats.signatureRefused.Add(1)
		return &SendError{Status: r.status, Err: fmt.Errorf("the bot refused the delivery (HTTP %d): check that its app secret is the target's app_secret", r.status)}
	case !r.ok():
		w.stats.deliveryFailed.Add(1)
		return statusError(r, o)
	}
	return nil
}

// Late implements Session.
func (s *waSession) Late() map[int][]transcript.Message { return s.mailbox.Late() }

// Close implements Session. The statuses still due are posted first, while
// the conversation is still the bot's recipient.
func (s *waSession) Close() {
	s.cc.close()
	if s.err == nil {
		s.w.byWaID.CompareAndDelete(s.waID, s)
	}
	for _, id := range s.ids {
		s.w.byMsg.Delete(id)
	}
	s.mailbox.Close()
}
