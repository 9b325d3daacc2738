package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/metrics"
)

func TestProgressLine(t *testing.T) {
	t.Parallel()
	st := progressState{
		elapsed: 72*time.Second + 400*time.Millisecond,
		planned: 10 * time.Minute,
		stage:   "hold",
		snap: metrics.Snapshot{
			Users:         6,
			Conversations: metrics.Conversations{Started: 8, Succeeded: 5, Failed: 1, Abandoned: 1, Turns: 80},
			Send:          metrics.Latency{Count: 96}, // the turns as they happen: 80 in ended conversations, 16 in flight
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
			// Progress goes to stderr, so stderr decides; stdout is set
			// the other way to show it does not.
			ta.errTerminal = tt.terminal
			ta.isTerminal = !tt.terminal
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

// TestProgressCountsTurnsAsTheyHappen: two users each hold one long
// conversation (30 turns of about 150 ms); while none has ended, the
// progress line already counts the turns taken. It used to count only the
// turns of ended conversations: "turns 0" until the first one ended.
func TestProgressCountsTurnsAsTheyHappen(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	ta.errTerminal = true
	ta.environ = append(ta.environ, "NO_COLOR=1")
	src := `
plan "long" { seed = 3 }
simulator { latency = "150ms" }
target "sim" {}
persona "p" { script = [for i in range(40) : "Olá"] }
conversation {
  max_turns              = 30
  reply_timeout          = "2s"
  reply_settle           = "10ms"
  conversations_per_user = 1
}
stage "s" {
  users      = 2
  spawn_rate = 50
  duration   = "3s"
}
`
	path := filepath.Join(t.TempDir(), "long.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := ta.main([]string{"apply", path, "--out", filepath.Join(t.TempDir(), "out")}); code != exitOK {
		t.Fatalf("exit %d\n%s", code, ta.err.String())
	}
	turns := regexp.MustCompile(`conversations 2 started, 0 completed, 0 failed · turns (\d+)`)
	var seen []string
	for _, m := range turns.FindAllStringSubmatch(ta.err.String(), -1) {
		seen = append(seen, m[1])
		if m[1] != "0" {
			return
		}
	}
	t.Errorf("no progress line counts the turns of the conversations in flight (turns seen: %v):\n%q", seen, ta.err.String())
}

// TestProgressLineFits: on a terminal the line is always narrower than the
// terminal, so a redraw in place leaves no wrapped remains; at 80 columns
// it still shows the turns as they happen, in the short wording.
func TestProgressLineFits(t *testing.T) {
	t.Parallel()
	st := progressState{
		elapsed: 72 * time.Minute, planned: 2 * time.Hour, stage: "steady-state-hold",
		snap: metrics.Snapshot{
			Users:         12000,
			Conversations: metrics.Conversations{Started: 123456, Succeeded: 120001, Failed: 3000, Dropped: 17},
			Send:          metrics.Latency{Count: 1234567},
			Reply:         metrics.Latency{Count: 1200000, P95: 1248 * time.Millisecond},
			Cost:          metrics.Cost{USD: 123.4567},
		},
	}
	ansi := regexp.MustCompile("\033\\[[0-9;]*m")
	for _, width := range []int{20, 40, 60, 80, 100, 300} {
		got := st.fit(true, width)
		plain := ansi.ReplaceAllString(got, "")
		if n := utf8.RuneCountInString(plain); n >= width {
			t.Errorf("width %d: %d columns: %q", width, n, plain)
		}
		if width == 80 && !strings.Contains(plain, "1234567 turns") {
			t.Errorf("at 80 columns the turns are gone: %q", plain)
		}
		if width == 300 && plain != st.line(false) {
			t.Errorf("a wide terminal gets the whole line: %q", plain)
		}
	}
	if got := st.fit(false, 0); got != st.line(false) {
		t.Errorf("no width (not a terminal): %q", got)
	}
}
