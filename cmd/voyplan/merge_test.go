package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/transcript"
)

// mergeUsers is the number of users of the merge test's plan, each with
// one conversation.
const mergeUsers = 5

// TestMergeSegments runs one plan whole and as segments 1/2 and 2/2, and
// merges the segments: the merged run has the whole run's users, each with
// the same persona and data, and its verdict is judged on the merged
// figures — the segments each fail `succeeded == 5`, the merge holds it.
// Merging only segment 1 warns that segment 2 is missing and fails it.
// Segment 2 is run as a Kubernetes Indexed Job's second pod runs it:
// --segment auto, JOB_COMPLETION_INDEX=1 and VOYPLAN_SEGMENTS=2, so the
// merge also shows that auto picks the right slice; and its failed
// threshold exits 0 there (--exit-code-on-threshold 0).
func TestMergeSegments(t *testing.T) {
	t.Parallel()
	path := writePlan(t, kataryna(t), fmt.Sprintf(`stage "s" {
  users      = %d
  spawn_rate = 50
  duration   = "20s"
}
threshold "all" { check = "conversations.succeeded == %d" }
threshold "fast" { check = "reply.p95 < duration('2s') && personas['p'].pass_k[%d] == 1" }
`, mergeUsers, mergeUsers, mergeUsers))
	root := t.TempDir()
	apply := func(name string, env []string, segment ...string) string {
		t.Helper()
		dir := filepath.Join(root, name)
		ta := newTestApp(t)
		ta.environ = append(ta.environ, env...)
		args := append([]string{"apply", path, "--out", dir, "--quiet"}, segment...)
		code := ta.main(args)
		want := exitOK
		if len(segment) > 0 && !slices.Contains(segment, "--exit-code-on-threshold") {
			want = exitThreshold // a segment alone has fewer than 5 conversations
		}
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s\n%s", args, code, want, ta.out.String(), ta.err.String())
		}
		return dir
	}
	whole := apply("whole", nil)
	s1 := apply("s1", nil, "--segment", "1/2")
	s2 := apply("s2", []string{"JOB_COMPLETION_INDEX=1", "VOYPLAN_SEGMENTS=2"}, "--segment", "auto",
		"--exit-code-on-threshold", "0") // as the Job in deploy/kubernetes runs it

	ta := newTestApp(t)
	merged := filepath.Join(root, "merged")
	if code := ta.main([]string{"merge", "--out", merged, s2, s1}); code != exitOK {
		t.Fatalf("merge: exit %d\n%s\n%s", code, ta.out.String(), ta.err.String())
	}
	if strings.Contains(ta.err.String(), "warning") {
		t.Errorf("warnings merging every segment:\n%s", ta.err.String())
	}
	for _, want := range []string{"PASS — all 2 thresholds held", "Conversations: 5 started", "results: " + merged} {
		if !strings.Contains(ta.out.String(), want) {
			t.Errorf("merge output lacks %q:\n%s", want, ta.out.String())
		}
	}

	wantUsers := usersOf(t, whole)
	gotUsers := usersOf(t, merged)
	if len(wantUsers) != mergeUsers || !slices.Equal(slices.Sorted(maps.Keys(gotUsers)), slices.Sorted(maps.Keys(wantUsers))) {
		t.Fatalf("merged users %v; the whole run's %v", slices.Sorted(maps.Keys(gotUsers)), slices.Sorted(maps.Keys(wantUsers)))
	}
	for n, w := range wantUsers {
		g := gotUsers[n]
		if g.Persona != w.Persona || g.Data["customer"]["cpf"] != w.Data["customer"]["cpf"] || g.Data["customer"]["cpf"] == "" ||
			!maps.Equal(g.Data["customer"], w.Data["customer"]) {
			t.Errorf("user %d: merged %s %v; whole run %s %v", n, g.Persona, g.Data, w.Persona, w.Data)
		}
	}

	sum := readValidSummary(t, merged)
	ws := readValidSummary(t, whole)
	if sum.Metrics.Conversations.Started != ws.Metrics.Conversations.Started || sum.Metrics.Conversations.Succeeded != mergeUsers ||
		sum.Metrics.Send.Count != ws.Metrics.Send.Count || sum.Metrics.Reply.Count != ws.Metrics.Reply.Count {
		t.Errorf("merged conversations %+v send %d reply %d; whole %+v send %d reply %d",
			sum.Metrics.Conversations, sum.Metrics.Send.Count, sum.Metrics.Reply.Count,
			ws.Metrics.Conversations, ws.Metrics.Send.Count, ws.Metrics.Reply.Count)
	}
	if sum.Verdict != results.VerdictPass || sum.Segment != nil || len(sum.Thresholds) != 2 || !sum.Thresholds[0].Pass || sum.Thresholds[0].Observed != "5" {
		t.Errorf("merged summary: verdict %s, segment %v, thresholds %+v", sum.Verdict, sum.Segment, sum.Thresholds)
	}
	if pk := sum.Metrics.Personas["p"].PassK; pk[mergeUsers] != 1 {
		t.Errorf("personas.p.pass_k = %v; want pass^%d = 1", pk, mergeUsers)
	}
	for _, f := range []string{results.HistoryFile, results.StatsCSVFile, results.HistoryCSVFile, results.JUnitFile, results.HTMLFile} {
		if _, err := os.Stat(filepath.Join(merged, f)); err != nil {
			t.Errorf("merged run: %v", err)
		}
	}

	t.Run("a segment missing", func(t *testing.T) {
		ta := newTestApp(t)
		out := filepath.Join(t.TempDir(), "partial")
		if code := ta.main([]string{"merge", s1, "--out", out}); code != exitThreshold {
			t.Fatalf("merge of segment 1 alone: exit %d, want 2\n%s\n%s", code, ta.out.String(), ta.err.String())
		}
		if !strings.Contains(ta.err.String(), "warning: segment 2 of 2 missing: the verdict covers only segment 1 of 2") {
			t.Errorf("no warning of the missing segment:\n%s", ta.err.String())
		}
		if !strings.Contains(ta.out.String(), "FAIL — 2 of 2 thresholds failed: all, fast") {
			t.Errorf("verdict:\n%s", ta.out.String())
		}
	})
	t.Run("refusals", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			args []string
			want string
		}{
			{"a segment twice", []string{s1, s1}, "segment 1/2 appears twice"},
			{"a whole run", []string{s1, whole}, filepath.Join(whole, results.SummaryFile) + " is not a segment"},
			{"no directory", nil, "got none"},
			{"not a results directory", []string{s1, root}, root + " has no summary.json"},
		} {
			ta := newTestApp(t)
			args := append([]string{"merge", "--out", filepath.Join(t.TempDir(), "out")}, tt.args...)
			if code := ta.main(args); code != exitError || !strings.Contains(ta.err.String(), tt.want) {
				t.Errorf("%s: exit %d, stderr %q; want 1 and %q", tt.name, code, ta.err.String(), tt.want)
			}
		}
		// Merging into a directory that holds a run (a segment, or an
		// earlier merge) would mix two runs' files.
		ta := newTestApp(t)
		if code := ta.main([]string{"merge", "--out", s2, s1, s2}); code != exitError || !strings.Contains(ta.err.String(), s2+" already holds the results of a run") {
			t.Errorf("merge into a segment's directory: exit %d, stderr %q", code, ta.err.String())
		}
	})
}

func usersOf(t *testing.T, dir string) map[int]transcript.Conversation {
	t.Helper()
	convs, err := results.ReadJSONL(filepath.Join(dir, results.ConversationsFile))
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]transcript.Conversation{}
	for _, c := range convs {
		if _, dup := out[c.User]; dup {
			t.Errorf("%s: user %d has two conversations", dir, c.User)
		}
		out[c.User] = c
	}
	return out
}

func readValidSummary(t *testing.T, dir string) *results.Summary {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := results.ValidateSummary(raw); err != nil {
		t.Errorf("%s: %v", dir, err)
	}
	sum, err := results.ReadSummary(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	return sum
}
