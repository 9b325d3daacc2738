package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/results"
)

// burstsVariant writes plans/examples/bursts.hcl with each of edits
// applied (old → new) and the personas' paths made absolute.
func burstsVariant(t *testing.T, edits ...string) string {
	t.Helper()
	src, err := os.ReadFile("../../plans/examples/bursts.hcl")
	if err != nil {
		t.Fatal(err)
	}
	plan := string(src)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(plan, edits[i]) {
			t.Fatalf("the example has no %q", edits[i])
		}
		plan = strings.Replace(plan, edits[i], edits[i+1], 1)
	}
	path := filepath.Join(t.TempDir(), "bursts.hcl")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(plan, "../../personas/", mustAbs(t, "../../personas")+"/")), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBurstsExamplePlan applies plans/examples/bursts.hcl as it is, then
// with the simulator's fragment-answering bug: the default simulator waits
// for each thought and answers it once (double_answers 0, one reply per
// burst); the buggy one is caught by double_answers == 0 (exit 2).
func TestBurstsExamplePlan(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		path func(t *testing.T) string
		code int
	}{
		{"waits for the customer", func(t *testing.T) string { return "../../plans/examples/bursts.hcl" }, exitOK},
		{"answers each fragment", func(t *testing.T) string {
			return burstsVariant(t, "  # answers_each_fragment = true #", "  answers_each_fragment = true #",
				`max_turns              = 20`, `max_turns = 5`)
		}, exitThreshold},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t)
			out := filepath.Join(t.TempDir(), "out")
			if code := ta.main([]string{"apply", tt.path(t), "--out", out}); code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, ta.out.String(), ta.err.String())
			}
			raw, err := os.ReadFile(filepath.Join(out, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := results.ValidateSummary(raw); err != nil {
				t.Errorf("summary.json: %v", err)
			}
			sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			m := sum.Metrics
			t.Logf("double_answers %d, burst %+v, reply p50 %s, reply_from_first p50 %s", m.DoubleAnswers, m.Burst, m.Reply.P50, m.ReplyFromFirst.P50)
			if m.Burst.Bursts == 0 || m.Burst.Fragments < 2*m.Burst.Bursts || m.ReplyFromFirst.Count != m.Reply.Count {
				t.Errorf("burst %+v, reply_from_first %+v: want bursts of 2 or more messages, one timing per reply", m.Burst, m.ReplyFromFirst)
			}
			buggy := tt.code != exitOK
			switch {
			case !buggy && (m.DoubleAnswers != 0 || m.Burst.RepliesPerBurst != 1 || m.Conversations.Succeeded != 4):
				t.Errorf("double_answers %d, burst %+v, conversations %+v: want every thought answered once, all completed",
					m.DoubleAnswers, m.Burst, m.Conversations)
			case buggy && (m.DoubleAnswers == 0 || m.Burst.RepliesPerBurst <= 1):
				t.Errorf("double_answers %d, burst %+v: want the fragment-answering bot caught", m.DoubleAnswers, m.Burst)
			}
			if !strings.Contains(ta.out.String(), "Bursts: ") || !strings.Contains(ta.out.String(), "Reply From First Message") {
				t.Errorf("the verdict lacks the bursts:\n%s", ta.out.String())
			}
			jsonl, err := os.ReadFile(filepath.Join(out, "conversations.jsonl"))
			if err != nil || !strings.Contains(string(jsonl), `"burst":{"fragments":[{"text":`) {
				t.Errorf("the transcripts lack the bursts' fragments (%v)", err)
			}
		})
	}
}

// TestWhatsAppBursts: the WhatsApp example with customers typing in
// bursts. The simulator's Cloud API bot that debounces answers each
// thought once and every conversation completes; the one that answers
// each fragment is caught by double_answers.
func TestWhatsAppBursts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, sim string
		buggy     bool
	}{
		{"debounces", `debounce = "800ms"`, false},
		{"answers each fragment", "answers_each_fragment = true", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := whatsappVariant(t, `image_every = 4`, "image_every = 4\n  "+tt.sim,
				`reply_settle           = "150ms"`, "reply_settle = \"150ms\"\n  burst = [2, 3]\n  burst_gap = [\"100ms\", \"300ms\"]",
				`threshold "graph_auth" {`, "threshold \"answered_once\" {\n  check = \"double_answers == 0\"\n}\n\nthreshold \"graph_auth\" {")
			want := exitOK
			if tt.buggy {
				want = exitThreshold
			}
			ta := newTestApp(t)
			out := filepath.Join(t.TempDir(), "out")
			if code := ta.main([]string{"apply", path, "--out", out, "--quiet"}); code != want {
				t.Fatalf("exit %d, want %d\n%s", code, want, ta.err.String())
			}
			sum, err := results.ReadSummary(filepath.Join(out, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			m := sum.Metrics
			t.Logf("double_answers %d, burst %+v, conversations %+v", m.DoubleAnswers, m.Burst, m.Conversations)
			switch {
			case m.Burst.Bursts == 0:
				t.Errorf("burst %+v: no burst sent", m.Burst)
			case !tt.buggy && (m.DoubleAnswers != 0 || m.Burst.RepliesPerBurst != 1 || m.Conversations.Succeeded != 4):
				t.Errorf("double_answers %d, burst %+v, conversations %+v: want each thought answered once, all completed",
					m.DoubleAnswers, m.Burst, m.Conversations)
			case tt.buggy && (m.DoubleAnswers == 0 || m.Burst.RepliesPerBurst <= 1):
				t.Errorf("double_answers %d, burst %+v: want the fragment-answering bot caught", m.DoubleAnswers, m.Burst)
			}
		})
	}
}
