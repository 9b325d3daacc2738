package target

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// Scope is what the target decoders need from the plan around the target
// block.
type Scope struct {
	// Scope evaluates the attributes that are evaluated once per plan.
	decode.Scope
	// Root holds var and the static functions: the parent of a request's
	// per-turn scope.
	Root *hcl.EvalContext
	// Static are the functions a request template may call: those that
	// draw nothing at random.
	Static map[string]bool
	// CheckRef checks a var.* or data.* reference in a request template.
	CheckRef func(hcl.Traversal) hcl.Diagnostics
	// Data are each data block's attribute names, for the load-time probe
	// of a request.
	Data map[string][]string
	// Src is the plan file's bytes, for placing a compile error inside an
	// expr-lang string.
	Src []byte
}

// Decoded is what the block of a target speaking http, webhook or openai
// says beyond its name and protocol.
type Decoded struct {
	Timeout   time.Duration // webhook: the POST itself
	Retries   int
	API       *API       // http, webhook, sse
	OpenAI    *OpenAI    // openai
	WebSocket *WebSocket // websocket
	WhatsApp  *WhatsApp  // whatsapp
}

// probeMessage is the customer's message a request is probed with at load
// time.
const probeMessage = "Olá"

// Decode decodes block b of a target speaking protocol (ProtocolHTTP,
// ProtocolWebhook, ProtocolOpenAI, ProtocolSSE or ProtocolWebSocket).
func Decode(b *hcl.Block, protocol string, s Scope) (Decoded, hcl.Diagnostics) {
	d := &decoder{Scope: s, protocol: protocol}
	var out Decoded
	switch protocol {
	case ProtocolHTTP:
		out = d.decodeAPITarget(b, httpTargetSchema, false)
	case ProtocolWebhook:
		out = d.decodeAPITarget(b, webhookTargetSchema, true)
	case ProtocolOpenAI:
		out = d.decodeOpenAITarget(b)
	case ProtocolSSE:
		out = d.decodeSSETarget(b)
	case ProtocolWebSocket:
		out = d.decodeWebSocketTarget(b)
	case ProtocolWhatsApp:
		out = d.decodeWhatsAppTarget(b)
	}
	return out, d.diags
}

// decoder carries one target block's decoding.
type decoder struct {
	Scope
	protocol string
	diags    hcl.Diagnostics
}

func (d *decoder) add(diags hcl.Diagnostics) {
	d.diags = append(d.diags, diags...)
}

// content decodes b's body against schema and returns its attributes and
// nested blocks.
func (d *decoder) content(b *hcl.Block, schema *hcl.BodySchema) (*decode.Attrs, hcl.Blocks) {
	return decode.Content(b, schema, d.Scope.Scope, &d.diags)
}
