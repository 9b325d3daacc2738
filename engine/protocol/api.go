package protocol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"strings"

	"github.com/expr-lang/expr"

	"github.com/voyplan/voyplan/engine/plan/target"
)

// apiConn is what an http and a webhook session share: the plan's request,
// the conversation, its HTTP client (with a cookie jar of its own in cookie
// mode) and the id the assistant assigned, if any. Used by one goroutine at
// a time, like its Session.
type apiConn struct {
	spec    *target.API
	conv    Conversation
	client  *http.Client
	retry   Retrying
	session string // read by session.id_from; "" until then
}

func newAPIConn(spec *target.API, c Conversation, base *http.Client, retry Retrying) *apiConn {
	client := base
	if spec.Session.Mode == target.SessionCookie {
		jar, _ := cookiejar.New(nil) // never fails with nil options
		client = &http.Client{Transport: base.Transport, Timeout: base.Timeout, Jar: jar}
	}
	return &apiConn{spec: spec, conv: c, client: client, retry: retry}
}

// sessionID is session.id: the assigned id, else the conversation's.
func (a *apiConn) sessionID() string {
	if a.session != "" {
		return a.session
	}
	return a.conv.ID
}

// request renders turn n's request. callbackURL is "" for http targets.
func (a *apiConn) request(n int, text, callbackURL string) (outgoing, error) {
	r, err := a.spec.Request.Render(target.RequestVars{
		Message:        text,
		Turn:           n,
		ConversationID: a.conv.ID,
		User:           a.conv.User,
		Persona:        a.conv.Persona,
		SessionID:      a.session,
		CallbackURL:    callbackURL,
		Data:           a.conv.Data,
	})
	o := outgoing{method: r.Method, url: r.URL, headers: r.Headers, body: r.Body}
	if err != nil {
		return o, errors.New(redact(err.Error(), r.Headers))
	}
	if a.spec.Session.Mode == target.SessionHeader {
		o.headers = withHeader(o.headers, a.spec.Session.Header, a.sessionID())
	}
	if cb := a.spec.Callback; cb != nil && cb.URLField != "" {
		if o.body, err = setField(o.body, cb.URLField, callbackURL); err != nil {
			return o, err
		}
	}
	return o, nil
}

// send renders and sends turn n's message, retrying as the target says; it
// returns the last attempt's response and the attempts made.
func (a *apiConn) send(ctx context.Context, n int, text, callbackURL string) (response, outgoing, int, error) {
	o, err := a.request(n, text, callbackURL)
	if err != nil {
		return response{}, o, 1, err
	}
	r, attempts, err := a.retry.send(ctx, a.client, o)
	return r, o, attempts, err
}

// capture reads the assistant's id for the conversation from a response,
// when the plan says where it is; it returns the new id, if one came.
func (a *apiConn) capture(r response) (string, bool) {
	x := a.spec.Session.IDFrom
	if x == nil {
		return "", false
	}
	body, err := decodeJSON(r.body)
	if err != nil {
		return "", false
	}
	v, err := expr.Run(x.Program, responseEnv(r)(body))
	if err != nil {
		return "", false
	}
	id, ok := idString(v)
	if !ok || id == a.session {
		return "", false
	}
	a.session = id
	return id, true
}

func withHeader(h map[string]string, name, value string) map[string]string {
	out := make(map[string]string, len(h)+1)
	for k, v := range h {
		out[k] = v
	}
	out[name] = value
	return out
}

// setField sets the field at a dotted path of a JSON object body to value,
// creating the objects on the way.
func setField(body []byte, path, value string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errors.New("callback url_field needs a JSON object body")
	}
	parts := strings.Split(path, ".")
	m := obj
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = value
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return nil, err
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}
