package verdict_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// synthetic describes a run made up for a comparison.
type synthetic struct {
	conversations int
	success       float64 // fraction of conversations that complete
	latency       float64 // factor on every reply latency
	seed          uint64  // draws the latencies
}

// writeRun writes the summary.json and conversations.jsonl of a made-up
// run of 12-turn conversations whose replies take about 200 ms (times the
// factor), log-normally spread, each conversation at its own pace, recorded
// through metrics.Recorder as a real run is.
func writeRun(t *testing.T, s synthetic) string {
	t.Helper()
	dir := t.TempDir()
	rec := metrics.NewRecorder([]string{"edman"})
	j, err := results.CreateJSONL(filepath.Join(dir, results.ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(s.seed, 1))
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	completed := int(math.Round(s.success * float64(s.conversations)))
	for i := range s.conversations {
		c := syntheticConversation(i, i < completed, s.latency, rng, start)
		rec.ConversationStarted(c.Persona)
		for _, tr := range c.Turns {
			rec.Send(time.Duration(tr.SendMS*float64(time.Millisecond)), true)
			if tr.ReplyMS != nil {
				rec.Reply(time.Duration(*tr.ReplyMS*float64(time.Millisecond)), true)
			} else { // the wait that timed out, censored at the time it waited, as a run records it
				rec.ReplyTimedOut(c.EndedAt.Sub(tr.SentAt))
			}
		}
		rec.ConversationEnded(c)
		if err := j.Write(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	run := results.Run{Plan: results.PlanInfoOf(&plan.Plan{Name: "synthetic"}), Version: "test", StartedAt: start, EndedAt: start.Add(time.Minute)}
	if err := results.WriteSummary(dir, results.NewSummary(run, rec.Snapshot(time.Minute), nil)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func syntheticConversation(i int, ok bool, factor float64, rng *rand.Rand, start time.Time) *transcript.Conversation {
	c := &transcript.Conversation{ID: string(rune('a'+i%26)) + strings.Repeat("x", i/26), User: i + 1, Persona: "edman", StartedAt: start, Outcome: transcript.Completed}
	pace := math.Exp(0.15 * rng.NormFloat64())
	for n := 1; n <= 12; n++ {
		reply := math.Round(factor*200*pace*math.Exp(0.25*rng.NormFloat64())*1000) / 1000
		tr := transcript.Turn{N: n, Sent: "Olá", SentAt: start.Add(time.Duration(c.DurationMS * float64(time.Millisecond))),
			SendMS: 1 + rng.Float64(), Status: 202, ReplyMS: &reply,
			Messages: []transcript.Message{{Role: "assistant", Type: "text", Text: "Oi"}}}
		if !ok && n == 12 { // no reply within its 10 s reply_timeout
			tr.ReplyMS, tr.Messages = nil, nil
			c.Outcome, c.Reason = transcript.Failed, transcript.ReasonReplyTimeout
			reply = 10_000
		}
		c.Turns = append(c.Turns, tr)
		c.DurationMS += tr.SendMS + 300 + reply
	}
	c.EndedAt = start.Add(time.Duration(c.DurationMS * float64(time.Millisecond)))
	return c
}

func load(t *testing.T, path string) *verdict.RunResults {
	t.Helper()
	r, err := results.LoadRunResults(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func row(t *testing.T, c *verdict.Comparison, metric string) verdict.Row {
	t.Helper()
	for _, r := range c.Rows {
		if r.Metric == metric {
			return r
		}
	}
	t.Fatalf("no row %q", metric)
	return verdict.Row{}
}

func TestCompareIdenticalRunsShowNoRegression(t *testing.T) {
	t.Parallel()
	dir := writeRun(t, synthetic{conversations: 20, success: 0.9, latency: 1, seed: 1})
	c := verdict.Compare(load(t, dir), load(t, dir), verdict.CompareOptions{})
	if regs := c.Regressions(); len(regs) != 0 {
		t.Fatalf("identical runs: regressions %+v", regs)
	}
	for _, m := range []string{"reply.p95", "reply.p50", "reply.avg", "conversations.success_rate", "personas.edman.success_rate", "send.error_rate"} {
		if r := row(t, c, m); r.Verdict != verdict.Noise || r.Change != 0 || !verdict.IntervalContains(r.Low, r.High, 0) {
			t.Errorf("%s = %+v; want within noise, no change", m, r)
		}
	}
	if r := row(t, c, "reply.p95"); r.Method != verdict.MethodBootstrap {
		t.Errorf("reply.p95 judged by %q; want the bootstrap over conversations.jsonl", r.Method)
	}
	if r := row(t, c, "conversations.started"); r.Verdict != verdict.NotJudged || r.Base != 20 {
		t.Errorf("a count is shown, not judged: %+v", r)
	}
}

func TestCompareHalfTheSuccessRateIsARegression(t *testing.T) {
	t.Parallel()
	base := load(t, writeRun(t, synthetic{conversations: 20, success: 1, latency: 1, seed: 1}))
	next := load(t, writeRun(t, synthetic{conversations: 20, success: 0.5, latency: 1, seed: 2}))
	c := verdict.Compare(base, next, verdict.CompareOptions{MinEffect: verdict.DefaultMinEffect()})
	r := row(t, c, "conversations.success_rate")
	if r.Verdict != verdict.Regression || !r.Gated || r.Method != verdict.MethodNewcomb || r.High >= 0 {
		t.Fatalf("success rate 1 → 0.5 on 20 conversations: %+v; want a regression over the limit", r)
	}
	if math.Abs(r.Change+0.5) > 1e-9 {
		t.Errorf("change = %v; want -50%%", r.Change)
	}
	if p := row(t, c, "personas.edman.success_rate"); p.Verdict != verdict.Regression {
		t.Errorf("the persona's success rate: %+v", p)
	}
	if failing := c.Failing(); len(failing) == 0 {
		t.Error("no failing row")
	}
	// The same drop (50 points) is below a minimum change of 60 points:
	// beyond the noise, but within it for the gate. Rates are judged in
	// points, not relative to the base: an error rate from 0 is not
	// infinitely worse.
	// (The half that timed out also slowed reply — its waits are in it,
	// censored — so only the rates are gated here.)
	lax := verdict.Compare(base, next, verdict.CompareOptions{MinEffect: verdict.MinEffect{RatePoints: 0.6},
		Gate: []string{"conversations.success_rate", "conversation.error_rate"}})
	for _, m := range []string{"conversations.success_rate", "conversation.error_rate"} {
		if r := row(t, lax, m); r.Verdict != verdict.Noise || !r.Significant {
			t.Errorf("--min-points 60, %s: %+v; want a significant change within the noise", m, r)
		}
	}
	if failing := lax.Failing(); len(failing) != 0 {
		t.Errorf("failing %+v", failing)
	}
	// Only the gated metrics fail the comparison.
	gated := verdict.Compare(base, next, verdict.CompareOptions{MinEffect: verdict.DefaultMinEffect(), Gate: []string{"reply.p95"}})
	if r := row(t, gated, "conversations.success_rate"); r.Verdict != verdict.Regression || r.Gated || len(gated.Failing()) != 0 {
		t.Errorf("--gate reply.p95: %+v, failing %+v", r, gated.Failing())
	}
}

func TestCompareSmallLatencyChangeIsNoise(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		next synthetic
		want string
	}{
		{"2% slower, the same draws", synthetic{conversations: 20, success: 1, latency: 1.02, seed: 1}, verdict.Noise},
		{"2% slower, other draws", synthetic{conversations: 20, success: 1, latency: 1.02, seed: 9}, verdict.Noise},
		{"twice as slow", synthetic{conversations: 20, success: 1, latency: 2, seed: 9}, verdict.Regression},
	}
	base := load(t, writeRun(t, synthetic{conversations: 20, success: 1, latency: 1, seed: 1}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := verdict.Compare(base, load(t, writeRun(t, tt.next)), verdict.CompareOptions{MinEffect: verdict.DefaultMinEffect()})
			for _, m := range []string{"reply.avg", "reply.p50", "reply.p90", "reply.p95"} {
				if r := row(t, c, m); r.Verdict != tt.want {
					t.Errorf("%s: %+v; want %s", m, r, tt.want)
				}
			}
			// 240 replies: two beyond the p99, too few to judge it.
			if r := row(t, c, "reply.p99"); r.Verdict != verdict.TooFew {
				t.Errorf("reply.p99: %+v; want too few samples", r)
			}
		})
	}
}

// A build that answers faster but lets replies time out has not got
// faster: the timed-out waits are in reply (censored at the time they
// waited, as the live metric holds them), so its latency regressed, and
// only reply_ok — the replies that came — shows the speed-up.
func TestCompareCountsTimedOutReplies(t *testing.T) {
	t.Parallel()
	base := load(t, writeRun(t, synthetic{conversations: 40, success: 1, latency: 1, seed: 1}))
	next := load(t, writeRun(t, synthetic{conversations: 40, success: 0.6, latency: 0.8, seed: 2}))
	c := verdict.Compare(base, next, verdict.CompareOptions{MinEffect: verdict.DefaultMinEffect()})
	if r := row(t, c, "reply.avg"); r.Verdict != verdict.Regression || r.Method != verdict.MethodBootstrap {
		t.Errorf("reply.avg with 16 replies timed out at 10 s: %+v; want a regression, bootstrapped", r)
	}
	if r := row(t, c, "reply_ok.avg"); r.Verdict != verdict.Improved || r.Method != verdict.MethodBootstrap {
		t.Errorf("reply_ok.avg 20 %% faster: %+v; want improved, bootstrapped", r)
	}
}

// TestCompareSummariesAlone judges latencies by the conservative rule when
// there are no conversations to bootstrap over.
func TestCompareSummariesAlone(t *testing.T) {
	t.Parallel()
	base := writeRun(t, synthetic{conversations: 20, success: 1, latency: 1, seed: 1})
	alone := filepath.Join(t.TempDir(), "baseline.json")
	b, err := os.ReadFile(filepath.Join(base, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, b, 0o644); err != nil {
		t.Fatal(err)
	}
	a := load(t, alone)
	if a.Samples != nil {
		t.Fatal("a summary not named summary.json must not pick up a conversations file")
	}
	small := verdict.Compare(a, load(t, writeRun(t, synthetic{conversations: 20, success: 1, latency: 1.02, seed: 1})), verdict.CompareOptions{MinEffect: verdict.DefaultMinEffect()})
	big := verdict.Compare(a, load(t, writeRun(t, synthetic{conversations: 20, success: 1, latency: 3, seed: 1})), verdict.CompareOptions{MinEffect: verdict.DefaultMinEffect()})
	for _, m := range []string{"reply.p50", "reply.p95", "reply.avg"} {
		if r := row(t, small, m); r.Verdict != verdict.Noise || r.Method != verdict.MethodSummary {
			t.Errorf("2%% slower, %s: %+v; want noise by the summary rule", m, r)
		}
		if r := row(t, big, m); r.Verdict != verdict.Regression || !r.Gated {
			t.Errorf("3 times slower, %s: %+v; want a regression", m, r)
		}
	}
}

func TestWriteComparison(t *testing.T) {
	t.Parallel()
	base := load(t, writeRun(t, synthetic{conversations: 20, success: 1, latency: 1, seed: 1}))
	next := load(t, writeRun(t, synthetic{conversations: 20, success: 0.5, latency: 1, seed: 1}))
	var b bytes.Buffer
	if err := verdict.WriteComparison(&b, verdict.Compare(base, next, verdict.CompareOptions{MinEffect: verdict.DefaultMinEffect()}), verdict.TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"conversations.success_rate", "-50.0%", "REGRESSION", "reply.p95", "within noise", "Noise (99%)", "metrics at 0 in both runs not shown"} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\033[") {
		t.Error("colour codes without colour")
	}
	if strings.Contains(out, "cost.usd") || strings.Contains(out, "llm.p95") {
		t.Errorf("metrics at 0 in both runs shown without --all:\n%s", out)
	}
	b.Reset()
	if err := verdict.WriteComparison(&b, verdict.Compare(base, next, verdict.CompareOptions{MinEffect: verdict.DefaultMinEffect()}), verdict.TableOptions{All: true, Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "llm.p95") || !strings.Contains(b.String(), "\033[31;1mREGRESSION") {
		t.Errorf("--all with colour:\n%s", b.String())
	}
}
