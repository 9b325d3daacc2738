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
	"github.com/voyplan/voyplan/engine/report"
	"github.com/voyplan/voyplan/engine/target"
	"github.com/voyplan/voyplan/engine/transcript"
)

// fakeRun writes the result files of a run of n 10-turn conversations, a
// fraction of which complete, whose replies take about 200 ms × slower,
// recorded through metrics.Recorder as apply records them.
func fakeRun(t *testing.T, n int, success, slower float64, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	rec := metrics.NewRecorder([]string{"kataryna"})
	j, err := report.CreateJSONL(filepath.Join(dir, report.ConversationsFile))
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
			tr := transcript.Turn{N: k, Sent: "Olá", SendMS: 1, Status: 202, ReplyMS: &ms, Messages: []target.Message{{Role: "assistant", Type: "text", Text: "Oi"}}}
			rec.Send(time.Millisecond, true)
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
	run := report.Run{Plan: report.PlanInfoOf(&plan.Plan{Name: "fake"}), Version: "test", StartedAt: start, EndedAt: start.Add(time.Minute)}
	if err := report.WriteSummary(dir, report.NewSummary(run, rec.Snapshot(time.Minute), nil)); err != nil {
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
			[]string{"conversations.success_rate", "-50.0%", "REGRESSION (worse than +10.0%)"}},
		{"half the success rate, tolerated", fakeRun(t, 20, 0.5, 1, 2), []string{"--max-regression", "0.6"}, exitThreshold,
			[]string{"regression (within limit)"}}, // the reply error rate, from 0, is still over
		{"2% slower on 20 conversations", fakeRun(t, 20, 1, 1.02, 1), nil, exitOK, []string{"reply.p95", "within noise", "no regression"}},
		{"twice as slow", fakeRun(t, 20, 1, 2, 3), []string{"--max-regression=25%"}, exitThreshold, []string{"reply.p50", "REGRESSION (worse than +25.0%)"}},
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

func TestProgressLine(t *testing.T) {
	t.Parallel()
	st := progressState{
		elapsed: 72*time.Second + 400*time.Millisecond,
		planned: 10 * time.Minute,
		stage:   "hold",
		snap: metrics.Snapshot{
			Users:         6,
			Conversations: metrics.Conversations{Started: 8, Succeeded: 5, Failed: 1, Abandoned: 1, Turns: 96},
			Reply:         metrics.Latency{Count: 90, P95: 248100 * time.Microsecond},
			Cost:          metrics.Cost{USD: 0.0123},
		},
	}
	plain := st.line(false)
	want := "1:12/10:00 hold · users 6 · conversations 8 started, 5 completed, 2 failed · turns 96 · reply p95 248.1ms · cost $0.0123"
	if plain != want {
		t.Errorf("line:\n got %q\nwant %q", plain, want)
	}
	colored := st.line(true)
	if !strings.Contains(colored, "\033[31m2 failed\033[0m") || !strings.Contains(colored, "\033[36mhold\033[0m") {
		t.Errorf("no colour: %q", colored)
	}
	st.snap = metrics.Snapshot{}
	if got := st.line(false); !strings.Contains(got, "reply p95 -") || strings.Contains(got, "\033") {
		t.Errorf("before any reply: %q", got)
	}
	if got := clock(3*time.Hour + 2*time.Minute + 5*time.Second); got != "3:02:05" {
		t.Errorf("clock = %q", got)
	}
}

// TestApplyProgress runs a short plan with the progress on: on a terminal
// the line is redrawn in place (\r) and coloured unless NO_COLOR is set; in
// a log (not a terminal) nothing is printed within 10 s and never a \r.
func TestApplyProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		terminal    bool
		env         []string
		wantCR      bool
		wantColour  bool
		wantNoLines bool
	}{
		{"terminal", true, nil, true, true, false},
		{"terminal with NO_COLOR", true, []string{"NO_COLOR=1"}, true, false, false},
		{"CI log", false, nil, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			ta.isTerminal = tt.terminal
			ta.environ = append(ta.environ, tt.env...)
			path := writePlan(t, kataryna(t), `stage "s" {
  users      = 3
  spawn_rate = 1
  duration   = "3s"
}`) // users start at 0, 1 and 2 s: over 2 s of run
			if code := ta.main([]string{"apply", path, "--out", filepath.Join(t.TempDir(), "out")}); code != exitOK {
				t.Fatalf("exit %d\n%s", code, ta.err.String())
			}
			errOut := ta.err.String()
			if got := strings.Contains(errOut, "\r\033[K0:0"); got != tt.wantCR {
				t.Errorf("line redrawn in place: %v; want %v\n%q", got, tt.wantCR, errOut)
			}
			if got := strings.Contains(errOut, "\033[36m"); got != tt.wantColour {
				t.Errorf("coloured: %v; want %v\n%q", got, tt.wantColour, errOut)
			}
			if tt.wantNoLines && strings.Contains(errOut, "users ") {
				t.Errorf("a progress line within 10 s in a log:\n%s", errOut)
			}
			if tt.wantCR && !strings.Contains(errOut, "conversations ") {
				t.Errorf("progress lacks the users:\n%q", errOut)
			}
		})
	}
}
