package protocol

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/target"
	"github.com/voyplan/voyplan/engine/protocol/widget"
	"github.com/voyplan/voyplan/engine/webhook"
)

// widgetPayloads reads callbacks in the widget API's payload shapes.
var widgetPayloads = webhook.ParserFunc(widget.ParsePayload)

// NeedsReceiver reports whether p's target replies through callbacks, so
// the run must start the webhook receiver (voyager and webhook targets).
func NeedsReceiver(p *plan.Plan) bool { return callbacks(p.Target) }

func callbacks(t plan.Target) bool {
	switch t.ProtocolName() {
	case target.ProtocolVoyager, target.ProtocolWebhook, target.ProtocolWhatsApp:
		return true
	}
	return false
}

// FromPlan builds the protocol p's target speaks. rcv is the running
// webhook receiver (nil unless NeedsReceiver); client carries the
// connection pool every request goes through. A voyager target is sent to
// p.Target.URL, so a run that starts the simulator passes a plan whose
// target URL is the simulator's. A webhook target whose callbacks need
// reading or routing installs itself as rcv's Decoder.
func FromPlan(p *plan.Plan, rcv *webhook.Receiver, client *http.Client) (Protocol, error) {
	proto, err := FromTarget(p.Target, p.Conversation, rcv, client)
	if s, ok := proto.(Seeded); ok {
		s.SetSeed(p.Seed)
	}
	return proto, err
}

// FromTarget is FromPlan for a target and conversation settings given
// apart, e.g. a target whose URL was pointed at the simulator. An openai,
// sse or websocket target with a URL (the simulator's, set by the rig)
// sends its requests (opens its connections) to that URL's host.
func FromTarget(t plan.Target, conv plan.Conversation, rcv *webhook.Receiver, client *http.Client) (Protocol, error) {
	if callbacks(t) && rcv == nil {
		return nil, fmt.Errorf("protocol %s needs the webhook receiver", t.ProtocolName())
	}
	wait := ReplyWaitOf(conv)
	switch t.ProtocolName() {
	case target.ProtocolVoyager:
		rcv.SetParser(widgetPayloads)
		return &Voyager{
			Client:   &widget.Voyager{URL: t.URL, ChannelID: t.ChannelID, Client: client, Retries: t.Retries},
			Receiver: rcv,
			Wait:     wait,
		}, nil
	case target.ProtocolHTTP:
		if t.API == nil || t.API.Request == nil {
			return nil, errors.New("http target without a request (the plan was not loaded by plan.Load)")
		}
		return &HTTP{API: t.API, Client: client, Wait: wait, Retry: Retrying{Retries: t.Retries}}, nil
	case target.ProtocolWebhook:
		if t.API == nil || t.API.Request == nil || t.API.Callback == nil {
			return nil, errors.New("webhook target without a request (the plan was not loaded by plan.Load)")
		}
		w := &Webhook{API: t.API, Client: client, Receiver: rcv, Wait: wait, Retry: Retrying{Retries: t.Retries}}
		if !t.API.Callback.Reading.IsZero() || w.byBody() {
			rcv.SetDecoder(w)
		} else {
			rcv.SetParser(widgetPayloads) // a callback block that reads nothing: the widget API's payloads
		}
		return w, nil
	case target.ProtocolOpenAI:
		if t.OpenAI == nil {
			return nil, errors.New("openai target without a model (the plan was not loaded by plan.Load)")
		}
		spec := t.OpenAI
		if t.URL != "" { // the simulator's: the endpoint's path on its address
			s := *spec
			s.Endpoint = onOrigin(s.Endpoint, t.URL)
			spec = &s
		}
		return &OpenAI{Spec: spec, Client: client, Wait: wait, Retry: Retrying{Retries: t.Retries}}, nil
	case target.ProtocolSSE:
		if t.API == nil || t.API.Request == nil || t.API.Events == nil {
			return nil, errors.New("sse target without a request (the plan was not loaded by plan.Load)")
		}
		return &SSE{API: t.API, Client: client, Wait: wait, Retry: Retrying{Retries: t.Retries}, Origin: t.URL}, nil
	case target.ProtocolWebSocket:
		if t.WebSocket == nil || t.WebSocket.Connect == nil || t.WebSocket.Send == nil {
			return nil, errors.New("websocket target without a url or send (the plan was not loaded by plan.Load)")
		}
		return &WebSocket{Spec: t.WebSocket, Client: client, Wait: wait, Origin: t.URL}, nil
	case target.ProtocolWhatsApp:
		if t.WhatsApp == nil {
			return nil, errors.New("whatsapp target without its settings (the plan was not loaded by plan.Load)")
		}
		bot := t.WhatsApp.BotURL
		if t.URL != "" { // the simulator's bot
			bot = t.URL
		}
		return NewWhatsApp(t.WhatsApp, bot, wait, rcv, client, t.Retries), nil
	}
	return nil, fmt.Errorf("unknown target protocol %q", t.ProtocolName())
}
