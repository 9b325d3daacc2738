package whatsapp

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// Replies is where the stand-in reads bodies and hands replies: the
// webhook receiver, whose limits the stand-in shares.
type Replies interface {
	// ReadBody reads a request's body within the receiver's limits: the
	// body and 200, or the status those limits call for (413, 503, 400).
	ReadBody(w http.ResponseWriter, req *http.Request) ([]byte, int)
	// Deliver hands a reply's items to a conversation's turn.
	Deliver(convID string, turn int, at time.Time, body []byte, items []transcript.Message) string
}

// Recipients tells the stand-in which conversation a wa_id is.
type Recipients interface {
	// Recipient is the open conversation whose customer is waID, and the
	// turn a send to it answers: the turn of the message replyTo names
	// (context.message_id), else the turn in flight. duplicate says the
	// send answers a message the channel re-delivered after its turn was
	// over: the bot answered it twice.
	Recipient(waID, replyTo string) (convID string, turn int, duplicate, ok bool)
	// Read is told of a read mark for one of the run's messages; ok false
	// when no conversation sent one with that id.
	Read(messageID string) bool
	// Sent is told of each message the stand-in accepted for waID, with
	// the id it answered: what Meta's statuses webhooks are about.
	Sent(waID, messageID string)
	// Refused is told of a call the stand-in refused whose body named its
	// recipient (to), and why, so the turn that got no reply can say so;
	// false when no open conversation has that wa_id.
	Refused(waID, why string) bool
}

// Graph is the Graph API stand-in: POST /{version}/{phone number id}
// /messages, as the package doc says. It is a webhook.API.
type Graph struct {
	PhoneNumberID string
	// AccessToken is the bearer token the bot must present. Secret: never
	// printed, never quoted in an answer.
	AccessToken string
	Replies     Replies
	Recipients  Recipients
	stats       counters
	// unattributed counts the refused calls whose body named no open
	// conversation's customer (bad JSON, too large, an unknown to);
	// lastUnattributed is
	// why the latest was refused.
	unattributed     atomic.Uint64
	lastUnattributed atomic.Pointer[string]
}

// Unattributed is how many refused calls named no recipient, and why the
// latest was refused.
func (g *Graph) Unattributed() (uint64, string) {
	n := g.unattributed.Load()
	if why := g.lastUnattributed.Load(); why != nil {
		return n, *why
	}
	return n, ""
}

// attribute tells the conversation a refused call's body names why it
// was refused; a body that names none is counted apart.
func (g *Graph) attribute(body []byte, why string) {
	var named struct {
		To string `json:"to"`
	}
	if json.Unmarshal(body, &named) == nil && named.To != "" && g.Recipients.Refused(named.To, why) {
		return
	}
	g.lastUnattributed.Store(&why)
	g.unattributed.Add(1)
}

// refuseEarly refuses a call before its body was read (its token or its
// phone number id): the body is still read, within the receiver's limits,
// to tell the conversation it names.
func (g *Graph) refuseEarly(w http.ResponseWriter, req *http.Request, status int, e graphError, why string) {
	body, _ := g.Replies.ReadBody(w, req)
	g.attribute(body, why)
	writeError(w, status, e)
}

// Stats counts the Graph API calls the bot made, by what became of them.
// Every request is in Requests; Messages are the sends accepted, by kind
// (Text + Media + Interactive + Templates = Messages); the others are
// refused with the Graph API's error shape.
type Stats struct {
	Requests    uint64
	Messages    uint64 // sends accepted and handed to their conversation
	Text        uint64
	Media       uint64
	Interactive uint64
	Templates   uint64
	ReadMarks   uint64 // mark-as-read calls for a message of the run
	WithContext uint64 // sends naming the customer message they answer (context.message_id)
	// DuplicateReplies are sends answering a message re-delivered after
	// its turn was over (also in Messages): a bot that is not idempotent.
	DuplicateReplies uint64
	AuthFailures     uint64 // a missing or wrong bearer token: 401
	UnknownPhone     uint64 // a phone number id other than the run's: 400
	UnknownTo        uint64 // a recipient no open conversation holds, or a read mark for no message of the run: 400
	Malformed        uint64 // a body that is not a send (bad JSON, a missing field, an unknown type): 400
	Oversize         uint64 // a body over 1 MiB: 413
	BadRoute         uint64 // a path or method the stand-in does not serve: 404 / 405
	Busy             uint64 // no body memory free in time: 503
}

type counters struct {
	requests, messages, text, media, interactive, templates, readMarks, withContext, duplicateReplies atomic.Uint64
	authFailures, unknownPhone, unknownTo, malformed, oversize, badRoute, busy                        atomic.Uint64
}

// Stats returns the counters so far.
func (g *Graph) Stats() Stats {
	c := &g.stats
	return Stats{
		Requests: c.requests.Load(), Messages: c.messages.Load(), Text: c.text.Load(), Media: c.media.Load(),
		Interactive: c.interactive.Load(), Templates: c.templates.Load(), ReadMarks: c.readMarks.Load(),
		WithContext: c.withContext.Load(), DuplicateReplies: c.duplicateReplies.Load(), AuthFailures: c.authFailures.Load(), UnknownPhone: c.unknownPhone.Load(),
		UnknownTo: c.unknownTo.Load(), Malformed: c.malformed.Load(), Oversize: c.oversize.Load(),
		BadRoute: c.badRoute.Load(), Busy: c.busy.Load(),
	}
}

// ServeAPI implements webhook.API. The checks run in the Graph API's
// order: the path, the token, the phone number id, then the body.
func (g *Graph) ServeAPI(w http.ResponseWriter, req *http.Request, at time.Time) {
	g.stats.requests.Add(1)
	phoneID, ok := messagesPath(req.URL.Path)
	switch {
	case !ok:
		g.stats.badRoute.Add(1)
		writeError(w, http.StatusNotFound, graphError{Message: "Unknown path components: " + trimPath(req.URL.Path),
			Type: "OAuthException", Code: 2500})
		return
	case req.Method != http.MethodPost:
		g.stats.badRoute.Add(1)
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, graphError{Message: "(#100) Unsupported method", Type: "OAuthException", Code: 100})
		return
	case !g.authorized(req):
		g.stats.authFailures.Add(1)
		g.refuseEarly(w, req, http.StatusUnauthorized, graphError{Message: "Invalid OAuth access token - Cannot parse access token",
			Type: "OAuthException", Code: 190}, "HTTP 401 OAuthException 190: the bot sent no bearer token or a wrong one (the target's access_token)")
		return
	case phoneID != g.PhoneNumberID:
		g.stats.unknownPhone.Add(1)
		g.refuseEarly(w, req, http.StatusBadRequest, graphError{Message: fmt.Sprintf("Unsupported post request. Object with ID '%s' "+
			"does not exist, cannot be loaded due to missing permissions, or does not support this operation.", trimPath(phoneID)),
			Type: "GraphMethodException", Code: 100, Subcode: 33},
			fmt.Sprintf("HTTP 400 GraphMethodException 100/33: the bot called phone number id %s, not the target's phone_number_id", trimPath(phoneID)))
		return
	}
	body, status := g.Replies.ReadBody(w, req)
	if status != http.StatusOK {
		g.refuseBody(w, status)
		return
	}
	g.serveSend(w, body, at)
}

// serveSend answers a send whose path, token and phone number id are
// right.
func (g *Graph) serveSend(w http.ResponseWriter, body []byte, at time.Time) {
	s, err := ParseSend(body)
	if err != nil {
		g.stats.malformed.Add(1)
		g.attribute(body, "HTTP 400 OAuthException 100 (Invalid parameter): "+err.Error())
		writeError(w, http.StatusBadRequest, invalidParameter(err.Error()))
		return
	}
	if s.Kind == KindRead {
		g.serveRead(w, s)
		return
	}
	convID, turn, duplicate, ok := g.Recipients.Recipient(s.To, s.ReplyTo)
	if !ok {
		g.stats.unknownTo.Add(1)
		g.attribute(nil, "HTTP 400 OAuthException 131030: the bot sent to wa_id "+trimPath(s.To)+", which no open conversation holds")
		writeError(w, http.StatusBadRequest, graphError{Message: "(#131030) Recipient phone number not in allowed list",
			Type: "OAuthException", Code: 131030, Data: &errorData{MessagingProduct: "whatsapp",
				Details: "Recipient phone number not in allowed list: no conversation of this run has wa_id " + trimPath(s.To)}})
		return
	}
	g.count(s)
	if duplicate {
		g.stats.duplicateReplies.Add(1)
	}
	id := NewMessageID()
	g.Replies.Deliver(convID, turn, at, body, s.Items)
	g.Recipients.Sent(s.To, id)
	writeJSON(w, http.StatusOK, sendResponse{MessagingProduct: "whatsapp",
		Contacts: []responseContact{{Input: s.To, WaID: s.To}}, Messages: []responseMessage{{ID: id}}})
}

func (g *Graph) serveRead(w http.ResponseWriter, s Send) {
	if !g.Recipients.Read(s.ReadID) {
		g.stats.unknownTo.Add(1)
		writeError(w, http.StatusBadRequest, invalidParameter("message_id "+trimPath(s.ReadID)+" names no message of this run"))
		return
	}
	g.stats.readMarks.Add(1)
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// count counts an accepted send by kind.
func (g *Graph) count(s Send) {
	g.stats.messages.Add(1)
	if s.ReplyTo != "" {
		g.stats.withContext.Add(1)
	}
	switch s.Kind {
	case KindText:
		g.stats.text.Add(1)
	case KindMedia:
		g.stats.media.Add(1)
	case KindInteractive:
		g.stats.interactive.Add(1)
	case KindTemplate:
		g.stats.templates.Add(1)
	}
}

// refuseBody answers a body the receiver's limits turned away.
func (g *Graph) refuseBody(w http.ResponseWriter, status int) {
	why := fmt.Sprintf("HTTP %d: the request body could not be read", status)
	switch status {
	case http.StatusRequestEntityTooLarge:
		why = "HTTP 413: the request body is larger than 1 MiB"
	case http.StatusServiceUnavailable:
		why = "HTTP 503: no memory for the request body in time"
	}
	g.attribute(nil, why)
	switch status {
	case http.StatusRequestEntityTooLarge:
		g.stats.oversize.Add(1)
		writeError(w, status, invalidParameter("the request body is larger than 1 MiB"))
	case http.StatusServiceUnavailable:
		g.stats.busy.Add(1)
		w.Header().Set("Retry-After", "1")
		writeError(w, status, graphError{Message: "(#2) Service temporarily unavailable", Type: "OAuthException", Code: 2})
	default:
		g.stats.malformed.Add(1)
		writeError(w, http.StatusBadRequest, invalidParameter("the request body could not be read"))
	}
}

// authorized checks the bearer token in constant time.
func (g *Graph) authorized(req *http.Request) bool {
	scheme, tok, ok := strings.Cut(req.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || g.AccessToken == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(g.AccessToken)) == 1
}

// messagesPath reads /{version}/{phone number id}/messages; the version
// is any "v" and a number ("v21.0").
func messagesPath(path string) (phoneID string, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 3 || parts[2] != "messages" || len(parts[0]) < 2 || parts[0][0] != 'v' || parts[1] == "" {
		return "", false
	}
	return parts[1], true
}

// trimPath bounds what an answer quotes of the request.
func trimPath(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// The Graph API's answers.
type (
	sendResponse struct {
		MessagingProduct string            `json:"messaging_product"`
		Contacts         []responseContact `json:"contacts"`
		Messages         []responseMessage `json:"messages"`
	}
	responseContact struct {
		Input string `json:"input"`
		WaID  string `json:"wa_id"`
	}
	responseMessage struct {
		ID string `json:"id"`
	}
	graphError struct {
		Message   string     `json:"message"`
		Type      string     `json:"type"`
		Code      int        `json:"code"`
		Subcode   int        `json:"error_subcode,omitempty"`
		Data      *errorData `json:"error_data,omitempty"`
		FBTraceID string     `json:"fbtrace_id"`
	}
	errorData struct {
		MessagingProduct string `json:"messaging_product"`
		Details          string `json:"details"`
	}
)

// invalidParameter is the Graph API's error for a send it cannot read.
func invalidParameter(details string) graphError {
	return graphError{Message: "(#100) Invalid parameter", Type: "OAuthException", Code: 100,
		Data: &errorData{MessagingProduct: "whatsapp", Details: details}}
}

func writeError(w http.ResponseWriter, status int, e graphError) {
	e.FBTraceID = NewMessageID()[len("wamid."):][:11]
	writeJSON(w, status, map[string]graphError{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body) // the bot may be gone; nothing to do then
}
