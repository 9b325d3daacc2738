package run

import (
	"slices"
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

func TestSegmentsPartitionTheUsers(t *testing.T) {
	t.Parallel()
	for _, count := range []int{1, 2, 3, 8} {
		for n := 0; n <= 50; n++ {
			var all []int
			for i := 1; i <= count; i++ {
				s := Segment{Index: i, Count: count}
				local := s.Local(n)
				for k := 1; k <= local; k++ {
					g := s.Global(k)
					if g < 1 || g > n || (g-1)%count != i-1 {
						t.Fatalf("segment %v, n=%d: user %d is global %d", s, n, k, g)
					}
					all = append(all, g)
				}
			}
			slices.Sort(all)
			if len(all) != n || (n > 0 && (all[0] != 1 || all[n-1] != n || len(slices.Compact(all)) != n)) {
				t.Fatalf("%d segments of %d users: %v", count, n, all)
			}
		}
	}
}

func TestParseSegment(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Segment{"1/1": {1, 1}, "2/8": {2, 8}, " 3 / 3 ": {3, 3}} {
		if got, err := ParseSegment(in); err != nil || got != want {
			t.Errorf("ParseSegment(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2", "0/3", "4/3", "1/0", "a/b", "-1/2", "1/2/3"} {
		if _, err := ParseSegment(in); err == nil {
			t.Errorf("ParseSegment(%q) accepted", in)
		}
	}
}

// TestSegmentedRunsAddUpToTheWholeRun runs one plan whole and as three
// segments: together the segments hold exactly the whole run's users, each
// with the same persona and generated data.
func TestSegmentedRunsAddUpToTheWholeRun(t *testing.T) {
	t.Parallel()
	const users = 7
	p := testPlan(t, users, nil, nil)
	whole := usersOf(t, p, Segment{})
	if len(whole) != users {
		t.Fatalf("the whole run had users %v; want 1..%d", keys(whole), users)
	}
	split := map[int]string{}
	for i := 1; i <= 3; i++ {
		seg := usersOf(t, p, Segment{Index: i, Count: 3})
		for n, who := range seg {
			if (n-1)%3 != i-1 {
				t.Errorf("segment %d/3 ran user %d", i, n)
			}
			if _, dup := split[n]; dup {
				t.Errorf("user %d ran in two segments", n)
			}
			split[n] = who
		}
	}
	for n, who := range whole {
		if split[n] != who {
			t.Errorf("user %d: %q in the whole run, %q in its segment", n, who, split[n])
		}
	}
	if len(split) != len(whole) {
		t.Errorf("segments ran users %v; the whole run %v", keys(split), keys(whole))
	}
}

// usersOf runs p as segment seg and returns each user's persona and CPF.
func usersOf(t *testing.T, p *plan.Plan, seg Segment) map[int]string {
	t.Helper()
	_, convs := runPlanWith(t, p, Options{Segment: seg})
	out := map[int]string{}
	for _, c := range convs {
		if c.Outcome != transcript.Completed {
			t.Errorf("segment %v: user %d %s (%s)", seg, c.User, c.Outcome, c.Reason)
		}
		out[c.User] = c.Persona + " " + c.Data["customer"]["cpf"]
	}
	return out
}

func keys(m map[int]string) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestAutoSegment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, flag string
		env        map[string]string
		want       Segment
		err        string
	}{
		{"first pod", "auto", map[string]string{"JOB_COMPLETION_INDEX": "0", "VOYPLAN_SEGMENTS": "4"}, Segment{1, 4}, ""},
		{"last pod", "auto", map[string]string{"JOB_COMPLETION_INDEX": "3", "VOYPLAN_SEGMENTS": "4"}, Segment{4, 4}, ""},
		{"count in the flag wins", "auto/8", map[string]string{"JOB_COMPLETION_INDEX": "5", "VOYPLAN_SEGMENTS": "4"}, Segment{6, 8}, ""},
		{"one segment", "auto/1", map[string]string{"JOB_COMPLETION_INDEX": "0"}, Segment{1, 1}, ""},
		{"no count", "auto", map[string]string{"JOB_COMPLETION_INDEX": "0"}, Segment{}, "VOYPLAN_SEGMENTS"},
		{"no index", "auto/4", nil, Segment{}, "JOB_COMPLETION_INDEX is not set"},
		{"index past the count", "auto/4", map[string]string{"JOB_COMPLETION_INDEX": "4"}, Segment{}, "not an index from 0 to 3"},
		{"bad count", "auto/x", map[string]string{"JOB_COMPLETION_INDEX": "0"}, Segment{}, "not a number of segments"},
		{"negative index", "auto/4", map[string]string{"JOB_COMPLETION_INDEX": "-1"}, Segment{}, "not an index"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !IsAutoSegment(tt.flag) {
				t.Fatalf("IsAutoSegment(%q) = false", tt.flag)
			}
			got, err := AutoSegment(tt.flag, func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("err %v; want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("AutoSegment = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	if IsAutoSegment("2/8") || IsAutoSegment("automatic") {
		t.Error("IsAutoSegment takes I/N or a longer word for auto")
	}
}
