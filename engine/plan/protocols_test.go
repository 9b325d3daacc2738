package plan

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/target"
)

// protocolPlan loads a plan around a target block.
func protocolPlan(t *testing.T, block string) (*Plan, hcl.Diagnostics) {
	t.Helper()
	src := `
variable "base" {
  default = "http://127.0.0.1:8080"
}
data "customer" {
  name = "Ana Souza"
  cpf  = cpf()
}
` + block + `
persona "p" { script = ["Olá"] }
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`
	return LoadSource([]byte(src), "protocols.hcl", Options{Env: map[string]string{"TOKEN": "t0k3n"}})
}

func mustProtocolPlan(t *testing.T, block string) *Plan {
	t.Helper()
	p, diags := protocolPlan(t, block)
	if diags.HasErrors() {
		t.Fatalf("plan does not load:\n%s", diagsText(diags))
	}
	return p
}

func TestVoyagerIsTheDefaultProtocol(t *testing.T) {
	t.Parallel()
	for _, block := range []string{
		`target "v" { url = "http://127.0.0.1:9/w" }`,
		`target "v" {
  protocol = "voyager"
  url      = "http://127.0.0.1:9/w"
}`,
	} {
		p := mustProtocolPlan(t, block)
		tg := p.Target
		if tg.ProtocolName() != target.ProtocolVoyager || tg.API != nil || tg.OpenAI != nil ||
			tg.URL != "http://127.0.0.1:9/w" || tg.ChannelID != defaultChannelID || tg.Timeout != defaultTargetTimeout {
			t.Errorf("target %+v, want a voyager target with its defaults", tg)
		}
	}
}

func TestHTTPTargetRendersPerTurn(t *testing.T) {
	t.Parallel()
	p := mustProtocolPlan(t, `
target "bot" {
  protocol = "http"
  request {
    url     = "${var.base}/c/${conversation.id}"
    headers = { Authorization = "Bearer ${env("TOKEN")}", "X-Turn" = turn }
    body    = { text = message, who = data.customer.name, session = session.id, persona = conversation.persona }
  }
  response {
    text = "body.reply"
  }
  session {
    mode    = "header"
    header  = "X-Session"
    id_from = "body.session_id"
  }
}`)
	tg := p.Target
	api := tg.API
	if tg.Protocol != target.ProtocolHTTP || api == nil || api.Request == nil || api.Callback != nil || tg.Timeout != 0 || tg.ClientDomain != "" {
		t.Fatalf("target %+v", tg)
	}
	if api.Session.Mode != target.SessionHeader || api.Session.Header != "X-Session" || api.Session.IDFrom.Source != "body.session_id" {
		t.Errorf("session %+v", api.Session)
	}
	if api.Response.Text.Source != "body.reply" || api.Response.Media != nil || api.Request.Method != "POST" {
		t.Errorf("response %+v, method %q", api.Response, api.Request.Method)
	}
	if u := api.Request.StaticURL(); u != "" {
		t.Errorf("StaticURL = %q for a URL that uses the conversation id", u)
	}
	r, err := api.Request.Render(target.RequestVars{
		Message: `diz "oi"`, Turn: 2, ConversationID: "c1", Persona: "p", SessionID: "s9",
		Data: map[string]map[string]string{"customer": {"name": "Ana", "cpf": "x"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Method != "POST" || r.URL != "http://127.0.0.1:8080/c/c1" {
		t.Errorf("rendered %s %s", r.Method, r.URL)
	}
	if r.Headers["Authorization"] != "Bearer t0k3n" || r.Headers["X-Turn"] != "2" {
		t.Errorf("headers %v", r.Headers)
	}
	var body map[string]string
	if err := json.Unmarshal(r.Body, &body); err != nil ||
		body["text"] != `diz "oi"` || body["who"] != "Ana" || body["session"] != "s9" || body["persona"] != "p" {
		t.Errorf("body %s (%v)", r.Body, err)
	}
}

func TestRenderIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	p := mustProtocolPlan(t, `
target "bot" {
  protocol = "http"
  request {
    url  = "${var.base}/chat"
    body = jsonencode({ id = conversation.id, text = message })
  }
}`)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				id := fmt.Sprintf("c%d-%d", i, j)
				r, err := p.Target.API.Request.Render(target.RequestVars{Message: "m", ConversationID: id})
				if err != nil || string(r.Body) != `{"id":"`+id+`","text":"m"}` {
					t.Errorf("Render = %s, %v", r.Body, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if u := p.Target.API.Request.StaticURL(); u != "http://127.0.0.1:8080/chat" {
		t.Errorf("StaticURL = %q", u)
	}
}

func TestWebhookTarget(t *testing.T) {
	t.Parallel()
	p := mustProtocolPlan(t, `
target "bot" {
  protocol = "webhook"
  request {
    url  = "${var.base}/messages"
    body = { conversation_id = conversation.id, text = message }
  }
  callback {
    url_field = "hooks.reply"
    match     = "body.conversation_id"
    text      = "map(body.parts, .content)"
  }
}`)
	tg := p.Target
	cb := tg.API.Callback
	if tg.Protocol != target.ProtocolWebhook || tg.Timeout != 30*time.Second || cb == nil ||
		cb.URLField != "hooks.reply" || cb.Match.Source != "body.conversation_id" || cb.Reading.Text == nil || cb.Reading.Media != nil {
		t.Errorf("target %+v callback %+v", tg, cb)
	}
	p = mustProtocolPlan(t, `
target "bot" {
  protocol = "webhook"
  timeout  = "5s"
  request {
    url  = "${var.base}/messages"
    body = { conversation_id = conversation.id, text = message, reply_to = callback.url }
  }
  callback { match = "path" }
}`)
	if cb := p.Target.API.Callback; cb.Match != nil || !cb.Reading.IsZero() || p.Target.Timeout != 5*time.Second {
		t.Errorf("callback %+v timeout %s: match path and the Voyager payload by default", cb, p.Target.Timeout)
	}
}

func TestOpenAITarget(t *testing.T) {
	t.Parallel()
	p := mustProtocolPlan(t, `
target "bot" {
  protocol = "openai"
  url      = var.base
  model    = "m1"
  system   = "Seja breve."
  api_key  = env("TOKEN")
  headers  = { "X-Tenant" = "parque" }
}`)
	o := p.Target.OpenAI
	if o == nil || o.Endpoint != "http://127.0.0.1:8080/v1/chat/completions" || o.Model != "m1" || o.System != "Seja breve." ||
		o.APIKey != "t0k3n" || o.Headers["X-Tenant"] != "parque" || p.Target.API != nil {
		t.Errorf("openai %+v", o)
	}
}

func TestConversationIDNotSentIsAWarning(t *testing.T) {
	t.Parallel()
	p, diags := protocolPlan(t, `
target "bot" {
  protocol = "http"
  request {
    url  = "${var.base}/chat"
    body = { text = message }
  }
}`)
	if p == nil || len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Summary != "Conversation id not sent" {
		t.Fatalf("want the plan and one warning, got:\n%s", diagsText(diags))
	}
	if diags[0].Subject.Start.Line != 12 {
		t.Errorf("warning at %s, want the request block", diags[0].Subject)
	}
	// A cookie jar or a header keeps conversations apart without it.
	for _, mode := range []string{"cookie", "header"} {
		_, diags := protocolPlan(t, fmt.Sprintf(`
target "bot" {
  protocol = "http"
  request {
    url  = "${var.base}/chat"
    body = { text = message }
  }
  session { mode = %q }
}`, mode))
		if len(diags) != 0 {
			t.Errorf("mode %s: unexpected diagnostics:\n%s", mode, diagsText(diags))
		}
	}
}

// TestProtocolExprErrorPosition checks that a response or callback
// expression's compile error points inside the string.
func TestProtocolExprErrorPosition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target      string
		line, start, end  int
		summary, inDetail string
	}{
		{
			name: "response text",
			target: `target "bot" {
  protocol = "http"
  request {
    url  = "${var.base}/chat"
    body = { id = conversation.id }
  }
  response {
    text = "body.messages[0].text + bodyy.x"
  }
}`,
			line: 16, start: 37, end: 42, summary: "Invalid response text", inDetail: `Did you mean "body"?`,
		},
		{
			name: "callback match",
			target: `target "bot" {
  protocol = "webhook"
  request {
    url  = "${var.base}/chat"
    body = { id = conversation.id, hook = callback.url }
  }
  callback {
    match = "body.id in [1, 2"
  }
}`,
			line: 16, start: 29, end: 30, summary: "Invalid callback match", inDetail: "does not compile",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, diags := protocolPlan(t, tt.target)
			if len(diags) != 1 || diags[0].Summary != tt.summary {
				t.Fatalf("want one %q, got:\n%s", tt.summary, diagsText(diags))
			}
			s := diags[0].Subject
			if s.Start.Line != tt.line || s.Start.Column != tt.start || s.End.Column != tt.end {
				t.Errorf("subject %s, want line %d columns %d-%d", s, tt.line, tt.start, tt.end)
			}
			if d := diags[0].Detail; !strings.Contains(d, tt.inDetail) {
				t.Errorf("detail %q lacks %q", d, tt.inDetail)
			}
		})
	}
}

func TestProtocolDidYouMean(t *testing.T) {
	t.Parallel()
	tests := []struct{ file, summary, suggestion string }{
		{"protocol_unknown.hcl", "Unsupported protocol", `Did you mean "http"?`},
		{"protocol_http.hcl", "Unknown variable", `Did you mean "message"?`},
		{"protocol_http.hcl", "Unsupported attribute", `Did you mean "cpf"?`},
		{"protocol_http.hcl", "Unsupported session mode", `Did you mean "cookie"?`},
		{"protocol_http.hcl", "Invalid response media", `Did you mean "body"?`},
		{"protocol_url_field.hcl", "Unknown variable", "callback.url exists only for webhook targets"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.summary, func(t *testing.T) {
			t.Parallel()
			_, diags := Load("testdata/invalid/"+tt.file, Options{})
			for _, d := range diags {
				if d.Summary == tt.summary && strings.Contains(d.Detail, tt.suggestion) {
					return
				}
			}
			t.Errorf("no %q diagnostic saying %s:\n%s", tt.summary, tt.suggestion, diagsText(diags))
		})
	}
}
