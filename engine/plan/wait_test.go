package plan

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/datagen"
)

// waitPlan is a valid plan whose conversation block holds conv, after the
// extra blocks (variables).
func waitPlan(extra, conv string) string {
	return extra + `
target "x" { url = "https://example.com/" }
persona "p" { script = ["a"] }
conversation {
` + conv + `
}
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}
`
}

func TestWaitDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, extra, conv string
		think, pacing     Wait
	}{
		{name: "absent: no wait", conv: `max_turns = 2`},
		{name: "one duration: fixed, as before",
			conv:  "think_time = \"500ms\"\npacing = \"3s\"",
			think: Wait{500 * time.Millisecond, 500 * time.Millisecond}, pacing: Wait{3 * time.Second, 3 * time.Second}},
		{name: "a range",
			conv:  "think_time = [\"1s\", \"3s\"]\npacing = [\"0s\", \"250ms\"]",
			think: Wait{time.Second, 3 * time.Second}, pacing: Wait{0, 250 * time.Millisecond}},
		{name: "a range of one value is fixed",
			conv:  `think_time = ["2s", "2s"]`,
			think: FixedWait(2 * time.Second)},
		{name: "a range from a variable",
			extra: "variable \"think\" {\n  default = [\"1s\", \"1m\"]\n}\nvariable \"pace\" {\n  default = \"4s\"\n}",
			conv:  "think_time = var.think\npacing = var.pace",
			think: Wait{time.Second, time.Minute}, pacing: FixedWait(4 * time.Second)},
		{name: "a range from expressions",
			conv:  `think_time = [format("%dms", 100), trimspace(" 2s ")]`,
			think: Wait{100 * time.Millisecond, 2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, diags := LoadSource([]byte(waitPlan(tt.extra, tt.conv)), filepath.Join(t.TempDir(), "w.hcl"), Options{})
			if diags.HasErrors() {
				t.Fatalf("does not load:\n%s", diagsText(diags))
			}
			c := p.Conversation
			if c.ThinkTime != tt.think || c.Pacing != tt.pacing {
				t.Errorf("think_time %+v, pacing %+v; want %+v, %+v", c.ThinkTime, c.Pacing, tt.think, tt.pacing)
			}
		})
	}
}

// TestWaitDiagnosticPositions: a wrong end of a range written out is
// reported at its own line and column; one that comes from a variable at
// the attribute.
func TestWaitDiagnosticPositions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, extra, conv      string
		summary                string
		line, startCol, endCol int
	}{
		{name: "negative end", conv: `think_time = ["1s", "-2s"]`, summary: "Value out of range",
			line: 5, startCol: 21, endCol: 26},
		{name: "bad end", conv: `pacing = ["soon", "3s"]`, summary: "Invalid duration",
			line: 5, startCol: 11, endCol: 17},
		{name: "too many", conv: `pacing = ["1s", "2s", "3s"]`, summary: "Invalid duration range",
			line: 5, startCol: 10, endCol: 28},
		{name: "reversed", conv: `think_time = ["3s", "1s"]`, summary: "Invalid duration range",
			line: 5, startCol: 14, endCol: 26},
		{name: "negative end from a variable", extra: "variable \"t\" {\n  default = [\"-1s\", \"1s\"]\n}",
			conv: `think_time = var.t`, summary: "Value out of range",
			line: 7, startCol: 14, endCol: 19},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, diags := LoadSource([]byte(waitPlan(tt.extra, tt.conv)), "pos.hcl", Options{})
			if len(diags) != 1 || diags[0].Summary != tt.summary {
				t.Fatalf("want one %q, got:\n%s", tt.summary, diagsText(diags))
			}
			s := diags[0].Subject
			if s.Start.Line != tt.line || s.Start.Column != tt.startCol || s.End.Column != tt.endCol {
				t.Errorf("subject %s, want line %d columns %d-%d", s, tt.line, tt.startCol, tt.endCol)
			}
			if want := fmt.Sprintf("pos.hcl:%d,%d-%d", tt.line, tt.startCol, tt.endCol); !strings.HasPrefix(s.String(), want) {
				t.Errorf("subject %s, want %s", s, want)
			}
		})
	}
}

func TestWaitFixedDrawsNothing(t *testing.T) {
	t.Parallel()
	for _, w := range []Wait{{}, FixedWait(500 * time.Millisecond)} {
		if got := w.Draw(nil); got != w.Min || !w.Fixed() { // nil: a draw would panic
			t.Errorf("%+v drew %s", w, got)
		}
	}
}

// TestWaitDrawsSpreadOverTheRange: 1,000 draws stay within [Min, Max] and
// cover it, both ends' neighbourhoods included. The source is seeded: the
// test is deterministic.
func TestWaitDrawsSpreadOverTheRange(t *testing.T) {
	t.Parallel()
	w := Wait{Min: time.Second, Max: 3 * time.Second}
	r := datagen.ForUserStream(7, 1, datagen.StreamThink)
	const n, buckets = 1000, 10
	var count [buckets]int
	lo, hi, sum := w.Max, w.Min, 0.0
	for range n {
		d := w.Draw(r)
		if d < w.Min || d > w.Max {
			t.Fatalf("draw %s outside [%s, %s]", d, w.Min, w.Max)
		}
		lo, hi, sum = min(lo, d), max(hi, d), sum+d.Seconds()
		count[min(int(float64(d-w.Min)/float64(w.Max-w.Min)*buckets), buckets-1)]++
	}
	if lo > w.Min+20*time.Millisecond || hi < w.Max-20*time.Millisecond {
		t.Errorf("draws span %s–%s, want both ends of %s within 20ms", lo, hi, w)
	}
	if mean := sum / n; math.Abs(mean-2) > 0.1 {
		t.Errorf("mean draw %.3fs, want ≈ 2s", mean)
	}
	for i, c := range count {
		if c < n/buckets/2 {
			t.Errorf("bucket %d of %d holds %d draws, want about %d: %v", i, buckets, c, n/buckets, count)
		}
	}
	// The narrowest range: both values come up.
	narrow, seen := Wait{Min: 5, Max: 6}, map[time.Duration]bool{}
	for range 100 {
		seen[narrow.Draw(r)] = true
	}
	if len(seen) != 2 || !seen[5] || !seen[6] {
		t.Errorf("draws of [5ns, 6ns]: %v", seen)
	}
	if d := (Wait{Max: math.MaxInt64}).Draw(r); d < 0 {
		t.Errorf("the widest range drew %d", d)
	}
}

// TestWaitDrawsAreSeededPerUser: a user's waits are the same for the same
// seed, and differ from another user's and under another seed.
func TestWaitDrawsAreSeededPerUser(t *testing.T) {
	t.Parallel()
	w := Wait{Min: time.Second, Max: 3 * time.Second}
	seq := func(seed uint64, user int) []time.Duration {
		r := datagen.ForUserStream(seed, user, datagen.StreamThink)
		out := make([]time.Duration, 20)
		for i := range out {
			out[i] = w.Draw(r)
		}
		return out
	}
	a := seq(42, 3)
	if !slices.Equal(a, seq(42, 3)) {
		t.Fatal("the same seed and user gave other waits")
	}
	if slices.Equal(a, seq(42, 4)) || slices.Equal(a, seq(43, 3)) {
		t.Error("another user, or another seed, gave the same waits")
	}
}

func TestWaitDrawDoesNotAllocate(t *testing.T) {
	w := Wait{Min: time.Second, Max: 3 * time.Second}
	r := datagen.ForUserStream(1, 1, datagen.StreamThink)
	if n := testing.AllocsPerRun(1000, func() { _ = w.Draw(r) }); n != 0 {
		t.Errorf("Draw allocates %v times", n)
	}
}

func TestWaitString(t *testing.T) {
	t.Parallel()
	for w, want := range map[Wait]string{
		{}:                          "0s",
		FixedWait(time.Second / 2):  "500ms",
		{time.Second, time.Minute}:  "1s–1m0s",
		{0, 250 * time.Millisecond}: "0s–250ms",
	} {
		if got := w.String(); got != want {
			t.Errorf("%+v: %q, want %q", w, got, want)
		}
	}
}

func BenchmarkWaitDraw(b *testing.B) {
	w := Wait{Min: time.Second, Max: 3 * time.Second}
	r := datagen.ForUserStream(1, 1, datagen.StreamThink)
	b.ReportAllocs()
	for b.Loop() {
		_ = w.Draw(r)
	}
}
