package target

import (
	"github.com/expr-lang/expr/vm"
	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// Extract is an expr-lang program that reads a value out of an assistant's
// response or callback, compiled at load time. Its environment is
// ResponseEnv or CallbackEnv.
type Extract struct {
	Source  string
	Program *vm.Program
	Range   hcl.Range
}

// Reading says how an assistant's reply items are read from a decoded JSON
// body: Text yields the text items, Media the media links, each a string, a
// list of strings, or nil. When both are nil the body is read as a Voyager
// callback payload ({"messages": [...]}, or a top-level text, content or
// message).
type Reading struct {
	Text  *Extract
	Media *Extract
}

// IsZero reports whether the reading is the default one.
func (r Reading) IsZero() bool { return r.Text == nil && r.Media == nil }

// ResponseEnv is what response and session.id_from expressions see.
type ResponseEnv struct {
	Body    any               `expr:"body"`    // the decoded JSON response; nil when it is empty
	Status  int               `expr:"status"`  // the HTTP status
	Headers map[string]string `expr:"headers"` // response headers, lower-case names
}

// CallbackEnv is what callback expressions (match, text, media) see.
type CallbackEnv struct {
	Body any `expr:"body"` // the decoded JSON callback
}

const (
	responseHelp = "It is an expr-lang expression over the decoded JSON response: body (the JSON), status and headers " +
		"(lower-case names), e.g. body.messages[0].text or map(body.messages, .text)."
	callbackHelp = "It is an expr-lang expression over the decoded JSON callback, body, " +
		"e.g. body.reply.text or map(body.parts, .content)."
)

const eventHelp = "It is an expr-lang expression over one event of the stream: event (its name, \"message\" when it has none), " +
	"data (decoded when it is JSON, else the string) and id, e.g. event == \"delta\" ? data.text : nil."

var (
	eventTextKind  = decode.ExprKind{Summary: "Invalid events text", What: "text", Help: eventHelp + " It yields a string, a list of strings or nil."}
	eventMediaKind = decode.ExprKind{Summary: "Invalid events media", What: "media", Help: eventHelp + " It yields a link, a list of links or nil."}
	eventUsageKind = decode.ExprKind{Summary: "Invalid events usage", What: "usage", Help: eventHelp + " It yields the reply's output tokens from the event that reports them, nil from the others, e.g. event == \"done\" ? data.usage.output_tokens : nil."}
	eventEndKind   = decode.ExprKind{Summary: "Invalid events end", What: "end", Help: eventHelp + " It yields true for the event that ends the reply, e.g. event == \"done\"."}

	responseTextKind  = decode.ExprKind{Summary: "Invalid response text", What: "text", Help: responseHelp + " It yields a string or a list of strings."}
	responseMediaKind = decode.ExprKind{Summary: "Invalid response media", What: "media", Help: responseHelp + " It yields a link or a list of links."}
	idFromKind        = decode.ExprKind{Summary: "Invalid session id_from", What: "id_from", Help: responseHelp + " It yields the conversation id the assistant assigned, e.g. body.conversation_id."}
	callbackTextKind  = decode.ExprKind{Summary: "Invalid callback text", What: "text", Help: callbackHelp + " It yields a string or a list of strings."}
	callbackMediaKind = decode.ExprKind{Summary: "Invalid callback media", What: "media", Help: callbackHelp + " It yields a link or a list of links."}
	turnKind          = decode.ExprKind{Summary: "Invalid callback turn", What: "turn", Help: callbackHelp + " With match, it yields the number of the turn a callback answers, echoed by the assistant from the request (e.g. a request body field turn = turn, read back as body.turn), so a late reply is filed under its own turn instead of the turn in flight."}
	matchKind         = decode.ExprKind{Summary: "Invalid callback match", What: "match", Help: "match is \"path\" (a callback URL per turn) or an expr-lang expression over the decoded JSON callback that yields the conversation id it is for, e.g. body.conversation_id; it sees body, the decoded JSON."}
)

// extract compiles attribute name of a, when present, against env.
func (d *decoder) extract(a *decode.Attrs, name string, env any, kind decode.ExprKind) *Extract {
	attr, ok := a.Attributes[name]
	if !ok {
		return nil
	}
	var src string
	if !a.Str(name, &src) {
		return nil
	}
	return d.compileExtract(attr, src, env, kind)
}

// compileExtract compiles src, the value of attr, as an expr-lang program
// over env of any result type. A compile error is reported at its position
// inside the string when the string is written literally, as compile does.
func (d *decoder) compileExtract(attr *hcl.Attribute, src string, env any, kind decode.ExprKind) *Extract {
	rng := attr.Expr.Range()
	prog, diag := decode.Compile(d.Src, attr, rng, src, env, kind)
	if diag != nil {
		d.add(hcl.Diagnostics{diag})
		return nil
	}
	return &Extract{Source: src, Program: prog, Range: rng}
}
