package target

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// Target protocols: how voyplan talks to the assistant under test. The
// target's `protocol` attribute picks one; a plan that does not say speaks
// voyager, Voyager's widget API, as every plan did before protocols existed.
const (
	ProtocolVoyager = "voyager" // POST the message with a webhook URL; the reply is a callback (VOYAGER.md §1)
	ProtocolHTTP    = "http"    // POST a JSON request; the reply is the response
	ProtocolWebhook = "webhook" // POST a JSON request carrying a callback URL; the reply is a callback
	ProtocolOpenAI  = "openai"  // POST {url}/v1/chat/completions with the history; the reply is the assistant message
	ProtocolSSE     = "sse"     // POST a request as http does; the reply is a text/event-stream
	// ProtocolWebSocket: a connection per conversation; a frame per
	// message, the reply the frames that come back.
	ProtocolWebSocket = "websocket"
)

// SimulatorServes reports whether the built-in simulator speaks protocol
// (a plan with a simulator block targets it): voyager, openai, sse and
// websocket. The url of an openai, sse or websocket target is then only a
// path: the engine connects to the simulator's address.
func SimulatorServes(protocol string) bool {
	return protocol == ProtocolVoyager || protocol == ProtocolOpenAI || protocol == ProtocolSSE || protocol == ProtocolWebSocket ||
		protocol == ProtocolWhatsApp
}

// Protocols are the protocols a target may name.
var Protocols = []string{ProtocolVoyager, ProtocolHTTP, ProtocolWebhook, ProtocolOpenAI, ProtocolSSE, ProtocolWebSocket, ProtocolWhatsApp}

// Session modes: how an http or webhook assistant tells conversations apart.
const (
	SessionBody   = "body"   // the request template carries conversation.id (or session.id)
	SessionHeader = "header" // voyplan sends session.id in a header
	SessionCookie = "cookie" // voyplan keeps a cookie jar per conversation
)

var sessionModes = []string{SessionBody, SessionHeader, SessionCookie}

const (
	// DefaultTimeout bounds the POST of a voyager or webhook target.
	DefaultTimeout = 30 * time.Second
	// maxRetries bounds retries.
	maxRetries = 10

	defaultSessionHeader = "X-Conversation-Id"
	defaultMethod        = "POST"
	matchPath            = "path"
)

// API is an http or webhook target: the request sent each turn, and how the
// reply is read.
type API struct {
	Request *Request
	// Response reads an http target's reply from the response; the zero
	// Reading reads it as a Voyager callback payload would be read.
	Response Reading
	Session  Session
	Callback *Callback // webhook targets only
	// Faults are a webhook target's channel_faults: re-delivery (the same
	// Idempotency-Key), delay and reorder of its messages.
	Faults ChannelFaults
	// Events reads an sse target's event stream (sse targets only).
	Events *Events
}

// Events is the `events` block of an sse target: expressions over each
// event (EventEnv). Text yields the text the event carries, Media its
// links (a string, a list of strings, or nil), End whether it ends the
// reply. Without End the reply ends when the stream does, or when no event
// came for reply_settle after the last content. A nil Text or Media reads
// data.text / data.link of a JSON object, or the whole data when it is
// not JSON; a nil End is an event named "done" or data [DONE].
type Events struct {
	Text  *Extract
	Media *Extract
	End   *Extract
	// Usage, when set, reads the reply's output tokens from the event
	// that reports them (a number, or nil from the others): the last one
	// read is the reply's usage; a reply with none counts in
	// stream.no_usage.
	Usage *Extract
}

// EventEnv is what events expressions see: one event of the stream.
type EventEnv struct {
	Event string `expr:"event"` // the event field; "message" when it names none
	Data  any    `expr:"data"`  // the data, decoded when it is JSON, else the string
	ID    string `expr:"id"`
}

// Session is the `session` block of an http or webhook target.
type Session struct {
	Mode   string // SessionBody (default), SessionHeader or SessionCookie
	Header string // the header that carries session.id in SessionHeader mode
	// IDFrom, when set, reads an id the assistant assigns to the conversation
	// from its first response that has one (over ResponseEnv); templates then
	// see it as session.id, which is conversation.id until then.
	IDFrom *Extract
}

// Callback is the `callback` block of a webhook target: where the callback
// URL goes in the request and how a callback is matched to its
// conversation and read.
type Callback struct {
	// URLField, when set, is the dotted path of a field of the JSON request
	// body that voyplan sets to the callback URL ("reply_to",
	// "webhook.url"). Templates can also use callback.url themselves.
	URLField string
	// Match is nil when a callback is matched by its path (a URL per turn);
	// otherwise it reads, over CallbackEnv, the conversation id
	// (conversation.id or session.id) a callback to the shared URL is for.
	Match *Extract
	// Turn, with Match, reads the number of the turn a callback answers,
	// when the assistant echoes it; nil: the turn in flight.
	Turn *Extract
	// Reading reads a callback's items; the zero Reading takes the Voyager
	// payload shapes (messages, text, content, message).
	Reading Reading
	// TraceParent puts the turn's W3C traceparent (and tracestate) in the
	// callback URL's query when the run is traced, so an assistant that
	// calls back from elsewhere (a queue, a worker) can put the spans of
	// its reply under the turn.
	TraceParent bool
}

// OpenAI is an openai target: an OpenAI-compatible chat completions
// endpoint.
type OpenAI struct {
	Endpoint string // the full URL, ending in /chat/completions
	Model    string
	System   string // optional system message, sent first every turn
	// APIKey is sent as "Authorization: Bearer <key>". Secret: never
	// printed, never written to results.
	APIKey string
	// Headers are extra request headers. Their values are secret.
	Headers map[string]string
	// Stream asks for the reply as Server-Sent Events ("stream": true,
	// with the usage in a last chunk), timed chunk by chunk: first_token,
	// stall, stream.*.
	Stream bool
}

// Schemas of the non-voyager targets and their blocks.
var (
	httpTargetSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "protocol"}, {Name: "retries"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "request"}, {Type: "response"}, {Type: "session"}},
	}
	webhookTargetSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "protocol"}, {Name: "timeout"}, {Name: "retries"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "request"}, {Type: "callback"}, {Type: "session"}, {Type: "channel_faults"}},
	}
	sseTargetSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "protocol"}, {Name: "retries"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "request"}, {Type: "events"}, {Type: "session"}},
	}
	eventsSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "text"}, {Name: "media"}, {Name: "end"}, {Name: "usage"}},
	}
	openaiTargetSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "protocol"}, {Name: "url", Required: true}, {Name: "model", Required: true},
			{Name: "system"}, {Name: "api_key"}, {Name: "headers"}, {Name: "retries"}, {Name: "stream"},
		},
	}
	requestSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "method"}, {Name: "url", Required: true}, {Name: "headers"}, {Name: "body"}},
	}
	responseSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "text"}, {Name: "media"}},
	}
	sessionSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "mode"}, {Name: "header"}, {Name: "id_from"}},
	}
	callbackSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "url_field"}, {Name: "match"}, {Name: "turn"}, {Name: "text"}, {Name: "media"}, {Name: "traceparent"}},
	}
)

// decodeAPITarget decodes an http (async false) or webhook (async true)
// target.
func (d *decoder) decodeAPITarget(b *hcl.Block, schema *hcl.BodySchema, async bool) Decoded {
	a, nested := d.content(b, schema)
	blocks := nested.ByType()
	var out Decoded
	Retries(a, &out.Retries)
	if async {
		out.Timeout = DefaultTimeout
		a.Duration("timeout", &out.Timeout)
		a.Require("timeout", out.Timeout > 0, `a positive duration, e.g. "30s"`)
	}
	api := &API{}
	out.API = api
	api.Session = d.decodeSession(d.nestedBlock(b, blocks, "session", false))
	reqBlock := d.nestedBlock(b, blocks, "request", true)
	if async {
		api.Callback = d.decodeCallback(d.nestedBlock(b, blocks, "callback", false))
		api.Faults = d.decodeChannelFaults(d.nestedBlock(b, blocks, "channel_faults", false))
	} else {
		api.Response = d.decodeResponse(d.nestedBlock(b, blocks, "response", false))
	}
	if reqBlock != nil {
		api.Request = d.decodeRequest(reqBlock, async, api.Callback)
		d.checkRequestRefs(api)
	}
	return out
}

// decodeSSETarget decodes an sse target: a request as an http target's,
// and an events block.
func (d *decoder) decodeSSETarget(b *hcl.Block) Decoded {
	a, nested := d.content(b, sseTargetSchema)
	blocks := nested.ByType()
	var out Decoded
	Retries(a, &out.Retries)
	api := &API{}
	out.API = api
	api.Session = d.decodeSession(d.nestedBlock(b, blocks, "session", false))
	api.Events = d.decodeEvents(d.nestedBlock(b, blocks, "events", false))
	if reqBlock := d.nestedBlock(b, blocks, "request", true); reqBlock != nil {
		api.Request = d.decodeRequest(reqBlock, false, nil)
		d.checkRequestRefs(api)
	}
	return out
}

// decodeEvents decodes an sse target's optional events block.
func (d *decoder) decodeEvents(b *hcl.Block) *Events {
	if b == nil {
		return &Events{}
	}
	a, _ := d.content(b, eventsSchema)
	return &Events{
		Text:  d.extract(a, "text", EventEnv{}, eventTextKind),
		Media: d.extract(a, "media", EventEnv{}, eventMediaKind),
		End:   d.extract(a, "end", EventEnv{}, eventEndKind),
		Usage: d.extract(a, "usage", EventEnv{}, eventUsageKind),
	}
}

// nestedBlock returns the only block of a type inside a target, reporting
// duplicates and a missing required one.
func (d *decoder) nestedBlock(parent *hcl.Block, blocks map[string]hcl.Blocks, typ string, required bool) *hcl.Block {
	list := blocks[typ]
	if len(list) == 0 {
		if required {
			d.add(hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Missing %s block", typ),
				Detail: fmt.Sprintf("A %s target needs a %s block, for example:\n\n%s", d.protocol, typ,
					nestedExamples[typ]),
				Subject: parent.DefRange.Ptr(),
			}})
		}
		return nil
	}
	d.add(decode.DuplicateBlocks("target", typ, list))
	return list[0]
}

var nestedExamples = map[string]string{
	"request": "request {\n  url  = \"https://assistant.example.com/chat\"\n" +
		"  body = jsonencode({ conversation_id = conversation.id, text = message })\n}",
}

// decodeSession decodes the optional session block.
func (d *decoder) decodeSession(b *hcl.Block) Session {
	s := Session{Mode: SessionBody, Header: defaultSessionHeader}
	if b == nil {
		return s
	}
	a, _ := d.content(b, sessionSchema)
	if a.Str("mode", &s.Mode) && !slices.Contains(sessionModes, s.Mode) {
		a.Invalid("mode", false, "Unsupported session mode", fmt.Sprintf(
			"%q is not a session mode.%s Use \"body\" (the request template carries conversation.id), \"header\" "+
				"(voyplan sends session.id in the header named by header) or \"cookie\" (a cookie jar per conversation).",
			s.Mode, decode.DidYouMean(s.Mode, sessionModes)))
	}
	if a.Str("header", &s.Header) {
		a.Invalid("header", validHeaderName(s.Header), "Invalid header name", fmt.Sprintf(
			"%q is not an HTTP header name: use letters, digits and - (e.g. \"X-Conversation-Id\").", s.Header))
		a.Invalid("header", s.Mode == SessionHeader, "Header without header mode",
			`header names the header that carries session.id, which voyplan sends only with mode = "header". Set mode = "header" or remove header.`)
	}
	s.IDFrom = d.extract(a, "id_from", ResponseEnv{}, idFromKind)
	return s
}

// decodeResponse decodes an http target's optional response block.
func (d *decoder) decodeResponse(b *hcl.Block) Reading {
	if b == nil {
		return Reading{}
	}
	a, _ := d.content(b, responseSchema)
	return Reading{
		Text:  d.extract(a, "text", ResponseEnv{}, responseTextKind),
		Media: d.extract(a, "media", ResponseEnv{}, responseMediaKind),
	}
}

// decodeCallback decodes a webhook target's optional callback block.
func (d *decoder) decodeCallback(b *hcl.Block) *Callback {
	cb := &Callback{}
	if b == nil {
		return cb
	}
	a, _ := d.content(b, callbackSchema)
	if a.Str("url_field", &cb.URLField) {
		a.Invalid("url_field", validFieldPath(cb.URLField), "Invalid url_field", fmt.Sprintf(
			"url_field is the dotted path of a field of the JSON request body, such as \"reply_to\" or \"webhook.url\"; got %q.",
			cb.URLField))
	}
	var match string
	if attr, ok := a.Attributes["match"]; ok && a.Str("match", &match) && match != matchPath {
		cb.Match = d.compileExtract(attr, match, CallbackEnv{}, matchKind)
	}
	_, byBody := a.Attributes["match"]
	byBody = byBody && match != matchPath
	a.Invalid("turn", byBody, "Invalid callback turn",
		"turn reads the turn a callback answers when callbacks are matched by their body (match = an expression); matched by path, a callback's URL already names its turn.")
	if byBody {
		cb.Turn = d.extract(a, "turn", CallbackEnv{}, turnKind)
	}
	a.Bool("traceparent", &cb.TraceParent)
	cb.Reading = Reading{
		Text:  d.extract(a, "text", CallbackEnv{}, callbackTextKind),
		Media: d.extract(a, "media", CallbackEnv{}, callbackMediaKind),
	}
	return cb
}

// decodeOpenAITarget decodes an openai target.
func (d *decoder) decodeOpenAITarget(b *hcl.Block) Decoded {
	a, _ := d.content(b, openaiTargetSchema)
	o := &OpenAI{}
	out := Decoded{OpenAI: o}
	var base string
	if a.Str("url", &base) {
		a.HTTPURL("url", base)
		o.Endpoint = chatCompletionsURL(base)
	}
	a.Str("model", &o.Model)
	a.Invalid("model", o.Model != "", "Invalid model", `model must name the model the endpoint serves, e.g. "assistant-v2".`)
	a.Str("system", &o.System)
	a.Str("api_key", &o.APIKey)
	o.Headers = headers(a, "headers")
	a.Bool("stream", &o.Stream)
	Retries(a, &out.Retries)
	return out
}

// Retries reads a target's retries: how often a send that failed with HTTP
// 5xx or a broken connection is tried again, whatever the protocol.
func Retries(a *decode.Attrs, n *int) {
	a.Integer("retries", n)
	a.Require("retries", *n >= 0 && *n <= maxRetries,
		"a whole number from 0 (no retry) to 10: how often a send that failed with HTTP 5xx or a broken connection is tried again")
}

// chatCompletionsURL is the chat completions endpoint under base: base
// itself when it already ends in /chat/completions, base + /chat/completions
// when it ends in /v1 (the OpenAI SDKs' habit), else base +
// /v1/chat/completions.
func chatCompletionsURL(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	path := strings.TrimRight(u.Path, "/")
	switch {
	case strings.HasSuffix(path, "/chat/completions"):
	case strings.HasSuffix(path, "/v1"):
		path += "/chat/completions"
	default:
		path += "/v1/chat/completions"
	}
	u.Path = path
	return u.String()
}

// headers decodes a static map of header names to values.
func headers(a *decode.Attrs, name string) map[string]string {
	v, ok := a.Value(name, cty.Map(cty.String), "an object of header names to strings, e.g. { Authorization = \"Bearer ...\" }")
	if !ok {
		return nil
	}
	out := make(map[string]string, v.LengthInt())
	for k, val := range v.AsValueMap() {
		if !validHeaderName(k) {
			a.Invalid(name, false, "Invalid header name", fmt.Sprintf(
				"%q is not an HTTP header name: use letters, digits and - (e.g. \"X-Api-Key\").", k))
			continue
		}
		if !val.IsNull() {
			out[k] = val.AsString()
		}
	}
	return out
}

// validHeaderName reports whether s is an HTTP header field name (an RFC
// 9110 token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}

// validFieldPath reports whether s is a dotted path of non-empty names.
func validFieldPath(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
	}
	return true
}
