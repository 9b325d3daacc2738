package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voyplan/voyplan/engine/results"
)

// TestReplayExample records a run of two scripted customers, then applies
// plans/examples/replay.hcl (six users: the recordings cycle) to it
// twice: against the same simulator every
// reply matches and the run passes; against one that rewords its replies
// from the 3rd on, every conversation diverges at turn 3 exactly, the
// as_recorded threshold fails, report.html sets the recorded reply beside
// the new one, and compare of the two replays finds the regression.
func TestReplayExample(t *testing.T) {
	t.Parallel()
	recorded := filepath.Join(t.TempDir(), "release-41")
	ta := newTestApp(t)
	if code := ta.main([]string{"apply", writePlan(t, kataryna(t), oneStage), "--out", recorded, "--quiet"}); code != exitOK {
		t.Fatalf("recording: exit %d\n%s\n%s", code, ta.out.String(), ta.err.String())
	}
	same := replayExample(t, recorded, "0", exitOK)
	if !strings.Contains(same.out, "REPLAY — 6 conversations replayed: every judged reply matched the recording") {
		t.Errorf("the verdict lacks the replay line:\n%s", same.out)
	}
	sameConvs, err := results.ReadJSONL(filepath.Join(same.dir, results.ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	turns, replays := int64(0), map[string]int{}
	for _, c := range sameConvs {
		turns += int64(len(c.Turns))
		replays[c.Replay.Recording]++
	}
	// six users, one conversation each, two recordings: each replayed three times
	if r := same.sum.Metrics.Replay; r.Conversations != 6 || r.Diverged != 0 || r.MatchedTurns != turns || len(replays) != 2 {
		t.Errorf("same build: replay %+v (recordings %v), want 6 conversations over the 2 recordings, none diverged, all %d turns matched", r, replays, turns)
	}
	changed := replayExample(t, recorded, "3", exitThreshold)
	if r := changed.sum.Metrics.Replay; r.Conversations != 6 || r.Diverged != 6 || r.DivergedAt[3] != 6 || r.MatchedTurns != 12 {
		t.Errorf("reworded from reply 3: replay %+v, want all 6 diverged at turn 3, 12 turns matched", r)
	}
	convs, err := results.ReadJSONL(filepath.Join(changed.dir, results.ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		if c.Replay == nil || c.Replay.DivergedAt != 3 || len(c.Turns) != 3 || c.Turns[2].Replay == nil || len(c.Turns[2].Replay.Recorded) == 0 {
			t.Errorf("conversation %s: replay %+v after %d turns, want diverged at 3 with the recorded reply kept", c.ID, c.Replay, len(c.Turns))
		}
	}
	checkReplayInChromium(t, changed.dir)
	ta = newTestApp(t)
	if code := ta.main([]string{"compare", same.dir, changed.dir}); code != exitThreshold ||
		!strings.Contains(ta.out.String(), "conversations.success_rate") || !strings.Contains(ta.out.String(), "REGRESSION") {
		t.Errorf("compare: exit %d, want %d naming the success rate's regression\n%s\n%s", code, exitThreshold, ta.out.String(), ta.err.String())
	}
}

type replayRun struct {
	dir, out string
	sum      *results.Summary
}

// replayExample applies the example to recording with the simulator's
// reword_from, and checks its exit code and that its summary matches the
// schema.
func replayExample(t *testing.T, recording, rewordFrom string, want int) replayRun {
	t.Helper()
	ta := newTestApp(t)
	dir := filepath.Join(t.TempDir(), "replay-"+rewordFrom)
	code := ta.main([]string{"apply", "../../plans/examples/replay.hcl", "-var", "recording=" + recording,
		"-var", "reword_from=" + rewordFrom, "--out", dir})
	if code != want {
		t.Fatalf("replay (reword_from %s): exit %d, want %d\n%s\n%s", rewordFrom, code, want, ta.out.String(), ta.err.String())
	}
	raw, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := results.ValidateSummary(raw); err != nil {
		t.Errorf("summary.json does not match its schema: %v", err)
	}
	sum, err := results.ReadSummary(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	return replayRun{dir: dir, out: ta.out.String(), sum: sum}
}

// checkReplayInChromium opens report.html and reads its replay section:
// one row per diverged conversation, the recorded reply beside the new one
// (artNewBrowser skips without chromium, and fails so under CI).
func checkReplayInChromium(t *testing.T, dir string) {
	t.Helper()
	var bl artBrowserLog
	ctx := artNewBrowser(t, &bl)
	page := (&url.URL{Scheme: "file", Path: filepath.Join(dir, results.HTMLFile)}).String()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(page), chromedp.WaitVisible("#replay")); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	rows := artEvalIn[[][]string](t, tctx, `Array.from(document.querySelectorAll('#replay tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent))`)
	if len(rows) != 6 {
		t.Fatalf("%d rows in the replay section, want 6: %v", len(rows), rows)
	}
	for _, r := range rows {
		if len(r) != 6 || r[1] != "3" || strings.Contains(r[4], "Nova versão") || !strings.Contains(r[5], "Nova versão") {
			t.Errorf("replay row %q: want turn 3, the recorded reply beside the reworded one", r)
		}
	}
	if errs, _ := bl.snapshot(); len(errs) > 0 {
		t.Errorf("browser: %v", errs)
	}
}
