package run

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/internal/wait"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/rig"
	"github.com/voyplan/voyplan/engine/transcript"
)

// memSink keeps conversations in memory.
type memSink struct {
	mu    sync.Mutex
	convs []*transcript.Conversation
}

func (m *memSink) Write(c *transcript.Conversation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.convs = append(m.convs, c)
	return nil
}

// scriptLines is the Kataryna story as a script, from the repository's own
// persona file, so the test exercises the same flow the demo does.
func scriptLines(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("../../personas/kataryna.script")
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`split("\n", trimspace(templatefile(%q, { customer = data.customer })))`, abs)
}

// attrs is a set of HCL attributes, name to expression source.
type attrs map[string]string

// render writes defaults overridden by over, in a stable order.
func render(defaults, over attrs) string {
	all := merged(defaults, over)
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s = %s\n", k, all[k])
	}
	return b.String()
}

// merged is defaults overridden by over.
func merged(defaults, over attrs) attrs {
	out := attrs{}
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// testPlan loads a plan of users running the Kataryna script against the
// in-process simulator for 20 s; sim and conv override the simulator and
// conversation attributes.
func testPlan(t *testing.T, users int, sim, conv attrs) *plan.Plan {
	t.Helper()
	return simPlan(t, "test", 7, users, 20*time.Second, sim, conv,
		`threshold "success" { check = "conversations.success_rate >= 1" }`)
}

// simPlan loads the plan testPlan and faultPlan share: users running the
// Kataryna script against the in-process simulator, one stage of the given
// length, and extra blocks appended.
func simPlan(t *testing.T, name string, seed, users int, stage time.Duration, sim, conv attrs, extra string) *plan.Plan {
	t.Helper()
	src := simSource(t, name, seed, sim,
		merged(attrs{"max_turns": "20", "reply_timeout": `"2s"`, "reply_settle": `"50ms"`, "conversations_per_user": "1"}, conv),
		fmt.Sprintf(`stage "all" {
  users      = %d
  spawn_rate = 100
  duration   = "%s"
}`, users, stage), extra)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), name+".hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("%s plan does not load: %s", name, diags.Error())
	}
	return p
}

// simSource is the source of a plan whose users run the Kataryna script
// against the in-process simulator (5 ms latency unless sim says
// otherwise), with the conversation attributes conv, then the stage blocks
// and the extra blocks.
func simSource(t *testing.T, name string, seed int, sim, conv attrs, stages, extra string) string {
	t.Helper()
	return fmt.Sprintf(`
plan %q { seed = %d }
simulator {
%s}
target "sim" {}
data "customer" {
  name  = name()
  phone = br_mobile()
  email = email("example.com")
  cpf   = cpf()
}
persona "kataryna" { script = %s }
conversation {
%s}
%s
%s
`, name, seed, render(attrs{"latency": `"5ms"`}, sim), scriptLines(t), render(conv, nil), stages, extra)
}

func runPlan(t *testing.T, p *plan.Plan) (*Result, []*transcript.Conversation) {
	t.Helper()
	return runPlanWith(t, p, Options{})
}

// runPlanWith runs p with opts, into a memory sink and with a 10 s
// graceful stop, and checks every conversation was accounted for.
func runPlanWith(t *testing.T, p *plan.Plan, opts Options) (*Result, []*transcript.Conversation) {
	t.Helper()
	sink := &memSink{}
	opts.Sink, opts.GracefulStop = sink, 10*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rg, err := rig.Open(ctx, p, rig.Options{}) // as apply does: the caller opens the rig
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	defer rg.Close()
	opts.Rig = rg
	res, err := New(p, opts).Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkAccounted(t, res, sink.convs)
	return res, sink.convs
}

// checkAccounted asserts the invariant every run keeps: every conversation
// that started was handed over exactly once, with an outcome, and the counts
// add up.
func checkAccounted(t *testing.T, res *Result, convs []*transcript.Conversation) {
	t.Helper()
	c := res.Snapshot.Conversations
	if int(c.Started) != len(convs) {
		t.Errorf("started = %d but %d conversations were written", c.Started, len(convs))
	}
	if c.Started != c.Succeeded+c.Failed+c.Abandoned+c.Interrupted {
		t.Errorf("started %d != succeeded %d + failed %d + abandoned %d + interrupted %d",
			c.Started, c.Succeeded, c.Failed, c.Abandoned, c.Interrupted)
	}
	seen := map[string]bool{}
	for _, cv := range convs {
		if seen[cv.ID] {
			t.Errorf("conversation %s written twice", cv.ID)
		}
		seen[cv.ID] = true
		if cv.Outcome == "" {
			t.Errorf("conversation %s has no outcome", cv.ID)
		}
	}
}

var payLink = regexp.MustCompile(`https://pay\.smarttalks\.ai/[0-9a-f]{24}`)

func TestCompletesOnlyAtThePaymentLink(t *testing.T) {
	t.Parallel()
	// Every reply carries an image, and the ticket list carries an
	// informational URL: neither may end the conversation.
	p := testPlan(t, 3, attrs{"image_every": "1"}, nil)
	res, convs := runPlan(t, p)
	if got := res.Snapshot.Conversations.Succeeded; got != 3 {
		t.Fatalf("succeeded = %d, want 3 (%+v)", got, res.Snapshot.Conversations)
	}
	for _, c := range convs {
		last := c.Turns[len(c.Turns)-1]
		if !payLink.MatchString(plan.ReplyText(last.Messages)) {
			t.Errorf("conversation %s completed at turn %d whose reply has no payment link: %+v", c.ID, last.N, last.Messages)
		}
		sawURL, sawImage := false, false
		for _, turn := range c.Turns[:len(c.Turns)-1] {
			text := plan.ReplyText(turn.Messages)
			if payLink.MatchString(text) {
				t.Errorf("payment link at turn %d but the conversation went on", turn.N)
			}
			sawURL = sawURL || strings.Contains(text, "https://www.")
			for _, m := range turn.Messages {
				if m.Type == "media" && m.Link != "" && m.Text == "" {
					sawImage = true
				}
			}
		}
		if !sawURL || !sawImage {
			t.Errorf("conversation %s: before the payment link saw non-payment URL %v, image %v; the test needs both", c.ID, sawURL, sawImage)
		}
		if c.Outcome != transcript.Completed || c.Reason != "" || len(c.Turns) != 12 {
			t.Errorf("conversation %s: outcome %q reason %q after %d turns, want completed after 12", c.ID, c.Outcome, c.Reason, len(c.Turns))
		}
		for _, turn := range c.Turns {
			if turn.ReplyMS == nil || *turn.ReplyMS < 5 {
				t.Errorf("turn %d: reply_ms %v, want ≥ the simulator's 5ms latency", turn.N, turn.ReplyMS)
			}
		}
	}
	if res.Snapshot.Reply.Count != 36 || res.Snapshot.Send.Count != 36 {
		t.Errorf("send/reply counts %d/%d, want 36 each", res.Snapshot.Send.Count, res.Snapshot.Reply.Count)
	}
}

func TestSplitReplyIsGatheredIntoItsTurn(t *testing.T) {
	t.Parallel()
	// The parts come 20ms apart; the settle leaves room for a loaded machine.
	p := testPlan(t, 2, attrs{"split_every": "1"}, attrs{"reply_settle": `"300ms"`})
	res, convs := runPlan(t, p)
	if res.Snapshot.Conversations.Succeeded != 2 {
		t.Fatalf("conversations %+v, want 2 succeeded", res.Snapshot.Conversations)
	}
	for _, c := range convs {
		for _, turn := range c.Turns {
			if turn.Callbacks != 2 {
				t.Errorf("turn %d: %d callbacks, want 2", turn.N, turn.Callbacks)
			}
			if len(turn.Late) != 0 {
				t.Errorf("turn %d: late items %+v: the second part went astray", turn.N, turn.Late)
			}
		}
		// The payment link is in the second half of the final reply.
		if last := c.Turns[len(c.Turns)-1]; !payLink.MatchString(plan.ReplyText(last.Messages)) {
			t.Errorf("final turn lost a part: %+v", last.Messages)
		}
	}
}

func TestReplyTimeout(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"drop_rate": "1"}, attrs{"reply_timeout": `"300ms"`})
	res, convs := runPlan(t, p)
	c := res.Snapshot.Conversations
	if c.Failed != 2 || c.Reasons[transcript.ReasonReplyTimeout] != 2 {
		t.Fatalf("conversations %+v, want 2 failed by reply_timeout", c)
	}
	for _, cv := range convs {
		if len(cv.Turns) != 1 || cv.Turns[0].ReplyMS != nil {
			t.Errorf("conversation %s: turns %+v, want one turn without a reply", cv.ID, cv.Turns)
		}
	}
	if res.Snapshot.Reply.Failed != 2 {
		t.Errorf("reply.failed = %d, want 2", res.Snapshot.Reply.Failed)
	}
}

func TestSendError(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"fail_rate": "1"}, nil)
	res, convs := runPlan(t, p)
	c := res.Snapshot.Conversations
	if c.Failed != 2 || c.Reasons[transcript.ReasonSendError] != 2 {
		t.Fatalf("conversations %+v, want 2 failed by send_error", c)
	}
	if res.Snapshot.Send.Failed != 2 || res.Snapshot.Send.ErrorRate != 1 {
		t.Errorf("send %+v, want 2 failed, error rate 1", res.Snapshot.Send)
	}
	for _, cv := range convs {
		if cv.Turns[0].Status != 500 || !strings.Contains(cv.Error, "500") {
			t.Errorf("conversation %s: status %d error %q, want HTTP 500 recorded", cv.ID, cv.Turns[0].Status, cv.Error)
		}
	}
}

func TestStopInterruptsInFlightAfterTheirTurn(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 4, attrs{"latency": `"100ms"`}, attrs{"conversations_per_user": "0"})
	sink := &memSink{}
	r := New(p, Options{Sink: sink, GracefulStop: 5 * time.Second})
	time.AfterFunc(700*time.Millisecond, r.Stop)
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	if !res.Interrupted || res.Snapshot.Conversations.Interrupted != 4 {
		t.Fatalf("interrupted %v, conversations %+v: want 4 interrupted", res.Interrupted, res.Snapshot.Conversations)
	}
	if el := res.EndedAt.Sub(res.StartedAt); el > 5*time.Second {
		t.Errorf("stop took %s: in-flight conversations should end after their current turn", el)
	}
}

func TestRunEndsWhenEveryUserIsDone(t *testing.T) {
	t.Parallel()
	// The stage lasts 20s, but each user holds one short conversation.
	p := testPlan(t, 2, nil, nil)
	res, _ := runPlan(t, p)
	if el := res.EndedAt.Sub(res.StartedAt); el > 10*time.Second {
		t.Errorf("run took %s; it should end as soon as every user is done", el)
	}
	if res.Interrupted {
		t.Error("a run that ended by itself is marked interrupted")
	}
}

func TestGracefulStopCutsConversationsAtTheEnd(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"latency": `"400ms"`}, attrs{"conversations_per_user": "0"})
	p.Stages[0].Duration = time.Second
	sink := &memSink{}
	res, err := New(p, Options{Sink: sink, GracefulStop: 300 * time.Millisecond}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	if got := res.Snapshot.Conversations.Interrupted; got != 2 {
		t.Errorf("interrupted = %d, want the 2 conversations in flight at the end", got)
	}
	if res.Interrupted {
		t.Error("a run whose schedule ended is not itself interrupted")
	}
}

func TestPortInUseIsAnError(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 1, nil, nil)
	first, err := rig.Open(context.Background(), p, rig.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	p.Webhook.Listen = first.Receiver().Addr()
	if _, err := New(p, Options{}).Run(context.Background()); err == nil || !strings.Contains(err.Error(), first.Receiver().Addr()) {
		t.Fatalf("Run on a busy port: err = %v, want one naming %s", err, first.Receiver().Addr())
	}
}

// A turn cut by the run while its reply settles keeps what came of it:
// every callback the receiver handed to a conversation is in a transcript
// (received = taken + malformed + unmatched + duplicates + late), where the
// interrupted turn used to drop it.
func TestCutWhileSettlingKeepsWhatCame(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 3, attrs{"latency": `"10ms"`}, attrs{"reply_settle": `"1m"`, "reply_timeout": `"1m"`})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rg := openRig(t, p)
	sink := &memSink{}
	r := New(p, Options{Sink: sink, Rig: rg, GracefulStop: time.Millisecond})
	go func() { // every first reply in, each turn settling for a minute: stop, and cut them
		for rg.Stats().Received < 3 && ctx.Err() == nil {
			wait.For(ctx, 5*time.Millisecond)
		}
		r.Stop()
	}()
	res, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	checkWebhook(t, res, sink.convs)
	if len(sink.convs) != 3 {
		t.Fatalf("%d conversations, want 3", len(sink.convs))
	}
	for _, c := range sink.convs {
		if c.Outcome != transcript.Interrupted || len(c.Turns) != 1 || c.Turns[0].Callbacks == 0 || len(c.Turns[0].Messages) == 0 {
			t.Errorf("conversation %s: %s, turns %+v: want interrupted with the reply that came", c.ID, c.Outcome, c.Turns)
		}
	}
}
