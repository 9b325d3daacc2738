package plan

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/target"
)

// The target block: a voyager target is decoded here; the others, whose
// protocol says how to reach them, by package target.

func (l *loader) decodeTarget(b *hcl.Block) {
	t := &l.plan.Target
	t.ChannelID, t.ClientDomain, t.Timeout = defaultChannelID, defaultClientDomain, defaultTargetTimeout
	if b == nil {
		return
	}
	t.Name = b.Labels[0]
	if l.decodeProtocolTarget(b) { // http, webhook, openai
		return
	}
	a := l.content(b, targetSchema)
	if a.Str("url", &t.URL) {
		a.HTTPURL("url", t.URL)
	}
	a.Str("channel_id", &t.ChannelID)
	a.Str("client_domain", &t.ClientDomain)
	a.Duration("timeout", &t.Timeout)
	a.Require("timeout", t.Timeout > 0, `a positive duration, e.g. "30s"`)
	target.Retries(a, &t.Retries)
	l.checkTargetURL(a, b)
}

// checkTargetURL requires url unless the plan starts the simulator, which
// the engine then targets.
func (l *loader) checkTargetURL(a *decode.Attrs, b *hcl.Block) {
	_, hasURL := a.Attributes["url"]
	switch {
	case !hasURL && l.plan.Simulator == nil:
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Missing required argument",
			Detail: "The argument \"url\" is required, the assistant's widget endpoint, e.g. " +
				"url = \"https://voyager.g121.io/v1/webhooks/widget\". Or add a simulator {} block to target the built-in simulator.",
			Subject: b.DefRange.Ptr(),
		}})
	case hasURL && l.plan.Simulator != nil:
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Target url ignored",
			Detail:   "The plan starts the built-in simulator, so the target is the simulator and this url is not used. Remove the url or the simulator block.",
			Subject:  a.Attributes["url"].Expr.Range().Ptr(),
		}})
	}
}

// ProtocolName is the target's protocol; "voyager" when the plan does not
// name one.
func (t Target) ProtocolName() string {
	if t.Protocol == "" {
		return target.ProtocolVoyager
	}
	return t.Protocol
}

// decodeProtocolTarget reads the target's protocol and, for any protocol
// but voyager, decodes the whole target block. It reports whether it did:
// false leaves a voyager target to decodeTarget.
func (l *loader) decodeProtocolTarget(b *hcl.Block) bool {
	name, attr, ok := l.targetProtocol(b)
	if !ok {
		return true
	}
	t := &l.plan.Target
	t.Protocol = name
	if name == "" || name == target.ProtocolVoyager {
		return false
	}
	t.ChannelID, t.ClientDomain = "", ""
	d, diags := target.Decode(b, name, l.targetScope())
	l.add(diags)
	t.Timeout, t.Retries, t.API, t.OpenAI, t.WebSocket, t.WhatsApp = d.Timeout, d.Retries, d.API, d.OpenAI, d.WebSocket, d.WhatsApp
	if d.WhatsApp != nil {
		l.checkBotURL(b, d.WhatsApp)
	}
	if l.plan.Simulator != nil && !target.SimulatorServes(name) {
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Simulator needs the voyager protocol",
			Detail: fmt.Sprintf("The built-in simulator speaks Voyager's widget API, an OpenAI-compatible chat completions "+
				"endpoint, a plain SSE endpoint, a WebSocket chat and WhatsApp's Cloud API (as a bot), so a plan with a simulator "+
				"block targets it with protocol \"voyager\", \"openai\", \"sse\", \"websocket\" or \"whatsapp\". Remove the "+
				"simulator block to test a %s assistant, or change protocol.", name),
			Subject: attr.Expr.Range().Ptr(),
		}})
	}
	return true
}

// checkBotURL requires a whatsapp target's bot_url unless the plan starts
// the simulator, whose bot mode the engine then targets.
func (l *loader) checkBotURL(b *hcl.Block, w *target.WhatsApp) {
	switch {
	case w.BotURL == "" && l.plan.Simulator == nil:
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Missing bot_url",
			Detail: "A whatsapp target needs bot_url, where Meta would deliver the bot's events, e.g. " +
				"bot_url = \"https://bot.example.com/whatsapp/webhook\". Or add a simulator {} block to target the built-in simulator's bot.",
			Subject: b.DefRange.Ptr(),
		}})
	case w.BotURL != "" && l.plan.Simulator != nil:
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Target bot_url ignored",
			Detail:   "The plan starts the built-in simulator, so the bot is the simulator's and this bot_url is not used.",
			Subject:  b.DefRange.Ptr(),
		}})
	}
	l.plan.secrets = l.plan.secrets.with(w.AppSecret, w.AccessToken, w.VerifyToken)
}

// targetProtocol evaluates the target's protocol attribute: "" when it is
// absent; ok false when it is wrong (reported).
func (l *loader) targetProtocol(b *hcl.Block) (string, *hcl.Attribute, bool) {
	c, _, diags := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "protocol"}}})
	l.add(diags)
	attr, present := c.Attributes["protocol"]
	if !present {
		return "", nil, true
	}
	a := decode.New(c.Attributes, l.scope(), &l.diags)
	var name string
	if !a.Str("protocol", &name) {
		return "", nil, false
	}
	for _, p := range target.Protocols {
		if name == p {
			return name, attr, true
		}
	}
	l.add(hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unsupported protocol",
		Detail: fmt.Sprintf("%q is not a target protocol.%s It must be \"voyager\" (the default: Voyager's widget API), "+
			"\"http\", \"webhook\", \"openai\", \"sse\", \"websocket\" or \"whatsapp\".", name, decode.DidYouMean(name, target.Protocols)),
		Subject: attr.Expr.Range().Ptr(),
	}})
	return "", nil, false
}

// targetScope is what package target needs from the plan: the contexts, the
// checks of var.* and data.*, the data blocks' shape and the file's bytes.
func (l *loader) targetScope() target.Scope {
	static := make(map[string]bool, len(l.funcsCtx.Functions))
	for name := range l.funcsCtx.Functions {
		static[name] = true
	}
	data := make(map[string][]string, len(l.data))
	for _, d := range l.data {
		data[d.name] = d.names()
	}
	return target.Scope{
		Scope:  l.scope(),
		Root:   l.rootCtx,
		Static: static,
		CheckRef: func(t hcl.Traversal) hcl.Diagnostics {
			if t.RootName() == "var" {
				return l.checkVarRef(t)
			}
			return l.checkDataRef(t, len(l.data))
		},
		Data: data,
		Src:  l.src,
	}
}
