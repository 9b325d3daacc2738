package run

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol/widget"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// faultPlan is testPlan with more blocks appended (thresholds, a webhook
// block) and a stage of the given length.
func faultPlan(t *testing.T, users int, stage time.Duration, sim, conv attrs, extra string) *plan.Plan {
	t.Helper()
	return simPlan(t, "faults", 11, users, stage, sim, conv, extra)
}

// checkWebhook asserts the receiver's accounting once a run is over: every
// callback received was taken as (part of) a reply or counted as
// malformed, unmatched, duplicate or late — and the snapshot carries the
// receiver's own counters.
func checkWebhook(t *testing.T, res *Result, convs []*transcript.Conversation) {
	t.Helper()
	w := res.Snapshot.Webhook
	if want := webhookOf(res); w != want {
		t.Errorf("snapshot webhook %+v, receiver %+v", w, want)
	}
	var taken int64
	for _, c := range convs {
		for _, turn := range c.Turns {
			taken += int64(turn.Callbacks)
		}
	}
	if got := taken + w.Malformed + w.Unmatched + w.Duplicates + w.Late; got != w.Received {
		t.Errorf("received %d != taken %d + malformed %d + unmatched %d + duplicates %d + late %d",
			w.Received, taken, w.Malformed, w.Unmatched, w.Duplicates, w.Late)
	}
}

func webhookOf(res *Result) metrics.Webhook {
	s := res.Webhook
	by := metrics.Refused{Connections: int64(s.Refused.Connections), Token: int64(s.Refused.Token),
		Signature: int64(s.Refused.Signature), Oversize: int64(s.Refused.Oversize), Busy: int64(s.Refused.Busy)}
	return metrics.Webhook{Received: int64(s.Received), Malformed: int64(s.Malformed),
		Unmatched: int64(s.Unmatched), Duplicates: int64(s.Duplicates), Late: int64(s.Late),
		Refused: by.Total(), RefusedBy: by}
}

func runFaults(t *testing.T, p *plan.Plan) (*Result, []*transcript.Conversation) {
	t.Helper()
	res, convs := runPlan(t, p) // checks started = completed + failed + abandoned + interrupted
	checkWebhook(t, res, convs)
	return res, convs
}

func TestFaultSend503IsRetried(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 3, attrs{"fail_rate": "0.3", "fail_status": "503"}, nil)
	p.Target.Retries = 10 // all of 11 attempts failing: 0.3^11, about 2e-6 per message
	res, convs := runFaults(t, p)
	s := res.Snapshot
	if s.Conversations.Succeeded != 3 || s.Send.Failed != 0 {
		t.Fatalf("conversations %+v, send %+v: every message should get through on a retry", s.Conversations, s.Send)
	}
	var attempts int64
	for _, c := range convs {
		for _, turn := range c.Turns {
			if turn.Attempts < 1 || turn.Status != http.StatusAccepted {
				t.Errorf("turn %d: %d attempts, status %d", turn.N, turn.Attempts, turn.Status)
			}
			attempts += int64(turn.Attempts)
		}
	}
	if s.Send.Attempts != attempts || attempts <= s.Send.Count {
		t.Errorf("send.attempts %d, turns' attempts %d, send.count %d: want retries counted", s.Send.Attempts, attempts, s.Send.Count)
	}
}

func TestFaultSend503ExhaustsRetries(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"fail_rate": "1", "fail_status": "503"}, nil)
	p.Target.Retries = 2
	res, convs := runFaults(t, p)
	c := res.Snapshot.Conversations
	if c.Failed != 2 || c.Reasons[transcript.ReasonSendError] != 2 {
		t.Fatalf("conversations %+v, want 2 failed by send_error", c)
	}
	for _, cv := range convs {
		turn := cv.Turns[0]
		if turn.Status != 503 || turn.Attempts != 3 || !strings.Contains(cv.Error, "HTTP 503 (after 3 attempts)") {
			t.Errorf("conversation %s: status %d, %d attempts, error %q", cv.ID, turn.Status, turn.Attempts, cv.Error)
		}
	}
	if res.Snapshot.Send.Attempts != 6 || res.Snapshot.Webhook.Received != 0 {
		t.Errorf("send.attempts %d (want 6), webhook %+v (want nothing)", res.Snapshot.Send.Attempts, res.Snapshot.Webhook)
	}
}

func TestFault4xxIsNotRetried(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"fail_rate": "1", "fail_status": "422"}, nil)
	p.Target.Retries = 5
	res, convs := runFaults(t, p)
	for _, cv := range convs {
		if turn := cv.Turns[0]; turn.Status != 422 || turn.Attempts != 1 || cv.Reason != transcript.ReasonSendError {
			t.Errorf("conversation %s: status %d, %d attempts, reason %q", cv.ID, turn.Status, turn.Attempts, cv.Reason)
		}
	}
	if res.Snapshot.Send.Attempts != 2 {
		t.Errorf("send.attempts %d, want 2", res.Snapshot.Send.Attempts)
	}
}

func TestFaultDroppedReplies(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 3, attrs{"drop_rate": "1"}, attrs{"reply_timeout": `"300ms"`})
	res, _ := runFaults(t, p)
	s := res.Snapshot
	if s.Conversations.Reasons[transcript.ReasonReplyTimeout] != 3 || s.Reply.Failed != 3 {
		t.Errorf("conversations %+v, reply %+v: want 3 reply timeouts", s.Conversations, s.Reply)
	}
	if s.Webhook != (metrics.Webhook{}) {
		t.Errorf("webhook %+v: nothing should have arrived", s.Webhook)
	}
}

func TestFaultDuplicatedReplies(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 3, attrs{"duplicate_rate": "1"}, attrs{"reply_settle": `"300ms"`})
	res, convs := runFaults(t, p)
	s := res.Snapshot
	if s.Conversations.Succeeded != 3 {
		t.Fatalf("conversations %+v, want 3 completed despite the duplicates", s.Conversations)
	}
	for _, c := range convs {
		for _, turn := range c.Turns {
			if turn.Callbacks != 1 || turn.Duplicates != 1 {
				t.Errorf("turn %d: %d callbacks, %d duplicates; want the copy dropped and counted", turn.N, turn.Callbacks, turn.Duplicates)
			}
		}
	}
	if s.Webhook.Duplicates != s.Reply.Count || s.Webhook.Received != 2*s.Reply.Count {
		t.Errorf("webhook %+v for %d replies: want one duplicate each", s.Webhook, s.Reply.Count)
	}
}

// Replies delayed past the reply timeout arrive after their conversation
// ended: counted late, and usable in a threshold.
func TestFaultLateReplies(t *testing.T) {
	t.Parallel()
	p := faultPlan(t, 2, 2*time.Second, attrs{"late_rate": "1", "late_delay": `"700ms"`},
		attrs{"reply_timeout": `"300ms"`, "conversations_per_user": "0"},
		`threshold "late_seen" { check = "webhook.late >= 1 && webhook.late <= conversations.started" }`)
	late := &memLate{}
	res, convs := runPlanWith(t, p, Options{Late: late})
	checkWebhook(t, res, convs)
	s := res.Snapshot
	// Each reply came after its conversation had ended and been written:
	// every one is kept for late.jsonl, under its conversation and turn.
	ids := map[string]int{}
	for _, c := range convs {
		ids[c.ID] = len(c.Turns)
	}
	if int64(len(late.got)) != s.Webhook.Late {
		t.Errorf("%d late callbacks kept; webhook.late = %d", len(late.got), s.Webhook.Late)
	}
	for _, cb := range late.got {
		if n, ok := ids[cb.Conversation]; !ok || cb.Turn < 1 || cb.Turn > n || len(cb.Messages) == 0 || cb.ReceivedAt.IsZero() {
			t.Errorf("late callback %+v: not a turn of a conversation of the run", cb)
		}
	}
	if s.Conversations.Failed != s.Conversations.Started || s.Conversations.Reasons[transcript.ReasonReplyTimeout] != s.Conversations.Started {
		t.Errorf("conversations %+v: want every one failed by reply_timeout", s.Conversations)
	}
	if s.Webhook.Late == 0 || s.Webhook.Late != s.Webhook.Received {
		t.Errorf("webhook %+v: want every callback that arrived counted late", s.Webhook)
	}
	if rs := verdict.Evaluate(p.Thresholds, s); !verdict.Passed(rs) {
		t.Errorf("threshold on webhook.late: %+v", rs)
	}
}

// With no settle period the second half of a split reply comes after its
// turn closed, while the conversation goes on: it is late, and attached to
// that turn in the transcript, not to the turn in progress.
func TestFaultLateCallbacksAttachToTheirTurn(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"split_every": "1"}, attrs{"reply_settle": `"0s"`})
	res, convs := runFaults(t, p)
	var attached int64
	for _, c := range convs {
		withLate := 0
		for _, turn := range c.Turns {
			if len(turn.Late) == 0 {
				continue
			}
			withLate++
			attached++
			if turn.Callbacks != 1 || len(turn.Messages) == 0 {
				t.Errorf("turn %d: %d callbacks, messages %v, late %v", turn.N, turn.Callbacks, turn.Messages, turn.Late)
			}
		}
		if withLate < len(c.Turns)/2 {
			t.Errorf("conversation %s: late parts on %d of %d turns, want most", c.ID, withLate, len(c.Turns))
		}
	}
	// Each conversation's very last part may come after it ended: counted,
	// but no longer attachable.
	if w := res.Snapshot.Webhook; w.Late < attached || w.Late > attached+int64(len(convs)) {
		t.Errorf("webhook.late %d, %d late parts attached to turns", w.Late, attached)
	}
}

func TestFaultSplitReplies(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"split_every": "1"}, attrs{"reply_settle": `"300ms"`})
	res, _ := runFaults(t, p)
	s := res.Snapshot
	if s.Conversations.Succeeded != 2 || s.Webhook.Late != 0 || s.Webhook.Duplicates != 0 {
		t.Errorf("conversations %+v, webhook %+v: every part should be gathered into its turn", s.Conversations, s.Webhook)
	}
	if s.Webhook.Received != 2*s.Reply.Count {
		t.Errorf("received %d callbacks for %d replies, want two each", s.Webhook.Received, s.Reply.Count)
	}
}

func TestFaultMalformedCallbacks(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 3, attrs{"malformed_rate": "1"}, attrs{"reply_timeout": `"300ms"`})
	res, _ := runFaults(t, p)
	s := res.Snapshot
	if s.Conversations.Reasons[transcript.ReasonReplyTimeout] != 3 {
		t.Errorf("conversations %+v: a malformed reply is no reply", s.Conversations)
	}
	if s.Webhook.Malformed != 3 || s.Webhook.Received != 3 {
		t.Errorf("webhook %+v, want the 3 callbacks counted malformed", s.Webhook)
	}
}

func TestFaultSlowPost(t *testing.T) {
	t.Parallel()
	const slow = 150 * time.Millisecond
	p := testPlan(t, 2, attrs{"slow_post": `"150ms"`}, nil)
	res, convs := runFaults(t, p)
	s := res.Snapshot
	if s.Conversations.Succeeded != 2 || s.Send.Min < slow || s.Reply.Min < slow {
		t.Errorf("conversations %+v, send min %v, reply min %v: want all done, every POST ≥ %v",
			s.Conversations, s.Send.Min, s.Reply.Min, slow)
	}
	for _, c := range convs {
		for _, turn := range c.Turns {
			// The reply may come before the 202 is read, but never before
			// the slow POST was answered.
			if turn.SendMS < 150 || *turn.ReplyMS < 150 {
				t.Errorf("turn %d: send %.1fms, reply %.1fms", turn.N, turn.SendMS, *turn.ReplyMS)
			}
		}
	}
}

// A POST slower than the target's timeout fails, and is not retried: the
// assistant may still be processing it.
func TestFaultSlowPostBeyondTheTimeout(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 2, attrs{"slow_post": `"2s"`}, nil)
	p.Target.Timeout, p.Target.Retries = 200*time.Millisecond, 3
	res, convs := runFaults(t, p)
	if c := res.Snapshot.Conversations; c.Reasons[transcript.ReasonSendError] != 2 {
		t.Fatalf("conversations %+v, want 2 send errors", c)
	}
	for _, c := range convs {
		if turn := c.Turns[0]; turn.Attempts != 1 || turn.Status != 0 || !strings.Contains(c.Error, "timeout (200ms)") {
			t.Errorf("conversation %s: %d attempts, status %d, error %q", c.ID, turn.Attempts, turn.Status, c.Error)
		}
	}
}

// An abort threshold crossed mid-run stops starting conversations, lets
// the ones in flight finish their turn, and names itself.
func TestAbortThresholdStopsTheRun(t *testing.T) {
	t.Parallel()
	p := faultPlan(t, 3, 20*time.Second, attrs{"drop_rate": "1"},
		attrs{"reply_timeout": `"200ms"`, "conversations_per_user": "0"},
		`threshold "no_timeouts" {
  check = "conversations.failed == 0"
  abort = true
}`)
	res, _ := runFaults(t, p)
	if res.Aborted != "no_timeouts" || !res.Interrupted {
		t.Fatalf("aborted %q, interrupted %v: want the threshold to stop the run", res.Aborted, res.Interrupted)
	}
	if el := res.EndedAt.Sub(res.StartedAt); el > 10*time.Second {
		t.Errorf("the aborted run went on for %v of its 20s", el)
	}
}

// Junk, oversized, wrong-method and wrong-token requests posted to the
// receiver while a run goes on are refused and counted where they should
// be, and the run's results are what they would have been.
func TestJunkRequestsDoNotDisturbARun(t *testing.T) {
	t.Parallel()
	// Conversations of 12 turns with 150ms replies: about 2s, while the
	// 30 bad requests take a fraction of that.
	p := testPlan(t, 3, attrs{"latency": `"150ms"`}, nil)
	sink := &memSink{}
	var (
		r       *Runner
		wg      sync.WaitGroup
		mu      sync.Mutex
		answers = map[string]int{}
	)
	record := func(kind string, code int) {
		mu.Lock()
		defer mu.Unlock()
		if prev, ok := answers[kind]; ok && prev != code {
			code = -1 // inconsistent answers
		}
		answers[kind] = code
	}
	r = New(p, Options{Sink: sink, GracefulStop: 10 * time.Second, Ready: func(base string) {
		probe := r.rig.Receiver().Open("junk-probe").URL(1) // a valid hook URL, with this run's token
		wg.Go(func() { postJunk(t, base, probe, 5, record) })
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := r.Run(ctx)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	checkAccounted(t, res, sink.convs)
	want := map[string]int{"junk": 400, "oversized": 413, "wrong method": 405, "wrong token": 404,
		"unknown path": 404, "stranger": 200}
	for kind, code := range want {
		if answers[kind] != code {
			t.Errorf("%s answered %d, want %d", kind, answers[kind], code)
		}
	}
	s := res.Snapshot
	if s.Conversations.Succeeded != 3 || s.Send.Failed != 0 || s.Reply.Failed != 0 || s.Reply.Count != 36 {
		t.Errorf("conversations %+v, send %+v, reply %+v: the junk disturbed the run", s.Conversations, s.Send, s.Reply)
	}
	if w := s.Webhook; w.Malformed != 10 || w.Unmatched != 5 || w.Duplicates != 0 || w.Late != 0 {
		t.Errorf("webhook %+v: want 10 malformed (junk + oversized), 5 unmatched", w)
	}
	var taken int64
	for _, c := range sink.convs {
		for _, turn := range c.Turns {
			taken += int64(turn.Callbacks)
		}
	}
	if w := s.Webhook; w.Received != taken+w.Malformed+w.Unmatched {
		t.Errorf("webhook %+v, %d callbacks taken", w, taken)
	}
}

// postJunk sends n of each kind of bad request; probe is a valid hook URL.
func postJunk(t *testing.T, base, probe string, n int, record func(kind string, code int)) {
	c := widget.NewHTTPClient(5 * time.Second)
	defer c.CloseIdleConnections()
	token := strings.Split(strings.TrimPrefix(probe, base+"/hooks/"), "/")[0]
	kinds := []struct{ kind, method, url, body string }{
		{"junk", "POST", probe, `{"messages":[{`},
		{"oversized", "POST", probe, `{"text":"` + strings.Repeat("a", 1<<20) + `"}`},
		{"wrong method", "GET", probe, ""},
		{"wrong token", "POST", base + "/hooks/00000000000000000000000000000000/junk-probe/1", `{"text":"x"}`},
		{"unknown path", "POST", base + "/responses/x_1", `{"text":"x"}`},
		{"stranger", "POST", base + "/hooks/" + token + "/stranger/1", `{"text":"who?"}`},
	}
	for range n {
		for _, k := range kinds {
			req, err := http.NewRequest(k.method, k.url, strings.NewReader(k.body))
			if err != nil {
				t.Error(err)
				return
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Errorf("%s: %v", k.kind, err)
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			record(k.kind, resp.StatusCode)
		}
	}
}

// memLate keeps the callbacks that came after their conversation ended.
type memLate struct {
	mu  sync.Mutex
	got []transcript.LateCallback
}

func (m *memLate) WriteLate(c *transcript.LateCallback) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = append(m.got, *c)
	return nil
}
