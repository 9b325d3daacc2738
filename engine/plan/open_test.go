package plan

import (
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/schedule"
)

func TestLoadOpenStages(t *testing.T) {
	t.Parallel()
	p, diags := Load("testdata/valid/open.hcl", Options{})
	if p == nil || len(diags) != 0 {
		t.Fatalf("open plan: %s", diagsText(diags))
	}
	want := []schedule.Stage{
		{Name: "warm", Duration: 10 * time.Second, Open: true, ArrivalRate: 0.5, MaxUsers: DefaultMaxUsers},
		{Name: "peak", Duration: 2 * time.Minute, Open: true, ArrivalRate: 5, MaxUsers: 300},
		{Name: "quiet", Duration: 30 * time.Second, Open: true, ArrivalRate: 0, MaxUsers: DefaultMaxUsers},
	}
	if !reflect.DeepEqual(p.Stages, want) {
		t.Errorf("stages\n got  %+v\n want %+v", p.Stages, want)
	}
	if !p.Open() {
		t.Error("Open() = false for a plan of arrival_rate stages")
	}
	s := p.Schedule()
	if len(s.Steps) != 0 || len(s.Arrivals) != 3 || s.Duration != 160*time.Second {
		t.Fatalf("schedule %+v: want no steps, 3 arrival stages, 2m40s", s)
	}
	// 0.5/s for 10 s: 5; 5/s for 2 min: 600; a quiet stage: none.
	if got := s.Started(); got != 605 {
		t.Errorf("Started() = %d, want 605 conversations", got)
	}
	if got := s.Peak(); got != 300 { // peak's max_users; the warm stage has only 5 arrivals
		t.Errorf("Peak() = %d, want 300", got)
	}
	if mustLoad(t, "testdata/valid/minimal.hcl", Options{}).Open() {
		t.Error("a closed plan says it is open")
	}
}

// TestCompileArrivals: arrival k of an open stage is due at the stage's
// start + k/rate, whatever the rate's shape, and numbered on from the
// stages before it.
func TestCompileArrivals(t *testing.T) {
	t.Parallel()
	s, ms := time.Second, time.Millisecond
	open := func(rate float64, d time.Duration, maxUsers int) schedule.Stage {
		return schedule.Stage{Open: true, ArrivalRate: rate, Duration: d, MaxUsers: maxUsers}
	}
	tests := []struct {
		name   string
		stages []schedule.Stage
		want   []schedule.Arrivals
		at     [][]time.Duration // every arrival's due time, per stage
		dur    time.Duration
	}{
		{
			name:   "20/s for 2 s: 40 arrivals, every 50 ms",
			stages: []schedule.Stage{open(20, 2*s, 100)},
			want:   []schedule.Arrivals{{Duration: 2 * s, Rate: 20, MaxUsers: 100, First: 1, Count: 40}},
			dur:    2 * s,
		},
		{
			name:   "a rate that does not divide a second: to the nearest nanosecond",
			stages: []schedule.Stage{open(3, s, 10)},
			want:   []schedule.Arrivals{{Duration: s, Rate: 3, MaxUsers: 10, First: 1, Count: 3}},
			at:     [][]time.Duration{{0, 333333333, 666666667}},
			dur:    s,
		},
		{
			name:   "slower than one a second; the last one due before the stage ends",
			stages: []schedule.Stage{open(0.4, 6*s, 10)},
			want:   []schedule.Arrivals{{Duration: 6 * s, Rate: 0.4, MaxUsers: 10, First: 1, Count: 3}},
			at:     [][]time.Duration{{0, 2500 * ms, 5 * s}},
			dur:    6 * s,
		},
		{
			name:   "an arrival due exactly at the stage's end belongs to the next stage",
			stages: []schedule.Stage{open(2, 1500*ms, 10), open(4, 500*ms, 10)},
			want: []schedule.Arrivals{
				{Duration: 1500 * ms, Rate: 2, MaxUsers: 10, First: 1, Count: 3},
				{Stage: 1, Start: 1500 * ms, Duration: 500 * ms, Rate: 4, MaxUsers: 10, First: 4, Count: 2},
			},
			at:  [][]time.Duration{{0, 500 * ms, s}, {1500 * ms, 1750 * ms}},
			dur: 2 * s,
		},
		{
			name:   "a quiet stage between two: no arrivals, the clock goes on",
			stages: []schedule.Stage{open(1, 2*s, 5), open(0, 10*s, 5), open(10, 300*ms, 7)},
			want: []schedule.Arrivals{
				{Duration: 2 * s, Rate: 1, MaxUsers: 5, First: 1, Count: 2},
				{Stage: 1, Start: 2 * s, Duration: 10 * s, Rate: 0, MaxUsers: 5, First: 3, Count: 0},
				{Stage: 2, Start: 12 * s, Duration: 300 * ms, Rate: 10, MaxUsers: 7, First: 3, Count: 3},
			},
			at:  [][]time.Duration{{0, s}, {}, {12 * s, 12*s + 100*ms, 12*s + 200*ms}},
			dur: 12*s + 300*ms,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := schedule.CompileStages(tt.stages)
			if !reflect.DeepEqual(got.Arrivals, tt.want) || got.Duration != tt.dur || len(got.Steps) != 0 {
				t.Fatalf("CompileStages()\n got  %+v\n want arrivals %+v, duration %s, no steps", got, tt.want, tt.dur)
			}
			for i, a := range got.Arrivals {
				var at []time.Duration
				for k := range a.Count {
					at = append(at, a.At(k))
				}
				if i < len(tt.at) && !reflect.DeepEqual(at, tt.at[i]) && (len(at) > 0 || len(tt.at[i]) > 0) {
					t.Errorf("stage %d due at %v, want %v", i, at, tt.at[i])
				}
				for k, prev := 1, a.At(0); k < a.Count; k++ { // evenly spaced, inside the stage
					if d := a.At(k) - prev; d < time.Duration(float64(s)/a.Rate)-1 || d > time.Duration(float64(s)/a.Rate)+1 {
						t.Errorf("stage %d: arrival %d is %s after the previous one at %g/s", i, k, d, a.Rate)
					}
					prev = a.At(k)
				}
				if a.Count > 0 && (a.At(0) != a.Start || a.At(a.Count-1) >= a.Start+a.Duration || a.At(a.Count) < a.Start+a.Duration) {
					t.Errorf("stage %d: arrivals %s..%s (next %s) outside [%s, %s)", i, a.At(0), a.At(a.Count-1), a.At(a.Count), a.Start, a.Start+a.Duration)
				}
			}
		})
	}
}

func TestOpenPeakAndStarted(t *testing.T) {
	t.Parallel()
	s := schedule.CompileStages([]schedule.Stage{
		{Open: true, ArrivalRate: 2, Duration: 5 * time.Second, MaxUsers: 100},  // 10 arrivals: at most 10 in flight
		{Open: true, ArrivalRate: 10, Duration: 10 * time.Second, MaxUsers: 50}, // 100 more, 50 at most
		{Open: true, ArrivalRate: 1, Duration: 10 * time.Second, MaxUsers: 5},
	})
	if got := s.Started(); got != 120 {
		t.Errorf("Started() = %d, want 120", got)
	}
	if got := s.Peak(); got != 50 {
		t.Errorf("Peak() = %d, want 50", got)
	}
	if !s.Open() || schedule.CompileStages([]schedule.Stage{{Users: 1, SpawnRate: 1, Duration: time.Second}}).Open() {
		t.Error("Open() wrong")
	}
}

// TestCompileFromNumbersArrivalsOn: compiling from a later stage numbers
// its arrivals after the earlier stages' ones, as the whole schedule does.
func TestCompileFromNumbersArrivalsOn(t *testing.T) {
	t.Parallel()
	stages := []schedule.Stage{
		{Open: true, ArrivalRate: 4, Duration: 2 * time.Second, MaxUsers: 9},
		{Open: true, ArrivalRate: 2, Duration: 3 * time.Second, MaxUsers: 9},
	}
	whole := schedule.CompileStages(stages).Arrivals[1]
	from := schedule.CompileFrom(stages, 1, 0, 2*time.Second).Arrivals[0]
	if whole != from || from.First != 9 || from.Count != 6 {
		t.Errorf("from stage 1: %+v; the whole schedule's: %+v; want first 9, count 6", from, whole)
	}
}

func TestOpenStageWarnings(t *testing.T) {
	t.Parallel()
	src := `simulator {}
target "sim" {}
persona "p" { script = ["a"] }
conversation {
  conversations_per_user = 0
  pacing                 = "3s"
}
stage "peak" {
  arrival_rate = 2
  duration     = "10s"
}
`
	p, diags := LoadSource([]byte(src), "w.hcl", Options{})
	if p == nil || diags.HasErrors() || len(diags) != 2 {
		t.Fatalf("want a plan and two warnings, got:\n%s", diagsText(diags))
	}
	for i, line := range []int{5, 6} {
		d := diags[i]
		if d.Severity != hcl.DiagWarning || d.Summary != "Argument ignored" || d.Subject.Start.Line != line {
			t.Errorf("diagnostic %d: %s at line %d, want warning \"Argument ignored\" at line %d", i, d.Summary, d.Subject.Start.Line, line)
		}
	}
	// The same conversation block with a closed stage: no warning.
	closed := src[:len(src)-len("stage \"peak\" {\n  arrival_rate = 2\n  duration     = \"10s\"\n}\n")] +
		"stage \"s\" {\n  users      = 1\n  spawn_rate = 1\n  duration   = \"1s\"\n}\n"
	if _, diags := LoadSource([]byte(closed), "c.hcl", Options{}); len(diags) != 0 {
		t.Errorf("closed plan: %s", diagsText(diags))
	}
}

// TestPersonaOf: the persona a dropped arrival is counted under is the one
// its user would have played.
func TestPersonaOf(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/valid/open.hcl", Options{})
	seen := map[string]bool{}
	for n := 1; n <= 200; n++ {
		u, err := p.NewUser(n)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.PersonaOf(n); got != u.Persona {
			t.Fatalf("PersonaOf(%d) = %s, NewUser plays %s", n, got.Name, u.Persona.Name)
		}
		seen[u.Persona.Name] = true
	}
	if len(seen) != 2 {
		t.Errorf("200 users played %v: want both personas", seen)
	}
}
