package run

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// openPlan loads a plan whose one open stage starts rate conversations a
// second for dur, at most maxUsers in flight, each a user running the
// Kataryna script against the in-process simulator; sim and conv override
// the simulator and conversation attributes, extra is appended.
func openPlan(t *testing.T, rate float64, dur time.Duration, maxUsers int, sim, conv attrs, extra string) *plan.Plan {
	t.Helper()
	src := simSource(t, "open", 23, sim,
		merged(attrs{"max_turns": "20", "reply_timeout": `"2s"`, "reply_settle": `"50ms"`}, conv),
		fmt.Sprintf(`stage "arrivals" {
  arrival_rate = %g
  duration     = "%s"
  max_users    = %d
}`, rate, dur, maxUsers), extra)
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "open.hcl"), plan.Options{})
	if len(diags) != 0 {
		t.Fatalf("open plan: %s", diags.Error())
	}
	return p
}

// runOpen runs p (as segment seg) and returns the result and every
// conversation, checking the accounting invariant.
func runOpen(t *testing.T, p *plan.Plan, seg Segment) (*Result, []*transcript.Conversation) {
	t.Helper()
	return runPlanWith(t, p, Options{Segment: seg})
}

// usersIn returns the sorted user numbers of convs.
func usersIn(convs []*transcript.Conversation) []int {
	var out []int
	for _, c := range convs {
		out = append(out, c.User)
	}
	slices.Sort(out)
	return out
}

func seq(from, to int) []int {
	var out []int
	for n := from; n <= to; n++ {
		out = append(out, n)
	}
	return out
}

// TestOpenStageStartsEveryArrival: 20 arrivals a second for 2 s are 40
// conversations, each by its own fresh user, whatever became of the
// earlier ones.
func TestOpenStageStartsEveryArrival(t *testing.T) {
	t.Parallel()
	p := openPlan(t, 20, 2*time.Second, 1000, nil, nil, "")
	res, convs := runOpen(t, p, Segment{})
	c := res.Snapshot.Conversations
	if c.Started != 40 || c.Dropped != 0 {
		t.Fatalf("started %d, dropped %d; want 40 started, none dropped (%+v)", c.Started, c.Dropped, c)
	}
	if got := usersIn(convs); !slices.Equal(got, seq(1, 40)) {
		t.Errorf("users %v; want one conversation each for users 1..40", got)
	}
	if c.Succeeded != 40 {
		t.Errorf("succeeded %d of 40 (%+v)", c.Succeeded, c.Reasons)
	}
	if res.Interrupted || res.Snapshot.Users != 0 {
		t.Errorf("interrupted %v, users still active %d", res.Interrupted, res.Snapshot.Users)
	}
	for _, cv := range convs { // the same user as the seeded source makes
		u, err := p.NewUser(cv.User)
		if err != nil || cv.Persona != u.Persona.Name || cv.Data["customer"]["cpf"] != u.Data["customer"]["cpf"] {
			t.Fatalf("user %d: %s %v, NewUser gives %v (%v)", cv.User, cv.Persona, cv.Data, u, err)
		}
	}
}

// TestOpenStageDropsWhenFull: a slow assistant fills max_users; the
// arrivals that find it full are dropped and counted, never delayed, and
// every arrival is either started or dropped.
func TestOpenStageDropsWhenFull(t *testing.T) {
	t.Parallel()
	const maxUsers, arrivals = 3, 20
	// Every reply takes a second and the conversation ends after one turn,
	// so nothing ends before the stage's 20 arrivals (every 50 ms) are due.
	p := openPlan(t, 20, time.Second, maxUsers, attrs{"latency": `"1s"`}, attrs{"max_turns": "1", "reply_timeout": `"10s"`}, "")
	res, convs := runOpen(t, p, Segment{})
	c := res.Snapshot.Conversations
	if c.Started+c.Dropped != arrivals {
		t.Errorf("started %d + dropped %d != %d planned arrivals", c.Started, c.Dropped, arrivals)
	}
	if c.Dropped == 0 || c.Started < maxUsers {
		t.Errorf("started %d, dropped %d: want the first %d started and the full cap to drop arrivals", c.Started, c.Dropped, maxUsers)
	}
	if got := res.Snapshot.Personas["kataryna"].Dropped; got != c.Dropped {
		t.Errorf("personas[kataryna].dropped = %d; want the total %d", got, c.Dropped)
	}
	// The first arrivals always start: nothing is in flight before them.
	if got := usersIn(convs); len(got) < maxUsers || !slices.Equal(got[:maxUsers], seq(1, maxUsers)) {
		t.Errorf("users started %v; want 1..%d among them", got, maxUsers)
	}
	if c.Failed != c.Started || c.Reasons[transcript.ReasonMaxTurns] != c.Started {
		t.Errorf("conversations %+v: want every started one failed at max_turns", c)
	}
}

// TestOpenSegmentsAddUpToTheWholeRun: segments 1/2 and 2/2 together start
// exactly the whole run's arrivals, as the same users.
func TestOpenSegmentsAddUpToTheWholeRun(t *testing.T) {
	t.Parallel()
	const arrivals = 20
	p := openPlan(t, 20, time.Second, 100, nil, nil, "")
	results := make([]map[int]string, 3)
	t.Run("runs", func(t *testing.T) { // returns when its parallel subtests have
		for i, seg := range []Segment{{}, {Index: 1, Count: 2}, {Index: 2, Count: 2}} {
			t.Run(seg.String(), func(t *testing.T) {
				t.Parallel()
				results[i] = usersOf(t, p, seg) // segment_test.go
			})
		}
	})
	if t.Failed() {
		return
	}
	whole, first, second := results[0], results[1], results[2]
	if got := keys(whole); !slices.Equal(got, seq(1, arrivals)) {
		t.Fatalf("the whole run's users %v; want 1..%d", got, arrivals)
	}
	for i, seg := range []map[int]string{first, second} {
		for n, who := range seg {
			if (n-1)%2 != i {
				t.Errorf("segment %d/2 started arrival %d", i+1, n)
			}
			if whole[n] != who {
				t.Errorf("user %d: %q in the whole run, %q in segment %d/2", n, whole[n], who, i+1)
			}
		}
	}
	if len(first)+len(second) != arrivals || len(first) != arrivals/2 {
		t.Errorf("segments started %v and %v; want the %d arrivals split evenly", keys(first), keys(second), arrivals)
	}
}

// TestOpenStageStops: Stop, an abort threshold and a cancelled context
// each end the arrivals; what started is accounted for.
func TestOpenStageStops(t *testing.T) {
	t.Parallel()
	const planned = 20 * 30 // 20/s for 30 s
	tests := []struct {
		name  string
		extra string
		stop  func(r *Runner, cancel context.CancelFunc)
		check func(t *testing.T, res *Result)
	}{
		{
			name: "Stop",
			stop: func(r *Runner, _ context.CancelFunc) { r.Stop() },
		},
		{
			name:  "abort threshold on dropped",
			extra: `threshold "no_drops" {` + "\n" + `  check = "conversations.dropped == 0"` + "\n  abort = true\n}",
			check: func(t *testing.T, res *Result) {
				if res.Aborted != "no_drops" || res.Snapshot.Conversations.Dropped == 0 {
					t.Errorf("aborted %q with %d dropped; want no_drops, after a drop", res.Aborted, res.Snapshot.Conversations.Dropped)
				}
			},
		},
		{
			name: "cancelled context",
			stop: func(_ *Runner, cancel context.CancelFunc) { cancel() },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Replies take 300 ms, one turn each, two in flight at most:
			// drops from the third arrival on.
			p := openPlan(t, 20, 30*time.Second, 2, attrs{"latency": `"300ms"`}, attrs{"max_turns": "1"}, tt.extra)
			sink := &memSink{}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			r := New(p, Options{Sink: sink, GracefulStop: 10 * time.Second})
			if tt.stop != nil {
				go func() {
					for i := 0; i < 1000 && r.Recorder().Snapshot(0).Conversations.Started < 3; i++ {
						time.Sleep(10 * time.Millisecond)
					}
					tt.stop(r, cancel)
				}()
			}
			res, err := r.Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			checkAccounted(t, res, sink.convs)
			c := res.Snapshot.Conversations
			if !res.Interrupted || c.Started < 3 || c.Started+c.Dropped >= planned {
				t.Errorf("interrupted %v, started %d, dropped %d: want a run cut well before its %d arrivals",
					res.Interrupted, c.Started, c.Dropped, planned)
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

func TestSetTargetRefusedInOpenStages(t *testing.T) {
	t.Parallel()
	r := New(openPlan(t, 1, time.Second, 10, nil, nil, ""), Options{})
	if _, err := r.SetTarget(context.Background(), 5, "test"); !errors.Is(err, ErrOpenStage) {
		t.Errorf("SetTarget on an open plan: %v; want ErrOpenStage", err)
	}
}

func TestSegmentFirstOwned(t *testing.T) {
	t.Parallel()
	for _, count := range []int{1, 2, 3, 8} {
		for i := 1; i <= count; i++ {
			s := Segment{Index: i, Count: count}
			for from := 1; from <= 30; from++ {
				want := from
				for (want-1)%count != i-1 {
					want++
				}
				if got := s.firstOwned(from); got != want {
					t.Errorf("segment %v, from %d: first owned %d, want %d", s, from, got, want)
				}
			}
		}
	}
}

// A ramping stage starts its arrivals when the rising rate promises them:
// 0 → 20/s over 2 s, then 20/s for 1 s, is 20 + 20 arrivals, the first ten
// spread over √2 s (arrival k at √(k/5) s), never sooner.
func TestOpenStageRamps(t *testing.T) {
	t.Parallel()
	src := simSource(t, "ramp", 29, nil, attrs{"max_turns": "20", "reply_timeout": `"2s"`, "reply_settle": `"50ms"`}, `stage "ramp" {
  arrival_rate = 20
  ramp         = "2s"
  duration     = "3s"
}`, "")
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "ramp.hcl"), plan.Options{})
	if len(diags) != 0 {
		t.Fatalf("ramp plan: %s", diags.Error())
	}
	res, convs := runOpen(t, p, Segment{})
	if c := res.Snapshot.Conversations; c.Started != 40 || c.Dropped != 0 {
		t.Fatalf("started %d, dropped %d; want the 40 arrivals", c.Started, c.Dropped)
	}
	started := map[int]time.Time{}
	for _, c := range convs {
		started[c.User] = c.StartedAt
	}
	if gap := started[11].Sub(started[1]); gap < 1300*time.Millisecond { // due 1.41 s apart; a steady 20/s would be 0.5 s
		t.Errorf("arrivals 1 to 11 over %s: the ramp should spread them over √2 s", gap)
	}
	if gap := started[40].Sub(started[1]); gap < 2800*time.Millisecond { // due 2.95 s apart
		t.Errorf("all 40 arrivals over %s: want nearly the whole 3 s stage", gap)
	}
}
