// How `voyplan plan` describes a target that does not speak the widget
// API (protocol http, webhook, openai, sse or whatsapp).

package main

import (
	"fmt"
	"net/url"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/target"
)

// describeProtocol says, for `voyplan plan`, how a target that does not
// speak the widget API is reached. It never shows header values or keys.
func describeProtocol(t plan.Target) string {
	switch t.ProtocolName() {
	case target.ProtocolHTTP:
		return fmt.Sprintf("http %s %s, reply in the response (session: %s)",
			t.API.Request.Method, urlOrTurn(t.API.Request), t.API.Session.Mode)
	case target.ProtocolWebhook:
		match := "its path (a URL per turn)"
		if m := t.API.Callback.Match; m != nil {
			match = m.Source
		}
		return fmt.Sprintf("webhook %s %s, reply on a callback matched by %s",
			t.API.Request.Method, urlOrTurn(t.API.Request), match)
	case target.ProtocolOpenAI:
		if t.OpenAI.Stream {
			return fmt.Sprintf("openai %s (model %s), streamed", t.OpenAI.Endpoint, t.OpenAI.Model)
		}
		return fmt.Sprintf("openai %s (model %s)", t.OpenAI.Endpoint, t.OpenAI.Model)
	case target.ProtocolSSE:
		end := "the end of the stream, or reply_settle of quiet"
		if x := t.API.Events.End; x != nil {
			end = x.Source
		}
		return fmt.Sprintf("sse %s %s, reply as an event stream ending on %s", t.API.Request.Method, urlOrTurn(t.API.Request), end)
	case target.ProtocolWebSocket:
		w := t.WebSocket
		end := "reply_settle of quiet"
		if x := w.Frames.End; x != nil {
			end = x.Source
		}
		re := ""
		if w.Reconnect {
			re = ", reconnecting once when it drops"
		}
		return fmt.Sprintf("websocket %s, a connection per conversation%s, reply as frames ending on %s", urlOrTurn(w.Connect), re, end)
	case target.ProtocolWhatsApp:
		bot := t.WhatsApp.BotURL
		if bot == "" {
			bot = "the simulator's bot"
		}
		handshake := ""
		if t.WhatsApp.VerifyToken != "" {
			handshake = ", the hub.challenge handshake first"
		}
		return fmt.Sprintf("whatsapp: signed deliveries to %s%s, replies through the Graph API stand-in for phone number id %s",
			redactedURL(bot), handshake, t.WhatsApp.PhoneNumberID)
	}
	return t.ProtocolName()
}

// redactedURL drops a URL's user info and query, where secrets live.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

func urlOrTurn(r *target.Request) string {
	if u := r.StaticURL(); u != "" {
		return u
	}
	return "(a URL per turn)"
}
