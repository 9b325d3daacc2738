package results

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// segmentWithWindows is a segment's summary, through summary.json and
// back, of a run whose first minute had 3 conversations succeed and second
// minute 2 fail, each with a reply of 100 ms and, in the second, one of 2 s.
func segmentWithWindows(t *testing.T, index int, start time.Time, ths []*plan.Threshold) *SegmentRun {
	t.Helper()
	rec := metrics.NewRecorder([]string{"p"})
	marks := []metrics.Mark{rec.Mark(0)}
	for minute, outcome := range []transcript.Outcome{transcript.Completed, transcript.Failed} {
		for range 3 - minute {
			rec.ConversationStarted("p")
			rec.Reply(100*time.Millisecond, true)
			rec.ConversationEnded(&transcript.Conversation{Persona: "p", Outcome: outcome, DurationMS: 100})
		}
		if minute == 1 {
			rec.Reply(2*time.Second, true)
		}
		marks = append(marks, rec.Mark(time.Duration(minute+1)*time.Minute))
	}
	var ws []verdict.Window
	for i := range 2 {
		part, err := metrics.WindowPart(marks[i], marks[i+1])
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, verdict.Window{From: marks[i].At, To: marks[i+1].At, Snapshot: part.Snapshot, Distributions: part.Distributions})
	}
	windows := verdict.Windows{time.Minute: ws}
	snap := rec.Snapshot(2 * time.Minute)
	rs := verdict.EvaluateAll(ths, snap, windows)
	if !verdict.Passed(rs) {
		t.Fatalf("segment %d: %+v; want each segment to hold on its own", index, rs)
	}
	dists, err := rec.Distributions()
	if err != nil {
		t.Fatal(err)
	}
	s := NewSummary(Run{StartedAt: start, EndedAt: start.Add(2 * time.Minute), Segment: &Segment{Index: index, Count: 2},
		Distributions: dists}, snap, rs)
	s.Plan.Name, s.Version = "windows", "test"
	s.Windows = windowSets(windows)
	b, err := encodeSummary(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateSummary(b); err != nil {
		t.Errorf("a summary with windows does not match its schema: %v", err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return &SegmentRun{Dir: t.TempDir(), Summary: &back}
}

// Each segment's second minute had 2 failures — under the bar of 3, in
// its window and over its whole run — but the run's second minute had 4:
// the merge judges the windowed threshold on the merged windows, so it
// fails there, with the window's replies (timings merged) all counted.
func TestMergeJudgesTheRunsWindows(t *testing.T) {
	t.Parallel()
	th, err := plan.CompileCheck(plan.CheckSource{Name: "failures", Check: "conversations.failed < 3", Window: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	th.Window = time.Minute
	ths := []*plan.Threshold{th}
	start := time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC)
	m, err := Merge([]*SegmentRun{segmentWithWindows(t, 1, start, ths), segmentWithWindows(t, 2, start.Add(2*time.Second), ths)})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := m.Windows()
	if err != nil {
		t.Fatal(err)
	}
	got := ws[time.Minute]
	if len(got) != 2 || got[1].Snapshot.Conversations.Failed != 4 || got[0].Snapshot.Conversations.Succeeded != 6 ||
		got[1].From != time.Minute || got[1].To != 2*time.Minute+2*time.Second {
		t.Fatalf("merged windows %+v; want 2, the second 1m–2m2s with 4 failures", got)
	}
	if r := got[1].Snapshot.Reply; r.Count != 6 || r.Max < 1990*time.Millisecond || r.P50 > 101*time.Millisecond {
		t.Errorf("merged window's replies %+v; want 6, the 2 s ones the slowest, the median 100 ms", r)
	}
	rs := verdict.EvaluateAll(ths, m.Metrics.Snapshot, ws)
	if verdict.Passed(rs) || rs[0].Err != nil || rs[0].FailedWindows != 1 || rs[0].Worst == nil || rs[0].Worst.From != time.Minute {
		t.Errorf("merged verdict %+v; want the second window failing", rs[0])
	}
	// a segment written without windows: the merge cannot judge them
	m.Runs[1].Summary.Windows = nil
	if ws, err := m.Windows(); ws != nil || err != nil {
		t.Errorf("windows %v, %v; want none when a segment has none", ws, err)
	}
}
