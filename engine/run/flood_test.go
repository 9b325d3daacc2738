package run

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
	"github.com/voyplan/voyplan/engine/webhook/webhooktest"
)

// floodConns is the size of the flood a public receiver must shrug off
// (the figure of the issue that found it losing callbacks); -short floods
// less.
func floodConns() int {
	if testing.Short() {
		return 2_000
	}
	return 20_000
}

// A flood of connections without the run's token, each sending one
// "GET /" and keeping its connection alive, opened against the receiver
// while 200 users hold conversations, costs no callback: every message the
// assistant accepted got its reply, no conversation failed for want of
// one, the thresholds on replies hold, and the refusals are counted in the
// metrics. (Sends go to the simulator, not to the flooded receiver: a send
// that a starved machine cuts is logged, not counted against the
// receiver.)
func TestFloodDuringARunLosesNoCallback(t *testing.T) {
	p := faultPlan(t, 200, 10*time.Minute, nil, // the run lasts as long as the flood: Stop ends it
		attrs{"reply_timeout": `"20s"`, "conversations_per_user": "0", "pacing": `"100ms"`, "think_time": `"50ms"`},
		`threshold "no_timeouts" { check = "reply.failed == 0" }
threshold "flood_seen" { check = "webhook.refused > 0" }`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rg := openRig(t, p)
	sink := &memSink{}
	var r *Runner
	flooded := make(chan int64, 1)
	r = New(p, Options{Sink: sink, Rig: rg, GracefulStop: 30 * time.Second, Ready: func(publicURL string) {
		addr := strings.TrimPrefix(publicURL, "http://")
		go func() {
			closed := webhooktest.Flood(ctx, addr, floodConns(), 256, 0)
			flooded <- closed
			r.Stop() // the run lasts as long as the flood
		}()
	}})
	res, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	closed := <-flooded
	checkAccounted(t, res, sink.convs)
	checkWebhook(t, res, sink.convs)
	s := res.Snapshot
	if want := int64(floodConns()); closed != want {
		t.Errorf("the receiver closed %d of the flood's %d connections", closed, want)
	}
	if s.Reply.Failed != 0 || s.Reply.Count == 0 || s.Conversations.Reasons[transcript.ReasonReplyTimeout] != 0 {
		t.Errorf("conversations %+v, reply count %d failed %d: want every reply delivered under the flood",
			s.Conversations, s.Reply.Count, s.Reply.Failed)
	}
	for _, c := range sink.convs {
		switch {
		case c.Outcome == transcript.Completed || c.Outcome == transcript.Interrupted:
		case c.Reason == transcript.ReasonSendError:
			t.Logf("conversation %s: a send to the simulator failed (%s): not the receiver's doing", c.ID, c.Error)
		default:
			t.Errorf("conversation %s: %s (%s %s)", c.ID, c.Outcome, c.Reason, c.Error)
		}
	}
	if !verdict.Passed(verdict.Evaluate(p.Thresholds, s)) {
		t.Errorf("the verdict flipped under the flood: %+v", verdict.Evaluate(p.Thresholds, s))
	}
	simStats, _ := rg.SimStats()
	t.Logf("%d replies, %d conversations during a flood of %d connections; refused %+v; simulator %+v",
		s.Reply.Count, s.Conversations.Started, floodConns(), s.Webhook.RefusedBy, simStats)
}

// Callbacks signed with the plan's secret are delivered; signed with
// another, every one is refused and counted, and the conversations fail
// for want of a reply.
func TestSignedCallbacks(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, secret string
		ok           bool
	}{{"the plan's secret", "s3cret", true}, {"another secret", "wrong", false}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := faultPlan(t, 3, 5*time.Second, attrs{"sign_secret": `"s3cret"`}, attrs{"reply_timeout": `"300ms"`},
				`webhook { signature_secret = "`+tt.secret+`" }`)
			res, _ := runFaults(t, p)
			s := res.Snapshot
			switch {
			case tt.ok && (s.Conversations.Succeeded != 3 || s.Webhook.Refused != 0):
				t.Errorf("conversations %+v, webhook %+v: want 3 completed, nothing refused", s.Conversations, s.Webhook)
			case !tt.ok && (s.Conversations.Reasons[transcript.ReasonReplyTimeout] != 3 ||
				s.Webhook.RefusedBy.Signature < 3 || s.Webhook.Received != 0):
				t.Errorf("conversations %+v, webhook %+v: want every callback refused for its signature", s.Conversations, s.Webhook)
			}
		})
	}
}
