package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/protocol/protocoltest"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/sim"
)

// exampleToken is the bearer token the example plans read with
// env("BOT_TOKEN"): a secret that must never reach output or results.
const exampleToken = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0"

// exampleBot starts a loopback assistant speaking the example's protocol
// and returns the -var url value for it.
func exampleBot(t *testing.T, name string) (url string, stats func() protocoltest.Stats) {
	t.Helper()
	o := protocoltest.Options{Token: exampleToken, Latency: 20 * time.Millisecond, Sim: sim.Options{ImageEvery: 3}}
	var bot interface {
		URL() string
		Stats() protocoltest.Stats
		Close() error
	}
	var err error
	switch name {
	case "http":
		bot, err = protocoltest.NewChatBot(protocoltest.ChatOptions{Options: o})
	case "webhook":
		bot, err = protocoltest.NewCallbackBot(protocoltest.CallbackOptions{Options: o})
	case "openai":
		bot, err = protocoltest.NewOpenAIBot(protocoltest.OpenAIOptions{Options: o, Model: "parque-v1",
			System: "Você é a atendente virtual do parque aquático. Responda em português."})
	case "voyager":
		s, err := sim.Listen("127.0.0.1:0", sim.Options{Latency: 20 * time.Millisecond, ImageEvery: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s.URL(), func() protocoltest.Stats { return protocoltest.Stats{Requests: int64(s.Stats().Received)} }
	default:
		t.Fatalf("no bot for example %q", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bot.Close() })
	return bot.URL(), bot.Stats
}

// TestExamplePlans applies every plan in plans/examples against a loopback
// assistant speaking its protocol: the same personas and thresholds pass
// whichever protocol ran.
func TestExamplePlans(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"voyager", "http", "webhook", "openai"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url, stats := exampleBot(t, name)
			ta := newTestApp(t)
			ta.environ = append(ta.environ, "BOT_TOKEN="+exampleToken)
			out := filepath.Join(t.TempDir(), "out")
			code := ta.main([]string{"apply", "../../plans/examples/" + name + ".hcl", "-var", "url=" + url,
				"--out", out, "--quiet", "--log-level", "debug"})
			if code != exitOK {
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, ta.out.String(), ta.err.String())
			}
			sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			c := sum.Metrics.Conversations
			if c.Started != 4 || c.Succeeded != 4 {
				t.Errorf("conversations %+v, want 4 started and succeeded", c)
			}
			if st := stats(); st.Requests == 0 || st.Unauthorized != 0 || st.Rejected != 0 {
				t.Errorf("bot %+v: want requests, all authorised and well-formed", st)
			}
			checkNoSecret(t, exampleToken, ta.out.Bytes(), ta.err.Bytes(), out)
			callbacks := name == "voyager" || name == "webhook"
			if announced := strings.Contains(ta.err.String(), "replies are delivered to http://"); announced != callbacks {
				t.Errorf("webhook URL announced: %v, want %v (only protocols with callbacks start a receiver):\n%s",
					announced, callbacks, ta.err.String())
			}
		})
	}
}

func TestPlanDescribesTheProtocol(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"http":    {`target "bot" → http POST http://127.0.0.1:8080/chat, reply in the response (session: body)`, "no webhook"},
		"webhook": {`webhook POST http://127.0.0.1:8080/messages, reply on a callback matched by body.conversation_id`, "webhook on 127.0.0.1:0"},
		"openai":  {`openai http://127.0.0.1:8080/v1/chat/completions (model parque-v1)`, "no webhook"},
		"voyager": {`target "voyager" → http://127.0.0.1:8000/v1/webhooks/widget (channel 68e4464832ec9940d9993a12)`},
		"whatsapp": {`whatsapp: signed deliveries to the simulator's bot, the hub.challenge handshake first, replies through the Graph API stand-in for phone number id 106540352242922`,
			"Graph API stand-in on 127.0.0.1:0"},
	}
	for name, wants := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			ta.environ = append(ta.environ, "BOT_TOKEN="+exampleToken)
			if code := ta.main([]string{"plan", "../../plans/examples/" + name + ".hcl"}); code != exitOK {
				t.Fatalf("exit %d\n%s", code, ta.err.String())
			}
			for _, want := range wants {
				if !strings.Contains(ta.out.String(), want) {
					t.Errorf("plan output lacks %q:\n%s", want, ta.out.String())
				}
			}
			if strings.Contains(ta.out.String(), exampleToken) {
				t.Error("plan printed the token")
			}
		})
	}
}

// TestSecretHeaderNeverRecorded runs the http example against a bot that
// refuses every request, so errors are recorded and logged, and checks the
// token from env() appears nowhere: not on stdout or stderr, not in any
// result file. The bot's stats prove the token was sent.
func TestSecretHeaderNeverRecorded(t *testing.T) {
	t.Parallel()
	// The bot wants another token, so every send fails with 401 and the
	// error paths (conversation error, run.log) run too.
	bot, err := protocoltest.NewChatBot(protocoltest.ChatOptions{Options: protocoltest.Options{Token: "the-right-one"}})
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	ta := newTestApp(t)
	ta.environ = append(ta.environ, "BOT_TOKEN="+exampleToken)
	out := filepath.Join(t.TempDir(), "out")
	code := ta.main([]string{"apply", "../../plans/examples/http.hcl", "-var", "url=" + bot.URL(),
		"--out", out, "--quiet", "--log-level", "debug"})
	if code != exitThreshold {
		t.Fatalf("exit %d, want 2 (every send refused)\nstdout:\n%s\nstderr:\n%s", code, ta.out.String(), ta.err.String())
	}
	if st := bot.Stats(); st.Unauthorized == 0 {
		t.Fatalf("bot %+v: the token was never presented", st)
	}
	convs, err := results.ReadJSONL(filepath.Join(out, "conversations.jsonl"))
	if err != nil || len(convs) != 4 || !strings.Contains(convs[0].Error, "401") {
		t.Fatalf("conversations.jsonl: %d lines (err %v), want 4 failed with HTTP 401", len(convs), err)
	}
	checkNoSecret(t, exampleToken, ta.out.Bytes(), ta.err.Bytes(), out)
}

// checkNoSecret fails when secret appears in stdout, stderr or any file
// under dir; it also requires the result files to be there.
func checkNoSecret(t *testing.T, secret string, stdout, stderr []byte, dir string) {
	t.Helper()
	for name, b := range map[string][]byte{"stdout": stdout, "stderr": stderr} {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("the secret appears on %s", name)
		}
	}
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		seen[d.Name()] = true
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("the secret appears in %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"summary.json", "conversations.jsonl", "run.log"} {
		if !seen[want] {
			t.Errorf("%s was not written", want)
		}
	}
}
