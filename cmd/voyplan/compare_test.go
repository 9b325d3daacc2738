package main

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// fakeRun writes the result files of a run of n 10-turn conversations, a
// fraction of which complete, whose replies take about 200 ms × slower,
// recorded through metrics.Recorder as apply records them.
func fakeRun(t *testing.T, n int, success, slower float64, seed uint64) string {
	t.Helper()
	return fakeRunWith(t, fake{n: n, success: success, slower: slower, seed: seed, sendMS: 1})
}

// fake is a made-up run: n conversations, a fraction success of which
// complete, replies about 200 ms × slower, sends of sendMS give or take a
// third, judged by the thresholds (none: a summary without any).
type fake struct {
	n                       int
	success, slower, sendMS float64
	seed                    uint64
	thresholds              []verdict.Result
}

func fakeRunWith(t *testing.T, f fake) string {
	t.Helper()
	n, success, slower, seed := f.n, f.success, f.slower, f.seed
	dir := t.TempDir()
	rec := metrics.NewRecorder([]string{"kataryna"})
	j, err := results.CreateJSONL(filepath.Join(dir, results.ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 5))
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range n {
		c := &transcript.Conversation{ID: "c" + strconv.Itoa(i), User: i + 1, Persona: "kataryna", StartedAt: start, Outcome: transcript.Completed}
		ok := i < int(math.Round(success*float64(n)))
		pace := math.Exp(0.15 * rng.NormFloat64())
		rec.ConversationStarted(c.Persona)
		for k := 1; k <= 10; k++ {
			ms := math.Round(slower*200*pace*math.Exp(0.25*rng.NormFloat64())*1000) / 1000
			send := f.sendMS
			if send != 1 {
				send = math.Round(f.sendMS*(1+(rng.Float64()-0.5)*2/3)*1000) / 1000
			}
			tr := transcript.Turn{N: k, Sent: "Olá", SendMS: send, Status: 202, ReplyMS: &ms, Messages: []transcript.Message{{Role: "assistant", Type: "text", Text: "Oi"}}}
			rec.Send(time.Duration(send*float64(time.Millisecond)), true)
			if !ok && k == 10 {
				tr.ReplyMS = nil
				c.Outcome, c.Reason = transcript.Failed, transcript.ReasonReplyTimeout
				rec.Reply(10*time.Second, false)
			} else {
				rec.Reply(time.Duration(ms*float64(time.Millisecond)), true)
			}
			c.Turns = append(c.Turns, tr)
			c.DurationMS += 500 + ms
		}
		c.EndedAt = start.Add(time.Duration(c.DurationMS * float64(time.Millisecond)))
		rec.ConversationEnded(c)
		if err := j.Write(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	run := results.Run{Plan: results.PlanInfoOf(&plan.Plan{Name: "fake"}), Version: "test", StartedAt: start, EndedAt: start.Add(time.Minute)}
	if err := results.WriteSummary(dir, results.NewSummary(run, rec.Snapshot(time.Minute), f.thresholds)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCompareExitCodes(t *testing.T) {
	t.Parallel()
	base := fakeRun(t, 20, 1, 1, 1)
	tests := []struct {
		name  string
		next  string
		flags []string
		want  int
		out   []string
	}{
		{"identical runs", base, nil, exitOK, []string{"no regression beyond the run-to-run noise"}},
		{"half the success rate", fakeRun(t, 20, 0.5, 1, 2), nil, exitThreshold,
			[]string{"conversations.success_rate", "-50.0%", "REGRESSION", "Regressed: conversations.success_rate -50.0 points (gated)"}},
		{"half the success rate, tolerated", fakeRun(t, 20, 0.5, 1, 2), []string{"--min-points", "60"}, exitOK,
			[]string{"within noise (below the minimum change)"}}, // rates are judged in points: 50 of them
		{"2% slower on 20 conversations", fakeRun(t, 20, 1, 1.02, 1), nil, exitOK, []string{"reply.p95", "within noise", "no regression"}},
		{"twice as slow", fakeRun(t, 20, 1, 2, 3), []string{"--max-regression=25%"}, exitThreshold, []string{"reply.p50", "REGRESSION"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			code := ta.main(append([]string{"compare", base, tt.next}, tt.flags...))
			if code != tt.want {
				t.Fatalf("exit %d; want %d\n%s\n%s", code, tt.want, ta.out.String(), ta.err.String())
			}
			for _, w := range tt.out {
				if !strings.Contains(ta.out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, ta.out.String())
				}
			}
		})
	}
}

// TestCompareGatesOnRegressionsNotNoise: two healthy runs of one plan
// whose sends went from 0.5 to 0.8 ms (beyond the noise of 2000 POSTs)
// exited 2; a change below 5 ms is no regression. And only the metrics the
// thresholds read (or --gate names) fail the comparison.
func TestCompareGatesOnRegressionsNotNoise(t *testing.T) {
	t.Parallel()
	ths := []verdict.Result{
		{Name: "success", Check: "conversations.success_rate >= 0.95", Pass: true},
		{Name: "reply_p95", Check: "reply.p95 < duration('2s')", Pass: true},
		{Name: "no_send_errors", Check: "send.error_rate == 0", Pass: true},
	}
	base := fakeRunWith(t, fake{n: 200, success: 1, slower: 1, sendMS: 0.5, seed: 1, thresholds: ths})
	sends := fakeRunWith(t, fake{n: 200, success: 1, slower: 1, sendMS: 0.8, seed: 2, thresholds: ths})
	slower := fakeRunWith(t, fake{n: 200, success: 1, slower: 2, sendMS: 0.5, seed: 3, thresholds: ths})
	tests := []struct {
		name  string
		next  string
		flags []string
		want  int
		out   []string
	}{
		{"sends 0.5 → 0.8 ms", sends, nil, exitOK, []string{"send.p50", "within noise (below the minimum change)",
			"Regressed: none", "Changed within noise: send.avg +", "OK — no regression"}},
		{"sends 0.5 → 0.8 ms, every metric gated", sends, []string{"--gate", "all"}, exitOK, []string{"Regressed: none"}},
		{"sends 0.5 → 0.8 ms, no minimum", sends, []string{"--min-ms", "0", "--gate", "send"}, exitThreshold,
			[]string{"Regressed: send.avg +", "(gated)"}},
		{"replies twice as slow, gated by reply_p95", slower, nil, exitThreshold,
			[]string{"Regressed: reply.avg +", "reply.p95 +", "reply.p50 +", "(not gated)", "REGRESSION — 1 gated metric(s) worse", ": reply.p95"}},
		{"replies twice as slow, gated on success only", slower, []string{"--gate", "conversations.success_rate"}, exitOK,
			// 14: reply, reply_ok (bootstrapped over the replies that came) and conversation.
			[]string{"regressed (not gated)", "OK — 14 metric(s) regressed, none of them gated", "reply_ok.p95"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			code := ta.main(append([]string{"compare", base, tt.next}, tt.flags...))
			if code != tt.want {
				t.Fatalf("exit %d; want %d\n%s\n%s", code, tt.want, ta.out.String(), ta.err.String())
			}
			for _, w := range tt.out {
				if !strings.Contains(ta.out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, ta.out.String())
				}
			}
		})
	}
}

func TestCompareInputs(t *testing.T) {
	t.Parallel()
	base := fakeRun(t, 5, 1, 1, 1)
	tests := []struct {
		name   string
		args   []string
		want   int
		stderr string
	}{
		{"a missing run", []string{"compare", base, filepath.Join(t.TempDir(), "nope")}, exitError, "cannot read the run"},
		{"one argument", []string{"compare", base}, exitError, "takes 2 argument(s)"},
		{"a bad limit", []string{"compare", base, base, "--max-regression", "ten"}, exitError, "want a percentage"},
		{"a bad confidence", []string{"compare", base, base, "--confidence", "95"}, exitError, "between 0 and 1"},
		{"summary files", []string{"compare", filepath.Join(base, "summary.json"), filepath.Join(base, "summary.json")}, exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			if code := ta.main(tt.args); code != tt.want || !strings.Contains(ta.err.String(), tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, ta.err.String(), tt.want, tt.stderr)
			}
		})
	}
}

func TestReportCommandInputs(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	if code := ta.main([]string{"report", t.TempDir()}); code != exitError || !strings.Contains(ta.err.String(), "cannot read the summary") {
		t.Errorf("an empty directory: exit %d, %q", code, ta.err.String())
	}
	// A run without history.json (an older version's) still renders, with
	// a note.
	dir := fakeRun(t, 3, 1, 1, 1)
	ta = newTestApp(t)
	if code := ta.main([]string{"report", dir, "--max-conversations", "0"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	if !strings.Contains(ta.err.String(), "has no history.json") || !strings.Contains(ta.out.String(), "report.html") {
		t.Errorf("stderr %q, stdout %q", ta.err.String(), ta.out.String())
	}
}
