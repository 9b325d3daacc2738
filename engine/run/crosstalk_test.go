package run

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// crosstalkPlan is users running the Kataryna script, plus a thank-you
// after the payment link, against the simulator answering at once with
// crosstalk_rate: the conversation completes on the closing line, so every
// payment link was read by its own conversation before another one may be
// sent it. Users start at spawn a second: a conversation takes
// milliseconds, so few are in flight at once, however many the run holds.
func crosstalkPlan(t *testing.T, users, spawn int, rate float64) *plan.Plan {
	t.Helper()
	return crosstalkSource(t, users, spawn, fmt.Sprintf(`
simulator {
  latency        = "0s"
  crosstalk_rate = %g
}
target "sim" {}
`, rate), `concat(`+scriptLines(t)+`, ["Obrigada!"])`, "reply matches 'finalizado'")
}

// crosstalkSource loads the plan crosstalkPlan and the clean run share,
// with target (and simulator) blocks, a script and complete_when.
func crosstalkSource(t *testing.T, users, spawn int, target, script, complete string) *plan.Plan {
	t.Helper()
	src := fmt.Sprintf(`
plan "crosstalk" { seed = 11 }
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
  reply_timeout          = "60s"
  reply_settle           = "0s"
  think_time             = "0s"
  conversations_per_user = 1
  complete_when          = %q
}
stage "all" {
  users      = %d
  spawn_rate = %d
  duration   = "10m"
}
threshold "no_crosstalk" { check = "conversations.crosstalk == 0" }
`, target, script, complete, users, spawn)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "crosstalk.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("plan does not load: %s", diags.Error())
	}
	return p
}

// runCrosstalk runs p and returns what the simulator injected with the
// run's result.
func runCrosstalk(t *testing.T, p *plan.Plan) (*Result, []*transcript.Conversation, uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	rg := openRig(t, p)
	sink := &memSink{}
	res, err := New(p, Options{Sink: sink, Rig: rg, GracefulStop: 30 * time.Second}).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	for i, c := range sink.convs {
		if c.Outcome != transcript.Completed && i < 3 {
			t.Logf("user %d: %s %s after %d turns: %s", c.User, c.Outcome, c.Reason, len(c.Turns), c.Error)
		}
	}
	st, _ := rg.SimStats()
	return res, sink.convs, st.Crosstalk
}

// injected reports a reply the simulator added another conversation's
// name or link to (sim/crosstalk.go's lines).
func injected(msgs []transcript.Message) bool {
	for _, m := range msgs {
		if strings.HasPrefix(m.Text, "Pedido registrado em nome de ") || strings.HasPrefix(m.Text, "Seu link de pagamento: ") {
			return true
		}
	}
	return false
}

// TestEveryInjectedCrosstalkIsCaught: every reply the simulator leaked
// into is flagged, on that turn, and no other. (The clean run of 2,000
// conversations is cmd/voyplan's TestProcessNoCrosstalkOnACleanRun: a
// built binary, without the race detector's cost.)
func TestEveryInjectedCrosstalkIsCaught(t *testing.T) {
	t.Parallel()
	res, convs, sent := runCrosstalk(t, crosstalkPlan(t, 100, 50, 0.2))
	c := res.Snapshot.Conversations
	var flagged, links, names, put int64
	for _, cv := range convs {
		for _, turn := range cv.Turns {
			if got, want := len(turn.Crosstalk) > 0, injected(turn.Messages); got != want {
				t.Errorf("user %d turn %d: flagged %v (%v), injected %v: %q", cv.User, turn.N, got, turn.Crosstalk, want, plan.ReplyText(turn.Messages))
			}
			for _, l := range turn.Crosstalk {
				if l.User == cv.User {
					t.Errorf("user %d turn %d: flagged its own data: %v", cv.User, turn.N, turn.Crosstalk)
				}
				switch l.Field {
				case "link":
					links++
				case "customer.name":
					names++
				default:
					t.Errorf("user %d turn %d: leak of %q, the simulator leaks names and links only", cv.User, turn.N, l.Field)
				}
			}
			if len(turn.Crosstalk) > 0 {
				flagged++
			}
			if injected(turn.Messages) {
				put++
			}
		}
	}
	if flagged != c.Crosstalk || put != flagged {
		t.Errorf("replies with a leak %d, flagged turns %d, conversations.crosstalk = %d: want all equal", put, flagged, c.Crosstalk)
	}
	// A reply that never came (a loaded machine's reply timeout) was
	// counted by the simulator and seen by no one: compare only then.
	if c.Succeeded == c.Started && uint64(put) != sent {
		t.Errorf("simulator injected %d, %d arrived in replies", sent, put)
	}
	if put < 40 || links == 0 || names == 0 {
		t.Errorf("injected %d (links %d, names %d): the test needs both kinds, and enough of them", put, links, names)
	}
}
