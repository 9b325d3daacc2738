package results_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/report"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

var mergeT0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// fakeSegment is a segment's results directory, made up.
type fakeSegment struct {
	index, count int
	hash         string
	seed         uint64
	start, end   time.Time
	interrupted  bool
	steering     []transcript.Steer
	checks       []string
	convs        []transcript.Conversation
	samples      []metrics.Sample
	late         []transcript.LateCallback
	intervalMS   float64
	old          bool   // no distributions, as before merge existed
	extra        string // appended to conversations.jsonl as it is
}

// write writes the segment's files in dir, the summary's metrics recorded
// from its conversations by a Recorder as a run's are.
func (f fakeSegment) write(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rec := metrics.NewRecorder([]string{"p"})
	j, err := results.CreateJSONL(filepath.Join(dir, results.ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.convs {
		c := &f.convs[i]
		rec.ConversationStarted(c.Persona)
		for _, turn := range c.Turns {
			rec.Send(transcript.Duration(turn.SendMS), true)
			if turn.ReplyMS != nil {
				rec.Reply(transcript.Duration(*turn.ReplyMS), true)
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
	if f.extra != "" {
		appendFile(t, filepath.Join(dir, results.ConversationsFile), f.extra)
	}
	var ds map[string]metrics.Distribution
	if !f.old {
		if ds, err = rec.Distributions(); err != nil {
			t.Fatal(err)
		}
	}
	rs := make([]verdict.Result, len(f.checks))
	for i, c := range f.checks {
		rs[i] = verdict.Result{Name: fmt.Sprintf("t%d", i+1), Check: c, Pass: true}
	}
	hash := f.hash
	if hash == "" {
		hash = "abc123"
	}
	var seg *results.Segment
	if f.count > 0 {
		seg = &results.Segment{Index: f.index, Count: f.count}
	}
	sum := results.NewSummary(results.Run{
		Plan:    results.PlanInfo{Name: "merge test", File: "plans/m.hcl", Hash: hash, Seed: f.seed},
		Version: "v1", StartedAt: f.start, EndedAt: f.end, Interrupted: f.interrupted,
		Segment: seg, Steering: f.steering, Distributions: ds,
	}, rec.Snapshot(f.end.Sub(f.start)), rs)
	if err := results.WriteSummary(dir, sum); err != nil {
		t.Fatal(err)
	}
	iv := f.intervalMS
	if iv == 0 {
		iv = 5000
	}
	if err := results.WriteHistory(dir, &results.History{IntervalMS: iv, Samples: append([]metrics.Sample{}, f.samples...)}); err != nil {
		t.Fatal(err)
	}
	if len(f.late) > 0 {
		l := results.NewLateJSONL(filepath.Join(dir, results.LateFile))
		for i := range f.late {
			if err := l.WriteLate(&f.late[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// fakeConversation is user's completed conversation, started at `at`, one
// turn per reply time (ms), each sent when the previous reply came.
func fakeConversation(user int, at time.Time, replies ...float64) transcript.Conversation {
	c := transcript.Conversation{
		ID: fmt.Sprintf("conv-%d", user), User: user, Persona: "p", StartedAt: at, Outcome: transcript.Completed,
		Data: map[string]map[string]string{"customer": {"cpf": fmt.Sprintf("cpf-%d", user)}},
	}
	sent := at
	for i, ms := range replies {
		reply := ms
		c.Turns = append(c.Turns, transcript.Turn{N: i + 1, Sent: "oi", SentAt: sent, SendMS: 1, Status: 200,
			ReplyMS: &reply, Messages: []transcript.Message{}, Late: []transcript.Message{}})
		sent = sent.Add(transcript.Duration(ms))
	}
	c.EndedAt = sent
	c.DurationMS = transcript.Ms(sent.Sub(at))
	return c
}

// sample is a segment's history sample ending at `at` into the merged
// grid, lasting iv seconds.
func sample(at, iv float64, users, started, succeeded int64, replies int64) metrics.Sample {
	end := mergeT0.Add(time.Duration(at * float64(time.Second)))
	return metrics.Sample{
		Time: end, IntervalMS: iv * 1000, Users: users,
		Conversations: metrics.Interval{Started: started, Succeeded: succeeded},
		Totals:        metrics.Interval{Started: started, Succeeded: succeeded}, // overwritten by cumulate
		Timers:        map[string]metrics.TimerSample{"reply": {Interval: metrics.Latency{Count: replies}}},
		Cost:          metrics.Cost{USD: 0.5},
	}
}

// cumulate fills the totals of a segment's samples from their intervals.
func cumulate(ss []metrics.Sample) []metrics.Sample {
	var tot metrics.Interval
	var replies int64
	for i := range ss {
		tot = results.AddInterval(tot, ss[i].Conversations)
		replies += ss[i].Timers["reply"].Interval.Count
		ss[i].Totals = tot
		ss[i].Timers["reply"] = metrics.TimerSample{Interval: ss[i].Timers["reply"].Interval, Total: metrics.Latency{Count: replies}}
	}
	return ss
}

func at(sec float64) time.Time { return mergeT0.Add(time.Duration(sec * float64(time.Second))) }

func readSegments(t *testing.T, dirs ...string) []*results.SegmentRun {
	t.Helper()
	runs := make([]*results.SegmentRun, len(dirs))
	for i, d := range dirs {
		r, err := results.ReadSegment(d)
		if err != nil {
			t.Fatal(err)
		}
		runs[i] = r
	}
	return runs
}

// TestMergeSegments merges two segments, the second started 1.5 s after
// the first, given in reverse order: the summary, conversations.jsonl
// (byte for byte, by start), late.jsonl and the history aligned on one grid
// with interval latencies recomputed from the turns.
func TestMergeSegments(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	one := 1
	two := 2
	a := fakeSegment{
		index: 1, count: 2, start: at(0), end: at(12), checks: []string{"conversations.succeeded == 3"},
		steering: []transcript.Steer{{At: at(3), Elapsed: 3 * time.Second, Action: "users", Stage: "s", From: one, To: two, By: "dashboard"}},
		convs: []transcript.Conversation{
			fakeConversation(3, at(6), 300),      // the reply ends in the grid's 5–10 s
			fakeConversation(1, at(0.5), 100, 1), // both end in 0–5 s
		},
		samples: cumulate([]metrics.Sample{
			sample(5, 5, 2, 1, 1, 2), sample(10, 5, 1, 1, 1, 1), sample(12, 2, 0, 0, 0, 0),
		}),
		late:  []transcript.LateCallback{{Conversation: "conv-3", Turn: 1, ReceivedAt: at(11), Messages: []transcript.Message{}}},
		extra: `{"id": "odd-spacing",  "user": 5, "persona": "p", "started_at": "2026-03-04T10:00:01Z", "outcome": "interrupted", "turns": []}` + "\n",
	}
	b := fakeSegment{
		index: 2, count: 2, start: at(1.5), end: at(13.5), interrupted: true, checks: []string{"conversations.succeeded == 3"},
		convs: []transcript.Conversation{fakeConversation(2, at(2), 200)},
		samples: cumulate([]metrics.Sample{
			sample(6.5, 5, 1, 1, 1, 1), sample(11.5, 5, 0, 0, 0, 0), sample(13.5, 2, 0, 0, 0, 0),
		}),
		late:  []transcript.LateCallback{{Conversation: "conv-2", Turn: 1, ReceivedAt: at(4), Messages: []transcript.Message{}}},
		extra: `{"id": "cut-short", "user": 4, "persona"`, // a write cut short by a killed process
	}
	dirB := b.write(t, filepath.Join(root, "b"))
	dirA := a.write(t, filepath.Join(root, "a"))
	m, err := results.Merge(readSegments(t, dirB, dirA))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Notes) != 0 {
		t.Errorf("notes %q; want none", m.Notes)
	}
	if m.Runs[0].Dir != dirA || !m.StartedAt.Equal(at(0)) || !m.EndedAt.Equal(at(13.5)) {
		t.Fatalf("runs %s, %s; span %v to %v", m.Runs[0].Dir, m.Runs[1].Dir, m.StartedAt, m.EndedAt)
	}
	s := m.Metrics.Snapshot
	if c := s.Conversations; c.Started != 3 || c.Succeeded != 3 || c.Turns != 4 || s.Reply.Count != 4 || s.Reply.Max != 300*time.Millisecond {
		t.Errorf("merged metrics: %+v, reply %+v", c, s.Reply)
	}
	if s.Elapsed != 13500*time.Millisecond {
		t.Errorf("elapsed %v", s.Elapsed)
	}

	out := filepath.Join(root, "merged")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	n, err := m.WriteData(out)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("%d conversations; want 4 (the line cut short is not one)", n)
	}
	sum := m.Summary([]verdict.Result{{Name: "t1", Check: "conversations.succeeded == 3", Pass: true, Observed: "3"}})
	if sum.Segment != nil || !sum.Interrupted || len(sum.Steering) != 1 || !sum.StartedAt.Equal(at(0)) || !sum.EndedAt.Equal(at(13.5)) ||
		sum.DurationMS != 13500 || sum.Verdict != results.VerdictPass || len(sum.Distributions) != len(metrics.DistributionNames) {
		t.Errorf("summary: segment %v interrupted %v steering %d span %v–%v (%vms) verdict %s, %d distributions",
			sum.Segment, sum.Interrupted, len(sum.Steering), sum.StartedAt, sum.EndedAt, sum.DurationMS, sum.Verdict, len(sum.Distributions))
	}
	if err := results.WriteSummary(out, sum); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := results.ValidateSummary(raw); err != nil {
		t.Error(err)
	}

	checkMergedLines(t, out, dirA, dirB)
	checkMergedHistory(t, out)
	late, err := results.ReadLate(filepath.Join(out, results.LateFile))
	if err != nil || len(late["conv-2"]) != 1 || len(late["conv-3"]) != 1 {
		t.Errorf("late.jsonl: %v, %v", late, err)
	}
	if _, err := report.Render(results.At(out), report.RenderOptions{}); err != nil {
		t.Errorf("render the merged run: %v", err)
	}
}

// checkMergedLines: every line of the segments, byte for byte, by start.
func checkMergedLines(t *testing.T, out, dirA, dirB string) {
	t.Helper()
	merged, err := os.ReadFile(filepath.Join(out, results.ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(merged), "\n")
	if lines[len(lines)-1] != "" {
		t.Fatalf("the merged file does not end with a newline")
	}
	lines = lines[:len(lines)-1]
	var users []string
	for _, l := range lines {
		var c struct {
			User int `json:"user"`
		}
		if _, err := fmt.Sscanf(l[strings.Index(l, `"user":`)+len(`"user":`):], "%d", &c.User); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		users = append(users, fmt.Sprint(c.User))
	}
	if got := strings.Join(users, ","); got != "1,5,2,3" {
		t.Errorf("users in merged order %s; want 1,5,2,3 (by started_at)", got)
	}
	for _, dir := range []string{dirA, dirB} {
		b, err := os.ReadFile(filepath.Join(dir, results.ConversationsFile))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.SplitAfter(string(b), "\n") {
			if strings.HasSuffix(l, "\n") && !bytes.Contains(merged, []byte(l)) {
				t.Errorf("line of %s not kept byte for byte: %q", dir, l)
			}
		}
	}
	if bytes.Contains(merged, []byte("cut-short")) {
		t.Error("the line cut short was copied")
	}
}

// checkMergedHistory: a grid of 5 s from the first start, the last interval
// 3.5 s; each segment's samples in the interval they overlap most, counts
// summed, gauges carried forward, latencies from the turns.
func checkMergedHistory(t *testing.T, out string) {
	t.Helper()
	h, err := results.ReadHistory(filepath.Join(out, results.HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Samples) != 3 || h.IntervalMS != 5000 {
		t.Fatalf("%d samples every %vms; want 3 every 5000", len(h.Samples), h.IntervalMS)
	}
	type want struct {
		elapsed, interval float64
		users, started    int64
		totalStarted      int64
		replies, total    int64
		min, max, totMax  time.Duration
		usd               float64
	}
	ms := time.Millisecond
	wants := []want{
		{5000, 5000, 3, 2, 2, 3, 3, 1 * ms, 200 * ms, 200 * ms, 1}, // a's 0–5 and b's 1.5–6.5
		{10000, 5000, 1, 1, 3, 1, 4, 300 * ms, 300 * ms, 300 * ms, 1},
		{13500, 3500, 0, 0, 3, 0, 4, 0, 0, 300 * ms, 1}, // a's 10–12 and b's 6.5–11.5, 11.5–13.5
	}
	for i, w := range wants {
		s := h.Samples[i]
		r := s.Timers["reply"]
		got := want{s.ElapsedMS, s.IntervalMS, s.Users, s.Conversations.Started, s.Totals.Started,
			r.Interval.Count, r.Total.Count, r.Interval.Min, r.Interval.Max, r.Total.Max, s.Cost.USD}
		if got != w {
			t.Errorf("sample %d:\n got %+v\nwant %+v", i, got, w)
		}
		if !s.Time.Equal(at(w.elapsed / 1000)) {
			t.Errorf("sample %d at %v", i, s.Time)
		}
	}
	if send := h.Samples[2].Timers["send"].Total; send.Count != 0 || send.Max != time.Millisecond {
		t.Errorf("send totals: %+v (count from the samples, which have none; timings from the turns)", send)
	}
}

func TestMergeRefusals(t *testing.T) {
	t.Parallel()
	base := func(index int) fakeSegment {
		return fakeSegment{index: index, count: 2, start: at(0), end: at(3), checks: []string{"conversations.started > 0"},
			convs: []transcript.Conversation{fakeConversation(index, at(1), 100)}}
	}
	tests := []struct {
		name string
		segs []fakeSegment
		prep func(t *testing.T, dirs []string)
		want []string // in the error, %d: the directory of that segment
	}{
		{"different plans", []fakeSegment{base(1), func() fakeSegment { s := base(2); s.hash = "def456"; return s }()},
			nil, []string{"abc123", "def456", "same plan file", "%0", "%1"}},
		{"different splits", []fakeSegment{base(1), func() fakeSegment { s := base(2); s.count = 3; return s }()},
			nil, []string{"segment 1/2", "segment 2/3", "same number of parts"}},
		{"a segment twice", []fakeSegment{base(1), base(1)}, nil, []string{"segment 1/2 appears twice", "%0", "%1"}},
		{"not a segment", []fakeSegment{base(1), func() fakeSegment { s := base(2); s.count = 0; return s }()},
			nil, []string{"%1", "not a segment", "without --segment"}},
		{"an old summary", []fakeSegment{base(1), func() fakeSegment { s := base(2); s.old = true; return s }()},
			nil, []string{"%1", "summary.json has no latency distributions", "older than merge"}},
		{"thresholds differ", []fakeSegment{base(1), func() fakeSegment { s := base(2); s.checks = []string{"cost.usd < 1"}; return s }()},
			nil, []string{"different thresholds", "-var"}},
		{"a file missing", []fakeSegment{base(1), base(2)}, func(t *testing.T, dirs []string) {
			if err := os.Remove(filepath.Join(dirs[1], results.HistoryFile)); err != nil {
				t.Fatal(err)
			}
		}, []string{"%1", "has no history.json"}},
		{"a user of another segment", []fakeSegment{base(1), func() fakeSegment {
			s := base(2)
			s.convs = append(s.convs, fakeConversation(3, at(1), 100))
			return s
		}()}, nil, []string{"conversations.jsonl:2: user 3 is not one of segment 2/2's (users 2, 4, 6, …)"}},
		{"histories at different intervals", []fakeSegment{base(1), func() fakeSegment { s := base(2); s.intervalMS = 1000; return s }()},
			nil, []string{"every 5000ms", "every 1000ms", "cannot be aligned"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			dirs := make([]string, len(tt.segs))
			for i, s := range tt.segs {
				dirs[i] = s.write(t, filepath.Join(root, fmt.Sprintf("seg%d", i)))
			}
			if tt.prep != nil {
				tt.prep(t, dirs)
			}
			err := mergeInto(dirs, filepath.Join(root, "out"))
			if err == nil {
				t.Fatal("merged; want an error")
			}
			for _, w := range tt.want {
				if strings.HasPrefix(w, "%") {
					var i int
					fmt.Sscanf(w, "%%%d", &i)
					w = dirs[i]
				}
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// mergeInto reads, merges and writes as voyplan merge does.
func mergeInto(dirs []string, out string) error {
	runs := make([]*results.SegmentRun, len(dirs))
	for i, d := range dirs {
		r, err := results.ReadSegment(d)
		if err != nil {
			return err
		}
		runs[i] = r
	}
	m, err := results.Merge(runs)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	_, err = m.WriteData(out)
	return err
}

func TestMergeNotes(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	seg := func(index int, seed uint64) string {
		s := fakeSegment{index: index, count: 3, seed: seed, start: at(0), end: at(3),
			convs: []transcript.Conversation{fakeConversation(index, at(1), 100)}}
		return s.write(t, filepath.Join(root, fmt.Sprint(index)))
	}
	m, err := results.Merge(readSegments(t, seg(3, 7), seg(1, 8)))
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(m.Notes, "\n")
	for _, w := range []string{"segment 2 of 3 missing", "covers only segments 1, 3 of 3", "different seeds (8, 7)"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	if m.Metrics.Snapshot.Conversations.Started != 2 {
		t.Errorf("started %d; want 2", m.Metrics.Snapshot.Conversations.Started)
	}
	if _, err := m.WriteData(m.Runs[0].Dir); err == nil || !strings.Contains(err.Error(), "would overwrite segment 1/3") {
		t.Errorf("writing over a segment: %v", err)
	}
}

// A merged run ended as its first segment that did not complete did, and
// names every abort threshold that stopped a segment.
func TestMergedStopReason(t *testing.T) {
	t.Parallel()
	runs := func(reasons ...[2]string) *results.Merged {
		m := &results.Merged{}
		for _, r := range reasons {
			m.Runs = append(m.Runs, &results.SegmentRun{Summary: &results.Summary{StopReason: r[0], AbortedBy: r[1]}})
		}
		return m
	}
	tests := []struct {
		m         *results.Merged
		why, abrt string
	}{
		{runs([2]string{results.StopCompleted, ""}, [2]string{results.StopCompleted, ""}), results.StopCompleted, ""},
		{runs([2]string{results.StopCompleted, ""}, [2]string{results.StopSignal, ""}), results.StopSignal, ""},
		{runs([2]string{results.StopAbort, "budget"}, [2]string{results.StopCompleted, ""}, [2]string{results.StopAbort, "budget"}), results.StopAbort, "budget"},
		{runs([2]string{"", ""}), results.StopCompleted, ""}, // a summary from before stop_reason
	}
	for i, tt := range tests {
		if why, abrt := tt.m.StopReason(), tt.m.AbortedBy(); why != tt.why || abrt != tt.abrt {
			t.Errorf("case %d: %q, %q; want %q, %q", i, why, abrt, tt.why, tt.abrt)
		}
	}
}
