package plan

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBurstDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, conv string
		want       Burst
		on         bool
	}{
		{name: "absent: every message whole", conv: `max_turns = 2`},
		{name: "a range, the default gap",
			conv: `burst = [1, 3]`,
			want: Burst{Min: 1, Max: 3, Gap: defaultBurstGap}, on: true},
		{name: "a fixed count and gap",
			conv: "burst = 2\nburst_gap = \"1s\"",
			want: Burst{Min: 2, Max: 2, Gap: FixedWait(time.Second)}, on: true},
		{name: "double texting alone",
			conv: `double_text_rate = 0.1`,
			want: Burst{Min: 1, Max: 1, Gap: defaultBurstGap, DoubleText: 0.1}, on: true},
		{name: "all three",
			conv: "burst = [1, 3]\nburst_gap = [\"300ms\", \"2s\"]\ndouble_text_rate = 0.25",
			want: Burst{Min: 1, Max: 3, Gap: Wait{300 * time.Millisecond, 2 * time.Second}, DoubleText: 0.25}, on: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, diags := LoadSource([]byte(waitPlan("", tt.conv)), filepath.Join(t.TempDir(), "b.hcl"), Options{})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if got := p.Conversation.Burst; got != tt.want || got.On() != tt.on {
				t.Errorf("burst %+v (on %v); want %+v (on %v)", got, got.On(), tt.want, tt.on)
			}
		})
	}
}

// TestBurstDiagnosticPointsAtTheElement: a bad end of a burst range is
// reported at its own line and column, with what it must be.
func TestBurstDiagnosticPointsAtTheElement(t *testing.T) {
	t.Parallel()
	_, diags := LoadSource([]byte(waitPlan("", "burst = [1, 11]")), filepath.Join(t.TempDir(), "b.hcl"), Options{})
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %v", diags)
	}
	d := diags[0]
	// waitPlan puts the conversation's body on line 5.
	if d.Summary != "Value out of range" || d.Subject.Start.Line != 5 || d.Subject.Start.Column != 13 {
		t.Errorf("got %q at %d:%d; want \"Value out of range\" at 5:13", d.Summary, d.Subject.Start.Line, d.Subject.Start.Column)
	}
	if want := "whole number from 1 to 10"; !strings.Contains(d.Detail, want) {
		t.Errorf("detail %q does not say %q", d.Detail, want)
	}
}

func TestSimDebounceDefault(t *testing.T) {
	t.Parallel()
	sim := "simulator {}\n"
	tests := []struct {
		name, extra, conv string
		want              time.Duration
	}{
		{name: "no bursts: answers at once", extra: sim, conv: `max_turns = 2`},
		{name: "bursts: waits out the longest gap", extra: sim, conv: `burst = [1, 3]`, want: 2*time.Second + debounceMargin},
		{name: "set: as set", extra: "simulator {\n  debounce = \"750ms\"\n}\n", conv: `burst = [1, 3]`, want: 750 * time.Millisecond},
		{name: "set to 0: answers every fragment's pause", extra: "simulator {\n  debounce = \"0s\"\n}\n", conv: `burst = 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := waitPlan(tt.extra, tt.conv)
			p, diags := LoadSource([]byte(src), filepath.Join(t.TempDir(), "b.hcl"), Options{})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if got := p.SimDebounce(); got != tt.want {
				t.Errorf("SimDebounce() = %s; want %s", got, tt.want)
			}
		})
	}
}
