package metrics

import (
	"encoding/json"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/voyplan/voyplan/engine/transcript"
)

func TestLatencyPercentiles(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	for i := 1000; i >= 1; i-- { // out of order on purpose
		r.Reply(time.Duration(i)*time.Millisecond, true)
	}
	r.Reply(0, false)
	l := r.Snapshot(0).Reply

	if l.Count != 1001 || l.Failed != 1 {
		t.Fatalf("count, failed = %d, %d; want 1001, 1", l.Count, l.Failed)
	}
	if want := 1.0 / 1001; l.ErrorRate != want {
		t.Errorf("error_rate = %v; want %v", l.ErrorRate, want)
	}
	exact := []struct {
		name      string
		got, want time.Duration
	}{
		{"min", l.Min, time.Millisecond},
		{"max", l.Max, time.Second},
		{"avg", l.Avg, 500500 * time.Microsecond},
	}
	for _, c := range exact {
		if c.got != c.want {
			t.Errorf("%s = %v; want %v", c.name, c.got, c.want)
		}
	}
	approx := []struct {
		name      string
		got, want time.Duration
	}{
		{"p50", l.P50, 500 * time.Millisecond},
		{"p90", l.P90, 900 * time.Millisecond},
		{"p95", l.P95, 950 * time.Millisecond},
		{"p99", l.P99, 990 * time.Millisecond},
	}
	for _, c := range approx {
		if rel := math.Abs(float64(c.got-c.want)) / float64(c.want); rel > 0.01 {
			t.Errorf("%s = %v; want %v within 1%% (off by %.3f%%)", c.name, c.got, c.want, 100*rel)
		}
	}
}

func TestLatencyEmptyAndAllFailed(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	if got := r.Snapshot(0).Send; got != (Latency{}) {
		t.Errorf("empty send = %+v; want zero", got)
	}
	r.Send(time.Second, false)
	r.Send(time.Second, false)
	want := Latency{Count: 2, Failed: 2, ErrorRate: 1}
	if got := r.Snapshot(0).Send; got != want {
		t.Errorf("all-failed send = %+v; want %+v", got, want)
	}
}

func TestLatencyOutOfRangeIsClamped(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	r.Send(200*time.Nanosecond, true)
	r.Send(2*time.Hour, true)
	l := r.Snapshot(0).Send
	if l.Min != 200*time.Nanosecond || l.Max != 2*time.Hour {
		t.Errorf("min, max = %v, %v; want exact 200ns, 2h", l.Min, l.Max)
	}
	if l.P99 > 2*time.Hour || l.P50 < 200*time.Nanosecond {
		t.Errorf("percentiles outside [min, max]: p50 %v, p99 %v", l.P50, l.P99)
	}
}

func conv(persona string, o transcript.Outcome, reason string, turns int, ms float64) *transcript.Conversation {
	return &transcript.Conversation{
		Persona:    persona,
		Outcome:    o,
		Reason:     reason,
		DurationMS: ms,
		Turns:      make([]transcript.Turn, turns),
	}
}

func TestConversationsPerPersona(t *testing.T) {
	t.Parallel()
	r := NewRecorder([]string{"kataryna", "edman", "idle"})
	ends := []*transcript.Conversation{
		conv("kataryna", transcript.Completed, "", 4, 1000),
		conv("kataryna", transcript.Completed, "", 6, 3000),
		conv("kataryna", transcript.Failed, transcript.ReasonReplyTimeout, 2, 9000),
		conv("edman", transcript.Failed, transcript.ReasonScriptExhausted, 4, 500),
		conv("edman", transcript.Abandoned, "", 3, 700),
		conv("edman", transcript.Interrupted, "", 1, 100),
	}
	for _, c := range ends {
		r.ConversationStarted(c.Persona)
	}
	r.ConversationStarted("edman") // still in flight
	for _, c := range ends {
		r.ConversationEnded(c)
	}
	s := r.Snapshot(time.Minute)

	want := Conversations{
		Started: 7, Succeeded: 2, Failed: 2, Abandoned: 1, Interrupted: 1, InFlight: 1,
		SuccessRate: 2.0 / 5,                              // the interrupted one is not judged
		Turns:       20, TurnsAvg: 20.0 / 6, WithinSLO: 2, // no turn_slo: every completed one
		Reasons: map[string]int64{transcript.ReasonReplyTimeout: 1, transcript.ReasonScriptExhausted: 1},
	}
	assertConversations(t, "overall", s.Conversations, want)
	assertConversations(t, "kataryna", s.Personas["kataryna"], Conversations{
		Started: 3, Succeeded: 2, Failed: 1, SuccessRate: 2.0 / 3, Turns: 12, TurnsAvg: 4, WithinSLO: 2,
		Reasons: map[string]int64{transcript.ReasonReplyTimeout: 1},
		PassK:   map[int]float64{1: 2.0 / 3, 2: 1.0 / 3, 3: 0}, // C(2,k)/C(3,k)
	})
	assertConversations(t, "edman", s.Personas["edman"], Conversations{
		Started: 4, Failed: 1, Abandoned: 1, Interrupted: 1, InFlight: 1, SuccessRate: 0, Turns: 8, TurnsAvg: 8.0 / 3,
		Reasons: map[string]int64{transcript.ReasonScriptExhausted: 1},
		PassK:   map[int]float64{1: 0, 2: 0}, // two judged, none succeeded
	})
	assertConversations(t, "idle", s.Personas["idle"], Conversations{Reasons: map[string]int64{}})

	// Completed ones are timed; failed and abandoned count as not completed;
	// the interrupted one is left out.
	c := s.Conversation
	if c.Count != 5 || c.Failed != 3 || c.Min != time.Second || c.Max != 3*time.Second || c.Avg != 2*time.Second {
		t.Errorf("conversation = %+v; want count 5, failed 3, min 1s, avg 2s, max 3s", c)
	}
	if s.Elapsed != time.Minute {
		t.Errorf("elapsed = %v", s.Elapsed)
	}
}

func assertConversations(t *testing.T, name string, got, want Conversations) {
	t.Helper()
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("%s:\n got %s\nwant %s", name, gj, wj)
	}
}

func TestUnknownPersonaIsAdded(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	r.ConversationStarted("ghost")
	r.ConversationEnded(conv("ghost", transcript.Completed, "", 1, 10))
	if got := r.Snapshot(0).Personas["ghost"]; got.Started != 1 || got.Succeeded != 1 {
		t.Errorf("ghost = %+v", got)
	}
}

func TestSnapshotSharesNoMemory(t *testing.T) {
	t.Parallel()
	r := NewRecorder([]string{"a"})
	r.ConversationStarted("a")
	r.ConversationEnded(conv("a", transcript.Failed, transcript.ReasonSendError, 1, 10))
	s := r.Snapshot(0)
	s.Conversations.Reasons[transcript.ReasonSendError] = 99
	s.Personas["a"] = Conversations{}
	s2 := r.Snapshot(0)
	if s2.Conversations.Reasons[transcript.ReasonSendError] != 1 || s2.Personas["a"].Started != 1 {
		t.Errorf("mutating a snapshot changed the recorder: %+v", s2.Conversations)
	}
}

func TestUsersAndCost(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	r.UserStarted()
	r.UserStarted()
	r.UserStopped()
	r.LLM(640*time.Millisecond, true, transcript.LLMCall{InputTokens: 800, OutputTokens: 10, ThinkingTokens: 5, CostUSD: 0.25})
	r.LLM(30*time.Second, false, transcript.LLMCall{InputTokens: 200, CostUSD: 0.5})
	s := r.Snapshot(0)
	if s.Users != 1 {
		t.Errorf("users = %d; want 1", s.Users)
	}
	want := Cost{USD: 0.75, InputTokens: 1000, OutputTokens: 10, ThinkingTokens: 5}
	if s.Cost != want {
		t.Errorf("cost = %+v; want %+v", s.Cost, want)
	}
	if s.LLM.Count != 2 || s.LLM.Failed != 1 || s.LLM.Max != 640*time.Millisecond {
		t.Errorf("llm = %+v", s.LLM)
	}
}

// TestConcurrentRecording runs with -race: a bounded pool of workers records
// while another goroutine takes snapshots, whose invariants must hold
// throughout.
func TestConcurrentRecording(t *testing.T) {
	t.Parallel()
	const workers, perWorker = 32, 500
	personas := []string{"a", "b"}
	r := NewRecorder(personas)

	stop := make(chan struct{})
	var snaps sync.WaitGroup
	snaps.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			checkInvariants(t, r.Snapshot(0))
		}
	})

	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r.UserStarted()
			defer r.UserStopped()
			p := personas[w%len(personas)]
			for i := range perWorker {
				d := time.Duration(i+1) * time.Millisecond
				r.Send(d, i%10 != 0)
				r.Reply(d, true)
				r.LLM(d, true, transcript.LLMCall{InputTokens: 1, CostUSD: 0.001})
				r.ConversationStarted(p)
				r.ConversationEnded(conv(p, transcript.Completed, "", 2, 1000))
			}
		})
	}
	wg.Wait()
	close(stop)
	snaps.Wait()

	s := r.Snapshot(0)
	const n = workers * perWorker
	if s.Send.Count != n || s.Send.Failed != n/10 || s.Reply.Count != n {
		t.Errorf("send %d/%d failed, reply %d; want %d/%d, %d", s.Send.Count, s.Send.Failed, s.Reply.Count, n, n/10, n)
	}
	if s.Conversations.Started != n || s.Conversations.Succeeded != n || s.Conversations.InFlight != 0 || s.Users != 0 {
		t.Errorf("conversations = %+v, users = %d", s.Conversations, s.Users)
	}
	if s.Personas["a"].Started+s.Personas["b"].Started != n {
		t.Errorf("persona starts do not add up: %+v", s.Personas)
	}
	if s.Cost.InputTokens != n || math.Abs(s.Cost.USD-n*0.001) > 1e-9 {
		t.Errorf("cost = %+v", s.Cost)
	}
	h := decoded(t, r, "send")
	if h.TotalCount() != n-n/10 {
		t.Errorf("exported send histogram has %d samples; want %d", h.TotalCount(), n-n/10)
	}
}

func checkInvariants(t *testing.T, s Snapshot) {
	t.Helper()
	c := s.Conversations
	if c.InFlight < 0 {
		t.Errorf("in_flight %d < 0: %+v", c.InFlight, c)
	}
	if c.SuccessRate < 0 || c.SuccessRate > 1 {
		t.Errorf("success_rate %v out of [0, 1]", c.SuccessRate)
	}
	for _, l := range []Latency{s.Send, s.Reply, s.LLM, s.Conversation} {
		if l.Failed > l.Count || l.ErrorRate > 1 {
			t.Errorf("failed %d > count %d", l.Failed, l.Count)
		}
	}
}

// decoded is the histogram of r's distribution name, as summary.json
// carries it.
func decoded(t *testing.T, r *Recorder, name string) *hdrhistogram.Histogram {
	t.Helper()
	ds, err := r.Distributions()
	if err != nil {
		t.Fatal(err)
	}
	d, ok := ds[name]
	if !ok {
		t.Fatalf("no %q distribution", name)
	}
	h, err := hdrhistogram.Decode([]byte(d.HDR))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return h
}

func TestHistogramsExported(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	r.ConversationStarted("a")
	r.ConversationEnded(conv("a", transcript.Completed, "", 1, 1500))
	for _, name := range DistributionNames {
		decoded(t, r, name)
	}
	h := decoded(t, r, "conversation")
	if h.TotalCount() != 1 || !h.ValuesAreEquivalent(h.Max(), 1_500_000) {
		t.Errorf("conversation histogram: count %d, max %dµs", h.TotalCount(), h.Max())
	}
}

func TestLatencyJSON(t *testing.T) {
	t.Parallel()
	l := Latency{
		Count: 10, Failed: 1, ErrorRate: 0.1,
		Min: 1234 * time.Microsecond, Avg: 812400 * time.Microsecond,
		P50: 800 * time.Millisecond, P90: 1100 * time.Millisecond, P95: 1200 * time.Millisecond,
		P99: 1300 * time.Millisecond, Max: 30 * time.Second,
	}
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"count":10,"failed":1,"censored":0,"error_rate":0.1,"min":1.234,"avg":812.4,"p50":800,"p90":1100,"p95":1200,"p99":1300,"max":30000}`
	if string(b) != want {
		t.Errorf("json:\n got %s\nwant %s", b, want)
	}
	var back Latency
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != l {
		t.Errorf("round trip: got %+v; want %+v", back, l)
	}
}

func TestSnapshotJSONRoundTrip(t *testing.T) {
	t.Parallel()
	r := NewRecorder([]string{"a"})
	r.Send(3100*time.Microsecond, true)
	r.ConversationStarted("a")
	r.ConversationEnded(conv("a", transcript.Completed, "", 3, 14210.4))
	s := r.Snapshot(0)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"send":{"count":1,"failed":0,"censored":0,"error_rate":0,"min":3.1,`) {
		t.Errorf("send not in milliseconds: %s", b)
	}
	var back Snapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("round trip changed the snapshot:\n%s\n%s", b, b2)
	}
}
