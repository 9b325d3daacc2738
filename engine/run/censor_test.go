package run

import (
	"math"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// TestTimedOutRepliesCountInTheLatency: with every reply dropped, each
// conversation's first wait times out. Those waits count in reply at the
// time they waited (censored), so a threshold on reply.p95 below the reply
// timeout fails — it used to pass on the successful replies alone (none
// here: p95 read 0). reply_ok keeps the successful replies only.
func TestTimedOutRepliesCountInTheLatency(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	p := faultPlan(t, 4, 20*time.Second, attrs{"drop_rate": "1"}, attrs{"reply_timeout": `"300ms"`},
		`threshold "fast" { check = "reply.p95 < duration('250ms')" }
threshold "fast_ok" {
  check      = "reply_ok.p95 < duration('250ms')"
  on_no_data = "pass" # no reply came: nothing to judge of the successful ones
}`)
	res, convs := runFaults(t, p)
	s := res.Snapshot
	if got := s.Conversations.Reasons[transcript.ReasonReplyTimeout]; got != 4 {
		t.Fatalf("reply timeouts %d, want 4: %+v", got, s.Conversations)
	}
	if r := s.Reply; r.Count != 4 || r.Failed != 4 || r.Censored != 4 || r.Min < timeout || r.P95 < timeout {
		t.Errorf("reply = %+v; want 4 counted, failed and censored, all at ≥ %v", r, timeout)
	}
	for _, c := range convs {
		if waited := c.EndedAt.Sub(c.Turns[0].SentAt); waited < s.Reply.Min {
			t.Errorf("conversation %s ended %v after its POST, less than the censored wait %v", c.ID, waited, s.Reply.Min)
		}
	}
	if r := s.ReplyOK; r.Count != 4 || r.Failed != 4 || r.Censored != 0 || r.Max != 0 {
		t.Errorf("reply_ok = %+v; want 4 counted and failed, none timed", r)
	}
	rs := verdict.Evaluate(p.Thresholds, s)
	if rs[0].Pass || !rs[1].Pass || !rs[1].NoData {
		t.Errorf("thresholds %+v: want reply.p95 to fail on the timed-out waits, and reply_ok to have no data (passed by on_no_data)", rs)
	}
}

// TestSomeTimedOutRepliesAreCensored: with some replies dropped, every
// timed-out wait is censored and timed at least at the reply timeout, and
// the successful replies stay as they were in reply_ok.
func TestSomeTimedOutRepliesAreCensored(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	p := faultPlan(t, 8, 20*time.Second, attrs{"drop_rate": "0.25"}, attrs{"reply_timeout": `"300ms"`}, "")
	res, convs := runFaults(t, p)
	s := res.Snapshot
	timeouts := s.Conversations.Reasons[transcript.ReasonReplyTimeout]
	var replied int64
	var slowest float64 // the slowest reply that came, as its transcript has it
	for _, c := range convs {
		for _, turn := range c.Turns {
			if turn.ReplyMS != nil {
				replied++
				slowest = max(slowest, *turn.ReplyMS)
			}
		}
	}
	if s.Reply.Censored != timeouts || s.Reply.Failed != timeouts || s.Reply.Count != replied+timeouts {
		t.Errorf("reply = %+v; want %d censored and failed of %d", s.Reply, timeouts, replied+timeouts)
	}
	if timeouts > 0 && s.Reply.Max < timeout {
		t.Errorf("reply.max %v with %d timed-out waits, want ≥ %v", s.Reply.Max, timeouts, timeout)
	}
	// reply_ok's slowest is the slowest reply that came, not a censored
	// wait. (A reply may take longer than reply_timeout and still come in
	// time: it is timed from the POST's start, the timeout from its end.)
	okMax := transcript.Ms(s.ReplyOK.Max)
	if s.ReplyOK.Count != s.Reply.Count || s.ReplyOK.Censored != 0 || math.Abs(okMax-slowest) > 0.01*slowest+0.01 {
		t.Errorf("reply_ok = %+v; want the %d replies that came, the slowest %.3f ms", s.ReplyOK, replied, slowest)
	}
}

// TestTimedOutSendsAreCensored: a POST that outlives the target's timeout
// counts in send at the time it waited; a refused one (see
// TestDeadTarget…) is counted, not timed.
func TestTimedOutSendsAreCensored(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"slow_post": `"2s"`}, nil)
	p.Target.Timeout = 200 * time.Millisecond
	res, _ := runFaults(t, p)
	s := res.Snapshot
	if r := s.Send; r.Count != 2 || r.Censored != 2 || r.Min < 200*time.Millisecond || r.P95 < 200*time.Millisecond {
		t.Errorf("send = %+v; want 2 censored at ≥ 200ms", r)
	}
	if r := s.SendOK; r.Count != 2 || r.Failed != 2 || r.Max != 0 {
		t.Errorf("send_ok = %+v; want 2 failed, none timed", r)
	}
}
