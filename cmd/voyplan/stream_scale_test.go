package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// streamScaleUsers is how many concurrent streaming conversations
// TestProcessStreamingScale holds per protocol: 100 by default (every CI
// run), VOYPLAN_STREAM_SCALE_USERS to change it — the figure is
// 1,000 (make scale).
func streamScaleUsers(t *testing.T) int {
	t.Helper()
	s := os.Getenv("VOYPLAN_STREAM_SCALE_USERS")
	if s == "" {
		return 100
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("VOYPLAN_STREAM_SCALE_USERS=%q is not a number of users", s)
	}
	return n
}

// streamScaleTargets are the SSE and WebSocket targets of the scale test,
// on the simulator at base.
var streamScaleTargets = map[string]string{
	"sse": `target "sim" {
  protocol = "sse"
  request {
    url  = "%s/v1/sse"
    body = jsonencode({ conversation_id = conversation.id, message = message })
  }
  events {
    text = "event == 'delta' ? data.text : nil"
    end  = "event == 'done'"
  }
}`,
	"websocket": `target "sim" {
  protocol = "websocket"
  url      = "%s/v1/ws"
  hello    = jsonencode({ type = "hello", conversation_id = conversation.id })
  send     = jsonencode({ type = "message", text = message, turn = turn })
  frames {
    text = "data.type == 'delta' ? data.text : nil"
    end  = "data.type == 'done'"
  }
}`,
}

// TestProcessStreamingScale holds every conversation's stream open at
// once against `voyplan sim` in a second process — SSE and WebSocket,
// the first chunk 3 s after each message — and none may fail, be cut or
// lose its connection.
func TestProcessStreamingScale(t *testing.T) {
	t.Parallel()
	users := streamScaleUsers(t)
	bin := buildVoyplan(t)
	widget, sim := startSim(t, bin, "--first-chunk", "3s", "--chunk-interval", "20ms", "--image-every", "0")
	base := strings.TrimSuffix(widget, "/v1/webhooks/widget")
	for _, proto := range []string{"sse", "websocket"} {
		t.Run(proto, func(t *testing.T) {
			target := fmt.Sprintf(streamScaleTargets[proto], base)
			if proto == "websocket" {
				target = fmt.Sprintf(streamScaleTargets[proto], strings.Replace(base, "http://", "ws://", 1))
			}
			src := fmt.Sprintf(`
plan "stream-scale" { seed = 19 }
%s
persona "p" { script = ["Olá", "Quero comprar ingressos"] }
conversation {
  reply_timeout          = "60s"
  conversations_per_user = 1
  complete_when          = "turn >= 2"
}
stage "all" {
  users      = %d
  spawn_rate = %d
  duration   = "3m"
}
threshold "no_errors" {
  check = "conversations.succeeded == %d && send.failed == 0 && reply.failed == 0 && stream.incomplete == 0 && stream.closes == 0 && stream.connect_failures == 0"
}
`, target, users, users/2, users)
			plan := filepath.Join(t.TempDir(), "stream-scale.hcl")
			if err := os.WriteFile(plan, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			p := startProc(t, bin, nil, "apply", plan, "--out", out, "--quiet")
			if code := p.wait(t, 3*time.Minute); code != exitOK {
				log, _ := os.ReadFile(filepath.Join(out, "run.log"))
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s\nsimulator:\n%s\nrun.log:\n%s", code, p.stdout.String(),
					tail(p.stderr.String()), sim.stdout.String(), tail(string(log)))
			}
			convs := readConversationsStrict(t, out)
			if len(convs) != users {
				t.Fatalf("%d conversations, want %d", len(convs), users)
			}
			if peak := peakConcurrency(convs); peak < users*9/10 {
				t.Errorf("at most %d conversations were in flight at once, want nearly all %d", peak, users)
			}
		})
	}
}
