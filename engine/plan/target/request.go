package target

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// Request is the request an http or webhook target sends for every
// customer message. Its url, headers and body are HCL expressions kept from
// the plan and evaluated afresh for each turn by Render, in a scope that
// holds var, the go-cty functions, env() and file() (not the generators), and
// the turn's names:
//
//	message               the customer's message
//	turn                  the turn number, from 1
//	conversation.id       the conversation's random id (a UUID)
//	conversation.user     the virtual user's number
//	conversation.persona  the persona's name
//	session.id            the id the assistant assigned (session id_from), else conversation.id
//	callback.url          where the reply must be delivered (webhook targets)
//	data.<block>.<attr>   the virtual user's generated data
//
// A body that evaluates to a string is sent as it is (a heredoc template,
// say); any other value is sent as its JSON encoding, so
// body = jsonencode({...}) and body = {...} send the same bytes. Header
// values are secret: they are never printed nor written to results.
type Request struct {
	Method string
	Range  hcl.Range // the request block's header, for diagnostics

	url     hcl.Expression
	headers hcl.Expression // nil: none
	body    hcl.Expression // nil: no body
	ctx     *hcl.EvalContext
	async   bool // callback is in scope
	ws      bool // a WebSocket target's connection: the url is ws, wss, http or https
	broken  bool // an attribute had an error (reported): later checks would cascade
}

// RequestVars are one turn's values for Render.
type RequestVars struct {
	Message        string
	Turn           int
	ConversationID string
	User           int
	Persona        string
	SessionID      string // "" means ConversationID
	CallbackURL    string // webhook targets
	Data           map[string]map[string]string
}

// Rendered is one turn's request.
type Rendered struct {
	Method  string
	URL     string
	Headers map[string]string // secret values
	Body    []byte            // nil: no body
}

// Render evaluates the request for one turn. It is safe for concurrent use.
// Errors name the attribute that failed but never a header's value.
func (r *Request) Render(v RequestVars) (Rendered, error) {
	ctx := r.ctx.NewChild()
	ctx.Variables = turnVariables(v, dataObject(v.Data), r.async)
	out := Rendered{Method: r.Method}
	var err error
	if out.URL, err = evalWith(r.url, ctx, "url", r.urlConv()); err != nil {
		return out, err
	}
	if r.headers != nil {
		if out.Headers, err = evalWith(r.headers, ctx, "headers", renderHeaders); err != nil {
			return out, err
		}
	}
	if r.body != nil {
		if out.Body, err = evalWith(r.body, ctx, "body", renderBody); err != nil {
			return out, err
		}
	}
	return out, nil
}

// evalWith evaluates e in ctx and converts its value with conv.
func evalWith[T any](e hcl.Expression, ctx *hcl.EvalContext, name string, conv func(cty.Value) (T, error)) (T, error) {
	var zero T
	v, diags := e.Value(ctx)
	if diags.HasErrors() {
		return zero, fmt.Errorf("cannot render the request's %s: %w", name, diags)
	}
	if !v.IsWhollyKnown() {
		return zero, fmt.Errorf("cannot render the request's %s: its value is not known", name)
	}
	out, err := conv(v)
	if err != nil {
		return zero, fmt.Errorf("cannot render the request's %s: %w", name, err)
	}
	return out, nil
}

// turnVariables is the scope of one turn. data is the user's data as an
// object (unknown strings at load time).
func turnVariables(v RequestVars, data cty.Value, async bool) map[string]cty.Value {
	session := v.SessionID
	if session == "" {
		session = v.ConversationID
	}
	vars := map[string]cty.Value{
		"message": cty.StringVal(v.Message),
		"turn":    cty.NumberIntVal(int64(v.Turn)),
		"conversation": cty.ObjectVal(map[string]cty.Value{
			"id":      cty.StringVal(v.ConversationID),
			"user":    cty.NumberIntVal(int64(v.User)),
			"persona": cty.StringVal(v.Persona),
		}),
		"session": cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal(session)}),
		"data":    data,
	}
	if async {
		vars["callback"] = cty.ObjectVal(map[string]cty.Value{"url": cty.StringVal(v.CallbackURL)})
	}
	return vars
}

// dataObject turns a user's data into data's value.
func dataObject(data map[string]map[string]string) cty.Value {
	if len(data) == 0 {
		return cty.EmptyObjectVal
	}
	blocks := make(map[string]cty.Value, len(data))
	for name, attrs := range data {
		vals := make(map[string]cty.Value, len(attrs))
		for k, s := range attrs {
			vals[k] = cty.StringVal(s)
		}
		blocks[name] = cty.ObjectVal(vals)
	}
	return cty.ObjectVal(blocks)
}

func renderURL(v cty.Value) (string, error) { return convURL(v, false) }

// urlConv is how the request's url is checked: http(s), or for a
// WebSocket connection ws(s) too.
func (r *Request) urlConv() func(cty.Value) (string, error) {
	return func(v cty.Value) (string, error) { return convURL(v, r.ws) }
}

func convURL(v cty.Value, ws bool) (string, error) {
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		return "", errors.New("url must be a string")
	}
	u, err := url.Parse(s.AsString())
	schemes := []string{"http", "https"}
	if ws {
		schemes = append(schemes, "ws", "wss")
	}
	if err != nil || !slices.Contains(schemes, u.Scheme) || u.Host == "" {
		if ws {
			return "", errors.New("url must be an absolute ws, wss, http or https URL")
		}
		return "", errors.New("url must be an absolute http or https URL")
	}
	return s.AsString(), nil
}

func renderHeaders(v cty.Value) (map[string]string, error) {
	if v.IsNull() {
		return nil, nil
	}
	m, err := convert.Convert(v, cty.Map(cty.String))
	if err != nil {
		return nil, errors.New(`headers must be an object of header names to strings, e.g. { Authorization = "Bearer ..." }`)
	}
	out := make(map[string]string, m.LengthInt())
	for name, val := range m.AsValueMap() {
		if !validHeaderName(name) {
			return nil, fmt.Errorf("%q is not an HTTP header name: use letters, digits and - (e.g. \"X-Api-Key\")", name)
		}
		if !val.IsNull() {
			out[name] = val.AsString()
		}
	}
	return out, nil
}

// renderBody sends a string as it is and any other value as JSON.
func renderBody(v cty.Value) ([]byte, error) {
	if v.IsNull() {
		return nil, nil
	}
	if v.Type() == cty.String {
		return []byte(v.AsString()), nil
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, fmt.Errorf("body cannot be encoded as JSON: %w", err)
	}
	return b, nil
}

// requestRoots are the names a request template may use besides var and
// data.
func requestRoots(async bool) []string {
	roots := []string{"message", "turn", "conversation", "session"}
	if async {
		roots = append(roots, "callback")
	}
	return roots
}

// decodeRequest decodes a request block; cb is the webhook target's
// callback block (nil for http targets).
func (d *decoder) decodeRequest(b *hcl.Block, async bool, cb *Callback) *Request {
	a, _ := d.content(b, requestSchema)
	r := &Request{Method: defaultMethod, Range: b.DefRange, ctx: d.Root, async: async}
	if a.Str("method", &r.Method) {
		r.Method = strings.ToUpper(r.Method)
		a.Invalid("method", validHeaderName(r.Method), "Invalid method",
			fmt.Sprintf("method must be an HTTP method such as \"POST\" or \"PUT\"; got %q.", r.Method))
	}
	d.requestExprs(a, r, []requestExpr{{"url", &r.url}, {"headers", &r.headers}, {"body", &r.body}}, requestRoots(async), cb)
	if r.url == nil {
		return nil
	}
	return r
}

// requestExpr is an attribute of a request and where its expression goes.
type requestExpr struct {
	name string
	dst  *hcl.Expression
}

// requestExprs checks and keeps the attributes of a that exprs name, each
// seeing roots (besides var and data), and probes them with sample values.
func (d *decoder) requestExprs(a *decode.Attrs, r *Request, exprs []requestExpr, roots []string, cb *Callback) {
	probe := d.probeScope(r)
	for _, x := range exprs {
		attr, ok := a.Attributes[x.name]
		if !ok {
			continue
		}
		if diags := d.checkTurnExpr(attr.Expr, roots); diags.HasErrors() {
			d.add(diags)
			r.broken = true
			continue
		}
		*x.dst = attr.Expr
		d.probeAttr(attr, probe, r, cb)
	}
}

// probeScope is a turn scope with sample values and the data blocks'
// attributes unknown, for checking a request at load time.
func (d *decoder) probeScope(r *Request) *hcl.EvalContext {
	blocks := make(map[string]cty.Value, len(d.Data))
	for name, attrs := range d.Data {
		vals := make(map[string]cty.Value, len(attrs))
		for _, a := range attrs {
			vals[a] = cty.UnknownVal(cty.String)
		}
		blocks[name] = cty.ObjectVal(vals)
	}
	data := cty.EmptyObjectVal
	if len(blocks) > 0 {
		data = cty.ObjectVal(blocks)
	}
	ctx := r.ctx.NewChild()
	ctx.Variables = turnVariables(RequestVars{
		Message: probeMessage, Turn: 1, ConversationID: "00000000-0000-4000-8000-000000000000",
		CallbackURL: "http://127.0.0.1:5001/hooks/probe/1",
	}, data, r.async)
	return ctx
}

// probeAttr evaluates one request attribute with sample values and reports
// a value that could never be sent.
func (d *decoder) probeAttr(attr *hcl.Attribute, ctx *hcl.EvalContext, r *Request, cb *Callback) {
	v, diags := attr.Expr.Value(ctx)
	d.add(diags)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return
	}
	var err error
	switch attr.Name {
	case "url":
		_, err = r.urlConv()(v)
	case "headers":
		_, err = renderHeaders(v)
	case "body", "hello", "send":
		err = checkBody(v, cb)
	}
	if err != nil {
		d.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + d.what() + " " + attr.Name,
			Detail:   capitalise(err.Error()) + ".",
			Subject:  attr.Expr.Range().Ptr(),
		}})
	}
}

// checkBody checks that a body can be sent and, when the callback URL goes
// into one of its fields, that it is a JSON object.
func checkBody(v cty.Value, cb *Callback) error {
	b, err := renderBody(v)
	if err != nil || cb == nil || cb.URLField == "" {
		return err
	}
	var obj map[string]any
	if json.Unmarshal(b, &obj) != nil || obj == nil {
		return fmt.Errorf("callback url_field %q sets a field of the body, so the body must be a JSON object, "+
			"e.g. body = jsonencode({ text = message })", cb.URLField)
	}
	return nil
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// checkTurnExpr checks a per-turn expression's references and function
// calls before it is evaluated: var.* and data.* as everywhere, other
// names among roots, and only the functions that draw nothing at random.
func (d *decoder) checkTurnExpr(e hcl.Expression, roots []string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, t := range e.Variables() {
		switch root := t.RootName(); {
		case root == "var" || root == "data":
			diags = append(diags, d.CheckRef(t)...)
		case !slices.Contains(roots, root):
			diags = append(diags, unknownTurnName(t, root, roots))
		}
	}
	if se, ok := e.(hclsyntax.Expression); ok {
		diags = append(diags, decode.CheckFunctionNames(se, d.Static, "a request template")...)
	}
	return diags
}

func unknownTurnName(t hcl.Traversal, root string, roots []string) *hcl.Diagnostic {
	all := append([]string{"var", "data"}, roots...)
	sort.Strings(all)
	extra := ""
	if root == "callback" {
		extra = " callback.url exists only for webhook targets, whose replies arrive on a callback."
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unknown variable",
		Detail: fmt.Sprintf("There is no variable named %q in a request template.%s%s A request sees %s.",
			root, decode.DidYouMean(root, all), extra, decode.QuotedList(all)),
		Subject: t.SourceRange().Ptr(),
	}
}

// refers reports whether any part of the request uses the variable root.
func (r *Request) refers(root string) bool {
	for _, e := range []hcl.Expression{r.url, r.headers, r.body} {
		if e == nil {
			continue
		}
		for _, t := range e.Variables() {
			if t.RootName() == root {
				return true
			}
		}
	}
	return false
}

// checkRequestRefs checks that the assistant can tell conversations apart
// and, for a webhook target, learns where to deliver its reply.
func (d *decoder) checkRequestRefs(api *API) {
	r := api.Request
	if r == nil || r.broken {
		return
	}
	if api.Session.Mode == SessionBody && !r.refers("conversation") && !r.refers("session") {
		d.add(hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Conversation id not sent",
			Detail: "The request never uses conversation.id or session.id, so the assistant cannot tell one " +
				"conversation from another. Put it in the body or url (body = jsonencode({ conversation_id = " +
				"conversation.id, text = message })), or add session { mode = \"header\" } or { mode = \"cookie\" }.",
			Subject: r.Range.Ptr(),
		}})
	}
	if api.Callback != nil && api.Callback.URLField == "" && !r.refers("callback") {
		d.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Callback URL not sent",
			Detail: "A webhook assistant must be told where to deliver its reply: use callback.url in the " +
				"request (body = jsonencode({ text = message, reply_to = callback.url })), or name the body " +
				"field with callback { url_field = \"reply_to\" }.",
			Subject: r.Range.Ptr(),
		}})
	}
}

// StaticURL is the request's URL when it is the same for every turn (it
// uses only var and functions), for display; "" when it depends on the turn.
func (r *Request) StaticURL() string {
	for _, t := range r.url.Variables() {
		if t.RootName() != "var" {
			return ""
		}
	}
	v, diags := r.url.Value(r.ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return ""
	}
	u, err := r.urlConv()(v)
	if err != nil {
		return ""
	}
	return u
}
