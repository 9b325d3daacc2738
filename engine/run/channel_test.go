package run

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/sim"
	"github.com/voyplan/voyplan/engine/verdict"
)

// webhookFaultsPlan is a webhook target speaking the simulator's widget
// API (callbacks by path, a URL per turn) through channel_faults.
func webhookFaultsPlan(t *testing.T, simURL string, users int, faults string, extra ...string) *plan.Plan {
	t.Helper()
	return protocolPlan(t, users, fmt.Sprintf(`
target "bot" {
  protocol = "webhook"
  request {
    url  = %q
    body = jsonencode({ type = "text", text = message, clientIdentifier = conversation.id, channelId = "ch-1" })
  }
  callback {
    url_field = "webhook"
  }
  channel_faults {
    %s
  }
}
%s`, simURL, faults, strings.Join(extra, "\n")))
}

// startSim starts the simulator with opts for one test.
func startSim(t *testing.T, opts sim.Options) *sim.Server {
	t.Helper()
	s, err := sim.Listen("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestWebhookRedeliveryIdempotent: every message of a webhook target is
// delivered again with the same Idempotency-Key once its reply came; the
// simulator takes each copy without answering it, so the conversations
// complete and channel.duplicate_replies stays 0.
func TestWebhookRedeliveryIdempotent(t *testing.T) {
	t.Parallel()
	const users = 3
	s := startSim(t, sim.Options{Latency: 5 * time.Millisecond, ImageEvery: 3})
	res, convs := runPlan(t, webhookFaultsPlan(t, s.URL(), users, "redeliver_rate = 1"))
	checkCompleted(t, res, convs, users)
	ch, turns := res.Snapshot.Channel, res.Snapshot.Conversations.Turns
	if ch.Redelivered != turns || ch.DuplicateReplies != 0 || ch.OutOfOrder != 0 || ch.Delayed != 0 {
		t.Errorf("channel %+v over %d turns: want every message re-delivered once and no duplicate reply", ch, turns)
	}
	if st := s.Stats(); st.Repeats != uint64(turns) {
		t.Errorf("the simulator saw %d repeats, want %d (one per message, by its Idempotency-Key)", st.Repeats, turns)
	}
}

// TestWebhookRedeliveryNotIdempotent: the simulator's not_idempotent bot
// answers the copies again; channel.duplicate_replies counts the answers
// that came while their conversation was open, and the threshold
// channel.duplicate_replies == 0 fails.
func TestWebhookRedeliveryNotIdempotent(t *testing.T) {
	t.Parallel()
	const users = 3
	s := startSim(t, sim.Options{Latency: 5 * time.Millisecond, NotIdempotent: true})
	p := webhookFaultsPlan(t, s.URL(), users, "redeliver_rate = 1", `threshold "no_double_answers" { check = "channel.duplicate_replies == 0" }`)
	res, _ := runPlan(t, p)
	ch, turns := res.Snapshot.Channel, res.Snapshot.Conversations.Turns
	t.Logf("channel %+v over %d turns; simulator %+v", ch, turns, s.Stats())
	if ch.Redelivered != turns || ch.DuplicateReplies == 0 || ch.DuplicateReplies > ch.Redelivered {
		t.Errorf("channel %+v over %d turns: want every message re-delivered and answered again", ch, turns)
	}
	if s.Stats().Repeats != 0 {
		t.Errorf("a not-idempotent simulator ignored %d repeats", s.Stats().Repeats)
	}
	for _, r := range verdict.Evaluate(p.Thresholds, res.Snapshot) {
		if r.Name == "no_double_answers" && r.Pass {
			t.Error("channel.duplicate_replies == 0 held against a bot that answers twice")
		}
	}
}

// TestWebhookReorderAndDelay: with reorder_rate = 1 each copy is held back
// until the customer's next message went out — out of order, counted — and
// the last message's copy is never sent; delay holds every delivery back.
func TestWebhookReorderAndDelay(t *testing.T) {
	t.Parallel()
	const users = 2
	s := startSim(t, sim.Options{Latency: 5 * time.Millisecond, ImageEvery: 3})
	res, convs := runPlan(t, webhookFaultsPlan(t, s.URL(), users, `redeliver_rate = 1
    reorder_rate   = 1
    delay          = ["5ms", "20ms"]`))
	checkCompleted(t, res, convs, users)
	ch, turns := res.Snapshot.Channel, res.Snapshot.Conversations.Turns
	if want := turns - users; ch.Redelivered != want || ch.OutOfOrder != want || ch.DuplicateReplies != 0 {
		t.Errorf("channel %+v over %d turns: want %d copies, each after the next message", ch, turns, want)
	}
	if ch.Delayed < turns+ch.Redelivered || ch.Delayed > 2*turns {
		t.Errorf("%d delayed: want every message and copy held back (%d + %d)", ch.Delayed, turns, ch.Redelivered)
	}
	if s.Stats().Repeats != uint64(ch.Redelivered) {
		t.Errorf("the simulator saw %d repeats, want the %d copies", s.Stats().Repeats, ch.Redelivered)
	}
}

// TestChannelFaultsSeeded: the same seed re-delivers the same messages;
// another seed, others.
func TestChannelFaultsSeeded(t *testing.T) {
	t.Parallel()
	s := startSim(t, sim.Options{Latency: 5 * time.Millisecond, ImageEvery: 3})
	run := func(seed uint64) metrics.Channel {
		p := webhookFaultsPlan(t, s.URL(), 3, "redeliver_rate = 0.5")
		p.Seed = seed
		res, convs := runPlan(t, p)
		checkCompleted(t, res, convs, 3)
		return res.Snapshot.Channel
	}
	a, b := run(7), run(7)
	if a != b || a.Redelivered == 0 || a.Redelivered == 36 {
		t.Errorf("seed 7 twice: %+v and %+v, want the same faults, some messages re-delivered and not all", a, b)
	}
	differ := false
	for seed := uint64(8); seed < 12 && !differ; seed++ {
		differ = run(seed) != a
	}
	if !differ {
		t.Error("four other seeds made the same faults as seed 7")
	}
}
