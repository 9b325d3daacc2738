package target

import (
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// WebSocket is a websocket target: a chat widget's WebSocket API. Each
// conversation opens one connection (Connect's url and headers, rendered
// per conversation, the Subprotocol offered), sends Connect's body — the
// hello frame — when it has one, then Send's frame for every customer
// message. Every frame that comes back is read with Frames.
type WebSocket struct {
	// Connect is the connection: url (ws, wss, http or https), headers,
	// and body, the optional first frame (hello). It sees conversation.*,
	// session.id, var.* and data.*; message and turn are "" and 0.
	Connect *Request
	// Send is the frame sent for each customer message.
	Send        *Frame
	Subprotocol string // offered in the handshake; "" offers none
	// Reconnect: a connection that drops is opened again once, and the
	// message whose reply it cut is sent again; without it the
	// conversation fails with connection_lost.
	Reconnect bool
	// PingInterval, when positive, pings the assistant that often while
	// the connection is open (counted with their pongs).
	PingInterval time.Duration
	Frames       *Frames
}

// Frames is the `frames` block of a websocket target: expressions over
// each incoming frame (FrameEnv). Text yields the assistant's text,
// Media its links (a string, a list of strings, or nil), End whether the
// frame ends the reply. Without End the reply is whole after
// reply_settle of quiet, as a reply split over callbacks is. A nil Text or
// Media reads data.text / data.link of a JSON object.
type Frames struct {
	Text  *Extract
	Media *Extract
	End   *Extract
	// Usage, when set, reads the reply's output tokens from the frame
	// that reports them (a number, or nil from the others); a reply with
	// none counts in stream.no_usage.
	Usage *Extract
	// Apart: each frame's text is a message of its own, as the callbacks
	// of a split reply are; false (the default) joins consecutive text
	// frames into one message, as the deltas of a streamed reply.
	Apart bool
}

// FrameEnv is what frames expressions see: one frame from the assistant.
type FrameEnv struct {
	Data   any  `expr:"data"`   // the frame decoded when it is JSON, else its text
	Binary bool `expr:"binary"` // a binary frame (data is then its bytes as a string)
}

// Frame is a frame template: an HCL expression rendered for each turn
// as a request body is (a string as it is, any other value as JSON).
type Frame struct {
	expr hcl.Expression
	ctx  *hcl.EvalContext
}

// Render evaluates the frame for one turn. Safe for concurrent use.
func (f *Frame) Render(v RequestVars) ([]byte, error) {
	ctx := f.ctx.NewChild()
	ctx.Variables = turnVariables(v, dataObject(v.Data), false)
	return evalWith(f.expr, ctx, "send frame", renderBody)
}

const frameHelp = "It is an expr-lang expression over one frame from the assistant: data (the frame decoded when it is JSON, " +
	"else its text) and binary, e.g. data.type == \"delta\" ? data.text : nil."

var (
	frameTextKind  = decode.ExprKind{Summary: "Invalid frames text", What: "text", Help: frameHelp + " It yields a string, a list of strings or nil."}
	frameMediaKind = decode.ExprKind{Summary: "Invalid frames media", What: "media", Help: frameHelp + " It yields a link, a list of links or nil."}
	frameUsageKind = decode.ExprKind{Summary: "Invalid frames usage", What: "usage", Help: frameHelp + " It yields the reply's output tokens from the frame that reports them, nil from the others, e.g. data.type == \"done\" ? data.usage.output_tokens : nil."}
	frameEndKind   = decode.ExprKind{Summary: "Invalid frames end", What: "end", Help: frameHelp + " It yields true for the frame that ends the reply, e.g. data.type == \"done\"."}
)

var (
	websocketTargetSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{
			{Name: "protocol"}, {Name: "url", Required: true}, {Name: "headers"}, {Name: "subprotocol"},
			{Name: "hello"}, {Name: "send", Required: true}, {Name: "reconnect"}, {Name: "ping_interval"},
		},
		Blocks: []hcl.BlockHeaderSchema{{Type: "frames"}},
	}
	framesSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "text"}, {Name: "media"}, {Name: "end"}, {Name: "usage"}, {Name: "apart"}},
	}
)

// connectRoots are the names a connection's url, headers and hello see
// besides var and data: no message or turn, it is opened per
// conversation.
var connectRoots = []string{"conversation", "session"}

// decodeWebSocketTarget decodes a websocket target.
func (d *decoder) decodeWebSocketTarget(b *hcl.Block) Decoded {
	a, nested := d.content(b, websocketTargetSchema)
	blocks := nested.ByType()
	w := &WebSocket{Frames: d.decodeFrames(d.nestedBlock(b, blocks, "frames", false))}
	out := Decoded{WebSocket: w}
	if a.Str("subprotocol", &w.Subprotocol) {
		a.Invalid("subprotocol", validHeaderName(w.Subprotocol), "Invalid subprotocol", fmt.Sprintf(
			"%q is not a WebSocket subprotocol name: use letters, digits, . and - (e.g. \"chat.v1\").", w.Subprotocol))
	}
	a.Bool("reconnect", &w.Reconnect)
	if a.Duration("ping_interval", &w.PingInterval) {
		a.Require("ping_interval", w.PingInterval >= 0, `a duration, e.g. "20s" ("0s": no pings)`)
	}
	c := &Request{Method: "GET", Range: b.DefRange, ctx: d.Root, ws: true}
	d.requestExprs(a, c, []requestExpr{{"url", &c.url}, {"headers", &c.headers}, {"hello", &c.body}}, connectRoots, nil)
	if c.url != nil {
		w.Connect = c
	}
	send := &Request{ctx: d.Root}
	var expr hcl.Expression
	d.requestExprs(a, send, []requestExpr{{"send", &expr}}, requestRoots(false), nil)
	if expr != nil {
		w.Send = &Frame{expr: expr, ctx: d.Root}
	}
	d.checkConversationSent(a, w)
	return out
}

// checkConversationSent warns when nothing the connection sends tells the
// assistant which conversation it is, so a reconnect starts afresh.
func (d *decoder) checkConversationSent(a *decode.Attrs, w *WebSocket) {
	if w.Connect == nil || w.Connect.broken || w.Send == nil {
		return
	}
	sends := w.Connect.refers("conversation") || w.Connect.refers("session")
	for _, t := range w.Send.expr.Variables() {
		sends = sends || slices.Contains(connectRoots, t.RootName())
	}
	if !sends && w.Reconnect {
		a.Add(&hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Conversation id not sent",
			Detail: "reconnect = true opens a new connection when one drops, but neither url, headers, hello nor send uses " +
				"conversation.id, so the assistant cannot know the new connection continues the conversation. Send it, " +
				"e.g. hello = jsonencode({ type = \"hello\", conversation_id = conversation.id }).",
			Subject: w.Connect.Range.Ptr(),
		})
	}
}

// decodeFrames decodes a websocket target's optional frames block.
func (d *decoder) decodeFrames(b *hcl.Block) *Frames {
	if b == nil {
		return &Frames{}
	}
	a, _ := d.content(b, framesSchema)
	f := &Frames{
		Text:  d.extract(a, "text", FrameEnv{}, frameTextKind),
		Media: d.extract(a, "media", FrameEnv{}, frameMediaKind),
		End:   d.extract(a, "end", FrameEnv{}, frameEndKind),
		Usage: d.extract(a, "usage", FrameEnv{}, frameUsageKind),
	}
	a.Bool("apart", &f.Apart)
	return f
}

// what names the block a request's attributes are in, for diagnostics.
func (d *decoder) what() string {
	if d.protocol == ProtocolWebSocket {
		return "target"
	}
	return "request"
}
