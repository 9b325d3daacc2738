package metrics

import (
	"context"
	"encoding/json"
	"math"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

func within(t *testing.T, name string, got, want time.Duration, rel float64) {
	t.Helper()
	if math.Abs(float64(got-want)) > rel*float64(want) {
		t.Errorf("%s = %v; want %v within %.1f%%", name, got, want, 100*rel)
	}
}

func TestHistoryIntervalsHoldOnlyTheirOwnSamples(t *testing.T) {
	t.Parallel()
	r := NewRecorder([]string{"a"})
	h := NewHistory(r)

	// First interval: replies of 1..100 ms, two conversations started, one
	// completed, one send failed.
	r.UserStarted()
	r.UserStarted()
	for i := 1; i <= 100; i++ {
		r.Reply(time.Duration(i)*time.Millisecond, true)
	}
	r.Send(time.Millisecond, false)
	r.ConversationStarted("a")
	r.ConversationStarted("a")
	r.ConversationEnded(conv("a", transcript.Completed, "", 4, 1000))
	r.LLM(time.Second, true, transcript.LLMCall{CostUSD: 0.5})
	s1 := h.Sample(5 * time.Second)

	// Second interval: slow replies only, 1..100 s; the other conversation fails.
	for i := 1; i <= 100; i++ {
		r.Reply(time.Duration(i)*time.Second, true)
	}
	r.Reply(0, false)
	r.ConversationEnded(conv("a", transcript.Failed, transcript.ReasonReplyTimeout, 2, 500))
	r.UserStopped()
	r.LLM(time.Second, true, transcript.LLMCall{CostUSD: 0.25})
	s2 := h.Sample(10 * time.Second)

	if s1.ElapsedMS != 5000 || s1.IntervalMS != 5000 || s2.IntervalMS != 5000 {
		t.Errorf("elapsed/interval = %v/%v, %v", s1.ElapsedMS, s1.IntervalMS, s2.IntervalMS)
	}
	if s1.Users != 2 || s2.Users != 1 {
		t.Errorf("users = %d, %d; want 2, 1", s1.Users, s2.Users)
	}
	if want := (Interval{Started: 2, Succeeded: 1}); s1.Conversations != want {
		t.Errorf("interval 1 conversations = %+v; want %+v", s1.Conversations, want)
	}
	if want := (Interval{Failed: 1}); s2.Conversations != want {
		t.Errorf("interval 2 conversations = %+v; want %+v", s2.Conversations, want)
	}
	if want := (Interval{Started: 2, Succeeded: 1, Failed: 1}); s2.Totals != want {
		t.Errorf("totals = %+v; want %+v", s2.Totals, want)
	}
	if s1.Cost.USD != 0.5 || s2.Cost.USD != 0.75 {
		t.Errorf("cost so far = %v, %v; want 0.5, 0.75", s1.Cost.USD, s2.Cost.USD)
	}

	r1, r2 := s1.Timers["reply"], s2.Timers["reply"]
	if r1.Interval.Count != 100 || r2.Interval.Count != 101 || r2.Interval.Failed != 1 || r2.Total.Count != 201 {
		t.Fatalf("reply counts: %+v / %+v", r1, r2)
	}
	within(t, "interval 1 p95", r1.Interval.P95, 95*time.Millisecond, 0.01)
	within(t, "interval 2 p50", r2.Interval.P50, 50*time.Second, 0.01)
	within(t, "interval 2 min", r2.Interval.Min, time.Second, 0.01)
	within(t, "interval 2 max", r2.Interval.Max, 100*time.Second, 0.01)
	within(t, "interval 2 avg", r2.Interval.Avg, 50500*time.Millisecond, 0.001)
	within(t, "total p50", r2.Total.P50, 100*time.Millisecond, 0.01)
	if s := s1.Timers["send"].Interval; s.Count != 1 || s.Failed != 1 || s.ErrorRate != 1 || s.P95 != 0 {
		t.Errorf("send interval = %+v; want one failure and no timing", s)
	}
	for _, name := range []string{"send", "reply", "llm", "conversation"} {
		if _, ok := s2.Timers[name]; !ok {
			t.Errorf("no %q timer in the sample", name)
		}
	}
	if got := h.Samples(); len(got) != 2 || got[1].ElapsedMS != 10000 {
		t.Errorf("samples = %d", len(got))
	}
}

func TestHistoryEmptyIntervalAndJSON(t *testing.T) {
	t.Parallel()
	h := NewHistory(NewRecorder(nil))
	h.Sample(time.Second)
	s := h.Sample(time.Second) // nothing new, no time passed
	if s.IntervalMS != 0 || s.Timers["reply"].Interval != (Latency{}) {
		t.Errorf("empty interval = %+v", s)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Sample
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.ElapsedMS != 1000 || len(back.Timers) != 4 {
		t.Errorf("round trip: %s", b)
	}
}

// TestHistoryRunSamplesOnTheTickerAndStops runs in a synctest bubble: a
// minute of five-second ticks takes no real time.
func TestHistoryRunSamplesOnTheTickerAndStops(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := NewRecorder(nil)
		h := NewHistory(r)
		start := time.Now()
		ctx, cancel := context.WithCancel(t.Context())
		var got []float64
		var wg sync.WaitGroup
		wg.Go(func() {
			h.Run(ctx, HistoryInterval, func() time.Duration { return time.Since(start) }, func(s Sample) {
				got = append(got, s.ElapsedMS)
				r.Reply(time.Millisecond, true)
			})
		})
		time.Sleep(time.Minute + time.Second)
		cancel()
		wg.Wait()
		if len(got) != 12 || got[0] != 5000 || got[11] != 60000 {
			t.Fatalf("sampled at %v; want every 5 s up to 60 s", got)
		}
		ss := h.Samples()
		if ss[0].Timers["reply"].Interval.Count != 0 || ss[11].Timers["reply"].Interval.Count != 1 {
			t.Errorf("interval counts: first %d, last %d", ss[0].Timers["reply"].Interval.Count, ss[11].Timers["reply"].Interval.Count)
		}
	})
}

// A streamed history hands out its samples and keeps none: its memory does
// not grow with the run.
func TestHistoryStreamKeepsNoSamples(t *testing.T) {
	t.Parallel()
	r := NewRecorder([]string{"a"})
	kept, streamed := NewHistory(r), NewHistoryStream(r)
	for i := range 5 {
		r.Reply(time.Duration(i+1)*time.Millisecond, true)
		a, b := kept.Sample(time.Duration(i+1)*time.Second), streamed.Sample(time.Duration(i+1)*time.Second)
		if a.Timers["reply"].Interval.Count != 1 || b.Timers["reply"].Interval.Count != 1 {
			t.Fatalf("sample %d: reply counts %d, %d; want 1, 1", i, a.Timers["reply"].Interval.Count, b.Timers["reply"].Interval.Count)
		}
	}
	if n, m := len(kept.Samples()), len(streamed.Samples()); n != 5 || m != 0 {
		t.Errorf("samples kept: %d, %d; want 5, 0", n, m)
	}
}
