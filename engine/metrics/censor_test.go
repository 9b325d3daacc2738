package metrics

import (
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// TestTimedOutWaitsAreCensored is the run the issue saw: 95 replies at
// about 248 ms and 17 that timed out after 2 s. The timed-out waits count in
// reply at the time they waited, so p95 is no longer the healthy replies'
// figure; reply_ok keeps the successful replies' own. A refused send is
// counted and failed, not timed.
func TestTimedOutWaitsAreCensored(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	for i := range 95 {
		r.Reply(240*time.Millisecond+time.Duration(i%10)*time.Millisecond, true)
	}
	for range 17 {
		r.ReplyTimedOut(2 * time.Second)
	}
	r.Send(3*time.Millisecond, true)
	r.SendTimedOut(5 * time.Second)
	r.Send(time.Millisecond, false) // connection refused: counted, not timed
	r.LLMTimedOut(60*time.Second, transcript.LLMCall{Attempts: 1})
	s := r.Snapshot(0)

	if got := s.Reply; got.Count != 112 || got.Failed != 17 || got.Censored != 17 || got.P95 != 2*time.Second ||
		got.Max != 2*time.Second || got.Min != 240*time.Millisecond {
		t.Errorf("reply = %+v; want 112 counted, 17 failed and censored, p95 and max 2s, min 240ms", got)
	}
	if got := s.ReplyOK; got.Count != 112 || got.Failed != 17 || got.Censored != 0 || got.P95 > 250*time.Millisecond ||
		got.Max != 249*time.Millisecond {
		t.Errorf("reply_ok = %+v; want 112 counted, 17 failed, none censored, p95 ≤ 250ms, max 249ms", got)
	}
	if got := s.Send; got.Count != 3 || got.Failed != 2 || got.Censored != 1 || got.Max != 5*time.Second ||
		got.Min != 3*time.Millisecond {
		t.Errorf("send = %+v; want 3 counted, 2 failed, 1 censored at 5s, the refused one untimed", got)
	}
	if got := s.SendOK; got.Count != 3 || got.Failed != 2 || got.Max != 3*time.Millisecond {
		t.Errorf("send_ok = %+v; want 3 counted, 2 failed, max 3ms", got)
	}
	if got := s.LLM; got.Censored != 1 || got.Max != time.Minute || got.Attempts != 1 {
		t.Errorf("llm = %+v; want 1 censored at 1m, 1 attempt", got)
	}
	if got := s.LLMOK; got.Failed != 1 || got.Max != 0 || got.Attempts != 1 {
		t.Errorf("llm_ok = %+v; want 1 failed, untimed, 1 attempt", got)
	}
}

// TestMergeOlderSummaries: a summary written before timed-out waits were
// censored has no _ok distributions; its plain ones timed the successful
// operations only, so they stand in for them.
func TestMergeOlderSummaries(t *testing.T) {
	t.Parallel()
	newer, older := NewRecorder(nil), NewRecorder(nil)
	newer.Reply(time.Second, true)
	newer.ReplyTimedOut(10 * time.Second)
	older.Reply(2*time.Second, true)
	older.Reply(0, false)
	parts := []Part{viaJSON(t, "newer", newer), viaJSON(t, "older", older)}
	for _, name := range []string{"send_ok", "reply_ok", "llm_ok"} {
		delete(parts[1].Distributions, name)
	}
	got, err := Merge(parts)
	if err != nil {
		t.Fatal(err)
	}
	s := got.Snapshot
	if s.Reply.Count != 4 || s.Reply.Censored != 1 || s.Reply.Max != 10*time.Second {
		t.Errorf("reply = %+v; want 4 counted, 1 censored, max 10s", s.Reply)
	}
	if s.ReplyOK.Count != 4 || s.ReplyOK.Failed != 2 || s.ReplyOK.Max != 2*time.Second || s.ReplyOK.Min != time.Second {
		t.Errorf("reply_ok = %+v; want 4 counted, 2 failed, timed 1s..2s", s.ReplyOK)
	}
	if d := got.Distributions["reply"]; d.Censored != 1 {
		t.Errorf("merged reply distribution censored = %d; want 1", d.Censored)
	}
}
