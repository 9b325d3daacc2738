package metrics

import (
	"encoding/json"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// workload feeds the same seeded run to one recorder that sees everything
// and, event by event, to the parts (each event to one of them, unevenly),
// and returns the raw timed samples per operation for exact percentiles.
func workload(whole *Recorder, parts []*Recorder, seed uint64) map[string][]time.Duration {
	rng := rand.New(rand.NewPCG(seed, 7))
	timed := map[string][]time.Duration{}
	lat := func(scale time.Duration) time.Duration { // log-normal, a long tail
		return time.Duration(float64(scale) * math.Exp(rng.NormFloat64()))
	}
	personas := []string{"kataryna", "edman", "talliz"}
	outcomes := []transcript.Outcome{transcript.Completed, transcript.Completed, transcript.Completed,
		transcript.Failed, transcript.Abandoned, transcript.Interrupted}
	reasons := []string{transcript.ReasonReplyTimeout, transcript.ReasonSendError, transcript.ReasonMaxTurns}
	for i := range 3000 {
		p := parts[min(rng.IntN(len(parts)+1), len(parts)-1)] // the last part takes more
		both := func(f func(r *Recorder)) { f(whole); f(p) }
		persona := personas[rng.IntN(len(personas))]
		send, sendEnd := lat(3*time.Millisecond), ending(rng, 20)
		reply, replyEnd := lat(800*time.Millisecond), ending(rng, 15)
		gen, genEnd := lat(600*time.Millisecond), ending(rng, 11)
		call := transcript.LLMCall{MS: transcript.Ms(gen), WaitMS: float64(rng.IntN(50)), Attempts: 1 + rng.IntN(2),
			InputTokens: int64(rng.IntN(900)), OutputTokens: int64(rng.IntN(40)), ThinkingTokens: int64(rng.IntN(5)),
			CostUSD: rng.Float64() / 1000}
		both(func(r *Recorder) {
			sendEnd.record(send, r.Send, r.SendTimedOut)
			r.SendAttempts(1 + i%3)
			replyEnd.record(reply, r.Reply, r.ReplyTimedOut)
			genEnd.record(gen, func(d time.Duration, ok bool) { r.LLM(d, ok, call) },
				func(d time.Duration) { r.LLMTimedOut(d, call) })
		})
		sendEnd.time(timed, "send", send)
		replyEnd.time(timed, "reply", reply)
		genEnd.time(timed, "llm", gen)
		if i%4 != 0 {
			continue
		}
		c := conv(persona, outcomes[rng.IntN(len(outcomes))], "", 1+rng.IntN(12), transcript.Ms(lat(20*time.Second)))
		if c.Outcome == transcript.Failed {
			c.Reason = reasons[rng.IntN(len(reasons))]
		}
		if rng.IntN(10) == 0 {
			c.Turns[0].Drift = []string{"asks_for_data"}
			c.Turns[0].DataMismatch = []string{"cpf"}
		}
		c.Tokens = transcript.Tokens{Input: int64(rng.IntN(9000)), Output: int64(rng.IntN(300))}
		c.CostUSD = rng.Float64() / 100
		late := time.Duration(rng.IntN(30)) * time.Millisecond
		both(func(r *Recorder) {
			r.ConversationStarted(persona)
			r.ConversationDue(persona, late)
			r.ConversationEnded(c)
		})
		if c.Outcome == transcript.Completed {
			timed["conversation"] = append(timed["conversation"], time.Duration(math.Round(c.DurationMS*float64(time.Millisecond))))
		}
	}
	return timed
}

// opEnd is how a timed operation of the workload ended.
type opEnd int

const (
	opOK opEnd = iota
	opTimedOut
	opFailed
)

// ending draws an operation's end: one in n fails, half of those by
// timing out.
func ending(rng *rand.Rand, n int) opEnd {
	switch {
	case rng.IntN(n) != 0:
		return opOK
	case rng.IntN(2) == 0:
		return opTimedOut
	}
	return opFailed
}

// record hands the operation to the Recorder's method for its end.
func (e opEnd) record(d time.Duration, add func(time.Duration, bool), timedOut func(time.Duration)) {
	if e == opTimedOut {
		timedOut(d)
		return
	}
	add(d, e == opOK)
}

// time notes the operation's timing where the Recorder keeps it: a
// success in name and name_ok, a timed-out one (censored) in name only.
func (e opEnd) time(timed map[string][]time.Duration, name string, d time.Duration) {
	switch e {
	case opOK:
		timed[name] = append(timed[name], d)
		timed[name+"_ok"] = append(timed[name+"_ok"], d)
	case opTimedOut:
		timed[name] = append(timed[name], d)
	}
}

// viaJSON passes a part through summary.json's encoding, as merge reads it.
func viaJSON(t *testing.T, name string, r *Recorder) Part {
	t.Helper()
	ds, err := r.Distributions()
	if err != nil {
		t.Fatal(err)
	}
	in := struct {
		Metrics       Snapshot                `json:"metrics"`
		Distributions map[string]Distribution `json:"distributions"`
	}{r.Snapshot(time.Minute), ds}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := in
	out.Metrics, out.Distributions = Snapshot{}, nil
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return Part{Name: name, Snapshot: out.Metrics, Distributions: out.Distributions}
}

// exactQuantile is the sample at the rank HDR's ValueAtQuantile reads
// (q/100·n rounded half up, within [1, n]), the true value it approximates.
func exactQuantile(sorted []time.Duration, q float64) time.Duration {
	rank := min(max(int(q/100*float64(len(sorted))+0.5), 1), len(sorted))
	return sorted[rank-1]
}

func TestMergeEqualsOneRecorder(t *testing.T) {
	t.Parallel()
	names := []string{"kataryna", "edman", "talliz"}
	whole := NewRecorder(names)
	parts := []*Recorder{NewRecorder(names), NewRecorder(names), NewRecorder(names)}
	timed := workload(whole, parts, 42)
	hooks := []Webhook{{Received: 10, Late: 1}, {Received: 7, Duplicates: 2, Unmatched: 1}, {Received: 3, Malformed: 1}}
	var hookSum Webhook
	in := make([]Part, len(parts))
	for i, p := range parts {
		p.WatchWebhook(func() Webhook { return hooks[i] })
		hookSum = hookSum.plus(hooks[i])
		in[i] = viaJSON(t, "segment "+string(rune('1'+i)), p)
	}
	whole.WatchWebhook(func() Webhook { return hookSum })

	got, err := Merge(in)
	if err != nil {
		t.Fatal(err)
	}
	want := whole.Snapshot(time.Minute)

	// Counts, and everything derived from them, exactly.
	checkConversations(t, "conversations", got.Snapshot.Conversations, want.Conversations)
	if !slices.Equal(slices.Sorted(maps.Keys(got.Snapshot.Personas)), slices.Sorted(maps.Keys(want.Personas))) {
		t.Fatalf("personas %v; want %v", slices.Sorted(maps.Keys(got.Snapshot.Personas)), slices.Sorted(maps.Keys(want.Personas)))
	}
	for name, w := range want.Personas {
		g := got.Snapshot.Personas[name]
		checkConversations(t, "personas["+name+"]", g, w)
		if len(w.PassK) == 0 || !reflect.DeepEqual(g.PassK, w.PassK) {
			t.Errorf("personas[%s].pass_k = %v; want %v", name, g.PassK, w.PassK)
		}
	}
	if got.Snapshot.Webhook != want.Webhook {
		t.Errorf("webhook = %+v; want %+v", got.Snapshot.Webhook, want.Webhook)
	}
	checkCost(t, "cost", got.Snapshot.Cost, want.Cost)

	// Latencies: counts, min and max exact; the mean to the nanosecond (the
	// sums are added in another order); percentiles those of the one
	// recorder, and within HDR's precision of the true ones.
	g, w := got.Snapshot.latencies(), want.latencies()
	for _, name := range DistributionNames {
		gl, wl := *g[name], *w[name]
		if gl.Count != wl.Count || gl.Failed != wl.Failed || gl.Censored != wl.Censored || gl.ErrorRate != wl.ErrorRate ||
			gl.Attempts != wl.Attempts {
			t.Errorf("%s: count/failed/censored/error_rate/attempts %d/%d/%d/%v/%d; want %d/%d/%d/%v/%d", name,
				gl.Count, gl.Failed, gl.Censored, gl.ErrorRate, gl.Attempts, wl.Count, wl.Failed, wl.Censored, wl.ErrorRate, wl.Attempts)
		}
		if gl.Min != wl.Min || gl.Max != wl.Max || (gl.Avg-wl.Avg).Abs() > time.Nanosecond {
			t.Errorf("%s: min/avg/max %v/%v/%v; want %v/%v/%v", name, gl.Min, gl.Avg, gl.Max, wl.Min, wl.Avg, wl.Max)
		}
		for _, q := range []struct {
			p         float64
			got, want time.Duration
		}{{50, gl.P50, wl.P50}, {90, gl.P90, wl.P90}, {95, gl.P95, wl.P95}, {99, gl.P99, wl.P99}} {
			if q.got != q.want {
				t.Errorf("%s: p%v = %v; the one recorder has %v", name, q.p, q.got, q.want)
			}
			s := timed[name]
			if len(s) == 0 {
				continue
			}
			slices.Sort(s)
			exact := exactQuantile(s, q.p)
			if diff := (q.got - exact).Abs(); diff > exact/1000+time.Microsecond {
				t.Errorf("%s: p%v = %v; true value %v (off by %v, more than HDR's 0.1%%)", name, q.p, q.got, exact, diff)
			}
		}
		if name != "llm_wait" && int64(len(timed[name])) != wl.Count-wl.Failed+wl.Censored {
			t.Fatalf("test bookkeeping: %d %s timings, recorder has %d", len(timed[name]), name, wl.Count-wl.Failed+wl.Censored)
		}
	}

	// The merged distributions are the one recorder's, so a merge of
	// merges is a merge.
	wd, err := whole.Distributions()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range DistributionNames {
		gd, wdn := got.Distributions[name], wd[name]
		if gd.Count != wdn.Count || gd.Failed != wdn.Failed || gd.Censored != wdn.Censored || gd.Attempts != wdn.Attempts ||
			gd.MinNS != wdn.MinNS || gd.MaxNS != wdn.MaxNS || gd.HDR != wdn.HDR {
			t.Errorf("merged %s distribution differs from the one recorder's", name)
		}
	}
}

func checkConversations(t *testing.T, what string, got, want Conversations) {
	t.Helper()
	g, w := got, want
	checkCost(t, what+".cost", g.Cost, w.Cost)
	g.Cost, w.Cost = Cost{}, Cost{}
	g.PassK, w.PassK = nil, nil
	if len(g.Reasons) == 0 && len(w.Reasons) == 0 {
		g.Reasons, w.Reasons = nil, nil
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

func checkCost(t *testing.T, what string, got, want Cost) {
	t.Helper()
	if math.Abs(got.USD-want.USD) > 1e-9*max(1, want.USD) {
		t.Errorf("%s.usd = %v; want %v", what, got.USD, want.USD)
	}
	if math.Abs(got.PerSuccess-want.PerSuccess) > 1e-9*max(1, want.PerSuccess) {
		t.Errorf("%s.per_success = %v; want %v", what, got.PerSuccess, want.PerSuccess)
	}
	got.USD, want.USD, got.PerSuccess, want.PerSuccess = 0, 0, 0, 0
	if got != want {
		t.Errorf("%s = %+v; want %+v", what, got, want)
	}
}

// TestMergeSumsActiveUsersAndKeepsUnknownPersonas: a gauge adds up, and a
// persona one part never saw still appears with its figures.
func TestMergeSumsActiveUsersAndKeepsUnknownPersonas(t *testing.T) {
	t.Parallel()
	a, b := NewRecorder([]string{"p"}), NewRecorder([]string{"p", "q"})
	a.UserStarted()
	b.UserStarted()
	b.UserStarted()
	for _, o := range []transcript.Outcome{transcript.Completed, transcript.Failed} {
		b.ConversationStarted("q")
		b.ConversationEnded(conv("q", o, "max_turns", 2, 1000))
	}
	got, err := Merge([]Part{viaJSON(t, "a", a), viaJSON(t, "b", b)})
	if err != nil {
		t.Fatal(err)
	}
	s := got.Snapshot
	if s.Users != 3 {
		t.Errorf("users = %d; want 3", s.Users)
	}
	q := s.Personas["q"]
	if q.Started != 2 || q.SuccessRate != 0.5 || q.PassK[1] != 0.5 || q.PassK[2] != 0 || q.Reasons["max_turns"] != 1 {
		t.Errorf("personas[q] = %+v", q)
	}
	if _, ok := s.Personas["p"]; !ok {
		t.Error("persona p, with no conversation, is gone")
	}
	if s.Conversation.Count != 2 || s.Conversation.Failed != 1 || s.Conversation.P50 != time.Second {
		t.Errorf("conversation = %+v", s.Conversation)
	}
}

func TestMergeRefusesBrokenDistributions(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	r.Reply(time.Second, true)
	r.Reply(2*time.Second, true)
	good := viaJSON(t, "dir/a/summary.json", r)
	edit := func(name string, f func(d *Distribution)) Part {
		p := good
		p.Name = "dir/b/summary.json"
		p.Distributions = maps.Clone(good.Distributions)
		d := p.Distributions[name]
		f(&d)
		p.Distributions[name] = d
		return p
	}
	noLLM := good
	noLLM.Name = "dir/old/summary.json"
	noLLM.Distributions = maps.Clone(good.Distributions)
	delete(noLLM.Distributions, "llm")
	tests := []struct {
		name  string
		parts []Part
		want  []string
	}{
		{"nothing", nil, []string{"nothing to merge"}},
		{"a distribution missing", []Part{good, noLLM}, []string{"dir/old/summary.json", "no llm distribution"}},
		{"not an HDR histogram", []Part{good, edit("reply", func(d *Distribution) { d.HDR = "bm90IGEgaGlzdG9ncmFt" })},
			[]string{"dir/b/summary.json", "reply", "cannot decode the histogram"}},
		{"more timings than operations", []Part{good, edit("reply", func(d *Distribution) { d.Count = 1 })},
			[]string{"dir/b/summary.json", "holds 2 timings, more than the 1"}},
		{"more failed than operations", []Part{edit("send", func(d *Distribution) { d.Failed = 3 })},
			[]string{"impossible counts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Merge(tt.parts)
			if err == nil {
				t.Fatal("merged; want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestTiming: a Timing gives the figures a Recorder gives for the same
// operations, and Reset empties it.
func TestTiming(t *testing.T) {
	t.Parallel()
	r, tm := NewRecorder(nil), NewTiming()
	tm.Add(time.Hour, true) // gone after Reset
	tm.Add(0, false)
	tm.Reset()
	if got := tm.Latency(); got != (Latency{}) {
		t.Fatalf("after Reset: %+v", got)
	}
	for i := range 500 {
		d, ok := time.Duration(i*i)*time.Microsecond+time.Millisecond, i%7 != 0
		r.Reply(d, ok)
		tm.Add(d, ok)
	}
	if got, want := tm.Latency(), r.Snapshot(0).Reply; got != want {
		t.Errorf("timing %+v\nrecorder %+v", got, want)
	}
}

// A figure one segment could not know (rebuilt from its journal) is not
// known of the merged run either: it stays named in Unrecorded.
func TestMergeKeepsWhatASegmentCouldNotKnow(t *testing.T) {
	t.Parallel()
	a, b := viaJSON(t, "a", NewRecorder(nil)), viaJSON(t, "b", NewRecorder(nil))
	b.Snapshot.Unrecorded = []string{"webhook", "conversations.dropped"}
	got, err := Merge([]Part{a, b, b})
	if err != nil {
		t.Fatal(err)
	}
	if u := got.Snapshot.Unrecorded; !slices.Equal(u, []string{"webhook", "conversations.dropped"}) {
		t.Errorf("unrecorded %q after the merge", u)
	}
}
