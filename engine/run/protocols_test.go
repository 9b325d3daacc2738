package run

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol/protocoltest"
	"github.com/voyplan/voyplan/engine/sim"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// The same customers, conversation and thresholds as testPlan, against an
// assistant speaking another protocol: target is the whole target block.
func protocolPlan(t *testing.T, users int, target string) *plan.Plan {
	t.Helper()
	src := fmt.Sprintf(`
plan "protocols" { seed = 7 }
%s
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("example.com")
  cpf   = cpf()
}
persona "kataryna" { script = %s }
conversation {
  max_turns              = 20
  reply_timeout          = "2s"
  reply_settle           = "500ms" # a split reply's parts follow each other at once: far longer than their gap on a loaded machine
  conversations_per_user = 1
}
stage "all" {
  users      = %d
  spawn_rate = 100
  duration   = "30s"
}
threshold "success" { check = "conversations.success_rate >= 1" }
`, target, scriptLines(t), users)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "protocols.hcl"), plan.Options{
		Env: map[string]string{"BOT_TOKEN": "s3cret-token-value"},
	})
	if diags.HasErrors() {
		t.Fatalf("plan does not load: %s", diags.Error())
	}
	return p
}

// botOptions are the loopback assistants' settings: a token, some latency
// and an image with every third reply, as the simulator tests use.
func botOptions() protocoltest.Options {
	return protocoltest.Options{Token: "s3cret-token-value", Latency: 5 * time.Millisecond, Sim: sim.Options{ImageEvery: 3}}
}

// checkCompleted asserts every conversation ended at the payment link after
// the 12 scripted turns, with replies timed and an image seen on the way.
func checkCompleted(t *testing.T, res *Result, convs []*transcript.Conversation, users int) {
	t.Helper()
	if got := res.Snapshot.Conversations.Succeeded; got != int64(users) {
		for _, c := range convs {
			t.Logf("conversation %s: %s %s %s after %d turns", c.ID, c.Outcome, c.Reason, c.Error, len(c.Turns))
		}
		t.Fatalf("succeeded = %d, want %d (%+v)", got, users, res.Snapshot.Conversations)
	}
	for _, c := range convs {
		last := c.Turns[len(c.Turns)-1]
		if c.Outcome != transcript.Completed || len(c.Turns) != 12 || !payLink.MatchString(plan.ReplyText(last.Messages)) {
			t.Errorf("conversation %s: %s after %d turns, last reply %+v", c.ID, c.Outcome, len(c.Turns), last.Messages)
		}
		images := 0
		for _, turn := range c.Turns {
			if turn.ReplyMS == nil || *turn.ReplyMS < 5 || turn.Attempts != 1 {
				t.Errorf("turn %d: reply_ms %v attempts %d, want ≥ the bot's 5ms latency and 1 attempt", turn.N, turn.ReplyMS, turn.Attempts)
			}
			for _, m := range turn.Messages {
				if m.Type == "media" && m.Link != "" && m.Text == "" {
					images++
				}
			}
		}
		if images == 0 {
			t.Errorf("conversation %s: no image item in any reply; media reading is broken", c.ID)
		}
	}
	if n := int64(12 * users); res.Snapshot.Send.Count != n || res.Snapshot.Reply.Count != n {
		t.Errorf("send/reply counts %d/%d, want %d each", res.Snapshot.Send.Count, res.Snapshot.Reply.Count, n)
	}
}

func TestHTTPProtocol(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		assign  bool
		session string // session block
		idField string // what the body sends as conversation_id
	}{
		{"id in the body", false, "", "conversation.id"},
		{"id in a header", false, `session { mode = "header" }`, ""},
		{"cookie jar per conversation", false, `session { mode = "cookie" }`, ""},
		{"id assigned by the assistant", true, `session { id_from = "body.conversation_id" }`, "session.id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bot, err := protocoltest.NewChatBot(protocoltest.ChatOptions{Options: botOptions(), AssignIDs: tt.assign})
			if err != nil {
				t.Fatal(err)
			}
			defer bot.Close()
			id := ""
			if tt.idField != "" {
				id = "conversation_id = " + tt.idField + ","
			}
			p := protocolPlan(t, 3, fmt.Sprintf(`
target "bot" {
  protocol = "http"
  request {
    url     = "%s/chat"
    headers = { Authorization = "Bearer ${env("BOT_TOKEN")}" }
    body    = jsonencode({ %s message = message, customer = data.customer })
  }
  response {
    text  = "map(filter(body.messages, .type == 'text'), .text)"
    media = "map(filter(body.messages, .type == 'image'), .url)"
  }
  %s
}`, bot.URL(), id, tt.session))
			res, convs := runPlan(t, p)
			checkCompleted(t, res, convs, 3)
			if n := bot.Conversations(); n != 3 {
				t.Errorf("the bot held %d conversations, want 3: session continuity is broken", n)
			}
			if st := bot.Stats(); st.Unauthorized != 0 || st.Rejected != 0 {
				t.Errorf("bot stats %+v: requests refused", st)
			}
			if res.Webhook != (Result{}).Webhook || res.PublicURL != "" {
				t.Errorf("webhook %+v, public URL %q: an http target needs no receiver", res.Webhook, res.PublicURL)
			}
			if tt.session == "" {
				for _, c := range convs {
					if got, want := bot.Customer(c.ID)["cpf"], c.Data["customer"]["cpf"]; got != want {
						t.Errorf("conversation %s: the bot got cpf %q, the user's is %q", c.ID, got, want)
					}
				}
			}
		})
	}
}

func TestWebhookProtocol(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		split    bool
		field    string // where the bot reads the callback URL
		request  string // body attribute
		callback string // callback block
	}{
		{
			name:     "matched by path, url in the template",
			field:    "reply_to",
			request:  `body = jsonencode({ conversation_id = conversation.id, text = message, reply_to = callback.url })`,
			callback: `callback {` + "\n" + `text = "map(filter(body.reply.parts, .kind == 'text'), .content)"` + "\n" + `media = "map(filter(body.reply.parts, .kind == 'image'), .url)"` + "\n}",
		},
		{
			name:     "matched by body field, url_field, split replies",
			split:    true,
			field:    "hooks.reply",
			request:  `body = jsonencode({ conversation_id = conversation.id, text = message, customer = data.customer })`,
			callback: `callback {` + "\n" + `url_field = "hooks.reply"` + "\n" + `match = "body.conversation_id"` + "\n" + `text = "map(filter(body.reply.parts, .kind == 'text'), .content)"` + "\n" + `media = "map(filter(body.reply.parts, .kind == 'image'), .url)"` + "\n}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bot, err := protocoltest.NewCallbackBot(protocoltest.CallbackOptions{Options: botOptions(), CallbackField: tt.field, Split: tt.split})
			if err != nil {
				t.Fatal(err)
			}
			defer bot.Close()
			p := protocolPlan(t, 3, fmt.Sprintf(`
target "bot" {
  protocol = "webhook"
  request {
    url     = "%s/messages"
    headers = { Authorization = "Bearer ${env("BOT_TOKEN")}" }
    %s
  }
  %s
}`, bot.URL(), tt.request, tt.callback))
			res, convs := runPlan(t, p)
			checkCompleted(t, res, convs, 3)
			w := res.Webhook
			var taken uint64
			for _, c := range convs {
				for _, turn := range c.Turns {
					taken += uint64(turn.Callbacks)
				}
			}
			if w.Unmatched != 0 || w.Malformed != 0 || w.Late != 0 || w.Received != taken+w.Duplicates || taken == 0 {
				t.Errorf("receiver %+v, %d callbacks taken: callbacks went astray", w, taken)
			}
			for _, c := range convs {
				for _, turn := range c.Turns {
					if tt.split && len(turn.Messages) > 1 && turn.Callbacks != len(turn.Messages) {
						t.Errorf("turn %d: %d items in %d callbacks, want one callback per item", turn.N, len(turn.Messages), turn.Callbacks)
					}
					if turn.Status != 202 {
						t.Errorf("turn %d: status %d, want the bot's 202", turn.N, turn.Status)
					}
				}
			}
		})
	}
}

func TestOpenAIProtocol(t *testing.T) {
	t.Parallel()
	const system = "Você é a atendente virtual do parque."
	bot, err := protocoltest.NewOpenAIBot(protocoltest.OpenAIOptions{Options: botOptions(), Model: "parque-v1", System: system})
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	p := protocolPlan(t, 3, fmt.Sprintf(`
target "bot" {
  protocol = "openai"
  url      = "%s"
  model    = "parque-v1"
  system   = %q
  api_key  = env("BOT_TOKEN")
}`, bot.URL(), system))
	res, convs := runPlan(t, p)
	// An OpenAI-compatible reply is text only: no images to check.
	if got := res.Snapshot.Conversations.Succeeded; got != 3 {
		for _, c := range convs {
			t.Logf("conversation %s: %s %s %s after %d turns", c.ID, c.Outcome, c.Reason, c.Error, len(c.Turns))
		}
		t.Fatalf("succeeded = %d, want 3", got)
	}
	var input, output int64
	for _, c := range convs {
		if len(c.Turns) != 12 || c.AssistantTokens == nil {
			t.Fatalf("conversation %s: %d turns, assistant tokens %v", c.ID, len(c.Turns), c.AssistantTokens)
		}
		for _, turn := range c.Turns {
			if turn.AssistantUsage == nil || turn.AssistantUsage.InputTokens == 0 || turn.AssistantUsage.OutputTokens == 0 {
				t.Errorf("turn %d: assistant usage %v, want the bot's report", turn.N, turn.AssistantUsage)
			}
		}
		input += c.AssistantTokens.InputTokens
		output += c.AssistantTokens.OutputTokens
		if c.Tokens != (transcript.Tokens{}) || c.CostUSD != 0 {
			t.Errorf("conversation %s: customer tokens %+v cost %v: the assistant's usage leaked into the customer's", c.ID, c.Tokens, c.CostUSD)
		}
	}
	if wantIn, wantOut := bot.Tokens(); input != wantIn || output != wantOut {
		t.Errorf("assistant tokens recorded %d/%d, the bot reported %d/%d", input, output, wantIn, wantOut)
	}
	// The metric thresholds see (assistant.output_tokens) totals the same.
	if a := res.Snapshot.Assistant; a != (metrics.Assistant{Conversations: 3, InputTokens: input, OutputTokens: output}) {
		t.Errorf("assistant metric %+v; the transcripts total %d/%d over 3 conversations", a, input, output)
	}
	if res.Snapshot.Cost != (metrics.Cost{}) {
		t.Errorf("customer cost %+v: the assistant's usage leaked into it", res.Snapshot.Cost)
	}
	if st := bot.Stats(); st.Rejected != 0 || st.Unauthorized != 0 {
		t.Errorf("bot stats %+v: a request was refused (history, system message, model or token wrong)", st)
	}
}

func TestProtocolFailuresKeepTheirReasons(t *testing.T) {
	t.Parallel()
	target := func(url string) string {
		return fmt.Sprintf(`
target "bot" {
  protocol = "http"
  request {
    url     = "%s/chat"
    headers = { Authorization = "Bearer ${env("BOT_TOKEN")}" }
    body    = jsonencode({ conversation_id = conversation.id, message = message })
  }
}`, url)
	}
	t.Run("refused: send_error", func(t *testing.T) {
		t.Parallel()
		bot, err := protocoltest.NewChatBot(protocoltest.ChatOptions{Options: protocoltest.Options{Token: "another-token"}})
		if err != nil {
			t.Fatal(err)
		}
		defer bot.Close()
		res, convs := runPlan(t, protocolPlan(t, 2, target(bot.URL())))
		c := res.Snapshot.Conversations
		if c.Failed != 2 || c.Reasons[transcript.ReasonSendError] != 2 || res.Snapshot.Send.Failed != 2 {
			t.Fatalf("conversations %+v send %+v, want 2 failed by send_error", c, res.Snapshot.Send)
		}
		for _, cv := range convs {
			if cv.Turns[0].Status != 401 || !strings.Contains(cv.Error, "401") || strings.Contains(cv.Error, "s3cret") {
				t.Errorf("conversation %s: status %d error %q, want 401 recorded and no token", cv.ID, cv.Turns[0].Status, cv.Error)
			}
		}
	})
	t.Run("too slow: reply_timeout", func(t *testing.T) {
		t.Parallel()
		bot, err := protocoltest.NewChatBot(protocoltest.ChatOptions{Options: protocoltest.Options{
			Token: "s3cret-token-value", Latency: 2 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		defer bot.Close()
		p := protocolPlan(t, 2, target(bot.URL()))
		p.Conversation.ReplyTimeout = 200 * time.Millisecond
		res, convs := runPlan(t, p)
		c := res.Snapshot.Conversations
		if c.Failed != 2 || c.Reasons[transcript.ReasonReplyTimeout] != 2 || res.Snapshot.Reply.Failed != 2 || res.Snapshot.Send.Failed != 0 {
			t.Fatalf("conversations %+v send %+v reply %+v, want 2 failed by reply_timeout", c, res.Snapshot.Send, res.Snapshot.Reply)
		}
		for _, cv := range convs {
			if len(cv.Turns) != 1 || cv.Turns[0].ReplyMS != nil || cv.Error != "no reply within 200ms" {
				t.Errorf("conversation %s: error %q turns %+v, want one turn without a reply", cv.ID, cv.Error, cv.Turns)
			}
		}
	})
}

// The assistant block prices the usage the assistant reports of itself:
// cost.assistant is its tokens at those prices, apart from the customers'
// cost.usd, and cost.per_success counts it; a threshold reads both.
func TestAssistantCostPerSuccess(t *testing.T) {
	t.Parallel()
	bot, err := protocoltest.NewOpenAIBot(protocoltest.OpenAIOptions{Options: botOptions(), Model: "parque-v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	p := protocolPlan(t, 3, fmt.Sprintf(`
target "bot" {
  protocol = "openai"
  url      = "%s"
  model    = "parque-v1"
  api_key  = env("BOT_TOKEN")
}
assistant {
  price_input  = 2.5
  price_output = 10
}
threshold "assistant_cost" {
  check = "cost.assistant > 0 && cost.per_success < 0.5"
}`, bot.URL()))
	res, _ := runPlan(t, p)
	in, out := bot.Tokens()
	want := (float64(in)*2.5 + float64(out)*10) / 1e6
	c, n := res.Snapshot.Cost, res.Snapshot.Conversations.Succeeded
	if n != 3 || in == 0 || math.Abs(c.Assistant-want) > 1e-12 || c.USD != 0 || math.Abs(c.PerSuccess-want/3) > 1e-12 {
		t.Fatalf("cost %+v over %d successes; want assistant %g (%d in, %d out), per success a third of it", c, n, want, in, out)
	}
	if pc := res.Snapshot.Personas["kataryna"].Cost; math.Abs(pc.Assistant-want) > 1e-12 || math.Abs(pc.PerSuccess-want/3) > 1e-12 {
		t.Errorf("persona cost %+v; want the run's", pc)
	}
	if rs := verdict.Evaluate(p.Thresholds, res.Snapshot); !verdict.Passed(rs) {
		t.Errorf("threshold %+v; want it to hold on cost.assistant %g", rs, c.Assistant)
	}
}
