package run

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// waitSlack bounds how much longer than drawn a wait may take on a loaded
// 2-core CI machine (the reply's settle period included): the upper bounds
// are loose, the lower ones strict.
const waitSlack = 3 * time.Second

// drawsOf returns the first n waits of w that user draws from stream s: what
// the engine must wait, in order.
func drawsOf(p *plan.Plan, w plan.Wait, user int, s datagen.Stream, n int) []time.Duration {
	r := datagen.ForUserStream(p.Seed, user, s)
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = w.Draw(r)
	}
	return out
}

// thinkGaps returns, in order, the time between each reply's first
// callback and the next message of the user's conversations.
func thinkGaps(convs []*transcript.Conversation) []time.Duration {
	var gaps []time.Duration
	for _, c := range convs {
		for i := 1; i < len(c.Turns); i++ {
			prev := c.Turns[i-1]
			reply := prev.SentAt.Add(time.Duration(*prev.ReplyMS * float64(time.Millisecond)))
			gaps = append(gaps, c.Turns[i].SentAt.Sub(reply))
		}
	}
	return gaps
}

// byUser groups convs by user, each user's in start order.
func byUser(convs []*transcript.Conversation) map[int][]*transcript.Conversation {
	out := map[int][]*transcript.Conversation{}
	for _, c := range convs {
		out[c.User] = append(out[c.User], c)
	}
	for _, cs := range out {
		slices.SortFunc(cs, func(a, b *transcript.Conversation) int { return a.StartedAt.Compare(b.StartedAt) })
	}
	return out
}

// checkWaits asserts that every gap is at least its draw (less the
// microsecond reply_ms is rounded to) and not much more, and so within
// [w.Min, w.Max + slack].
func checkWaits(t *testing.T, what string, user int, w plan.Wait, gaps, draws []time.Duration) {
	t.Helper()
	for i, gap := range gaps {
		d := draws[i]
		if d < w.Min || d > w.Max {
			t.Fatalf("user %d %s %d: drew %s outside %s", user, what, i+1, d, w)
		}
		if gap < d-time.Microsecond || gap > d+waitSlack {
			t.Errorf("user %d %s %d: waited %s, drew %s (range %s)", user, what, i+1, gap, d, w)
		}
	}
}

// TestRandomThinkTimeAndPacing: with ranges, each user waits its own seeded
// draws — between a reply and its next message, and between two of its
// conversations — while its persona and data are those NewUser gives, and
// the waits stay out of the reply latency.
func TestRandomThinkTimeAndPacing(t *testing.T) {
	t.Parallel()
	p := simPlan(t, "waits", 11, 3, 30*time.Second, nil, attrs{
		"think_time":             `["100ms", "250ms"]`,
		"conversations_per_user": "2",
		"pacing":                 `["200ms", "400ms"]`,
	}, "")
	think, pacing := p.Conversation.ThinkTime, p.Conversation.Pacing
	if think != (plan.Wait{Min: 100 * time.Millisecond, Max: 250 * time.Millisecond}) || pacing.Fixed() {
		t.Fatalf("think_time %s, pacing %s", think, pacing)
	}
	res, convs := runPlan(t, p)
	if got := res.Snapshot.Conversations.Succeeded; got != 6 {
		t.Fatalf("conversations %+v, want 6 succeeded", res.Snapshot.Conversations)
	}
	users := byUser(convs)
	if len(users) != 3 {
		t.Fatalf("users %v, want 3", usersIn(convs))
	}
	firstDraws := map[time.Duration]int{}
	for n, cs := range users {
		checkSameUser(t, p, n, cs)
		gaps := thinkGaps(cs)
		if len(gaps) != 22 {
			t.Fatalf("user %d: %d gaps, want 2 conversations × 11", n, len(gaps))
		}
		draws := drawsOf(p, think, n, datagen.StreamThink, len(gaps))
		checkWaits(t, "think", n, think, gaps, draws)
		firstDraws[draws[0]] = n
		paces := drawsOf(p, pacing, n, datagen.StreamPacing, 1)
		checkWaits(t, "pacing", n, pacing, []time.Duration{cs[1].StartedAt.Sub(cs[0].EndedAt)}, paces)
	}
	if len(firstDraws) != 3 {
		t.Errorf("users drew the same first think time: %v", firstDraws)
	}
	// A wait is never a latency: the simulator answers in 5ms, each wait
	// is 100ms or more.
	if r := res.Snapshot.Reply; r.P50 >= think.Min || res.Snapshot.Send.P50 >= think.Min {
		t.Errorf("reply p50 %s, send p50 %s: the think time leaked into a latency", r.P50, res.Snapshot.Send.P50)
	}
}

// TestRandomThinkTimeOpenStage: an arrival's user draws its think times
// from the stream of its own number, as a closed user does.
func TestRandomThinkTimeOpenStage(t *testing.T) {
	t.Parallel()
	src := simSource(t, "open-waits", 5, nil,
		attrs{"max_turns": "20", "reply_timeout": `"2s"`, "reply_settle": `"50ms"`, "think_time": `["50ms", "150ms"]`},
		`stage "arrivals" {
  arrival_rate = 4
  duration     = "1s"
}`, "")
	p, diags := plan.LoadSource([]byte(src), filepath.Join(t.TempDir(), "open.hcl"), plan.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	res, convs := runPlan(t, p)
	if got := res.Snapshot.Conversations.Succeeded; got != 4 {
		t.Fatalf("conversations %+v, want 4 succeeded", res.Snapshot.Conversations)
	}
	think := p.Conversation.ThinkTime
	for n, cs := range byUser(convs) {
		checkSameUser(t, p, n, cs)
		gaps := thinkGaps(cs)
		checkWaits(t, "think", n, think, gaps, drawsOf(p, think, n, datagen.StreamThink, len(gaps)))
	}
}

// checkSameUser asserts the user's conversations have the persona and data
// NewUser draws for it: the waits take nothing from that source.
func checkSameUser(t *testing.T, p *plan.Plan, n int, cs []*transcript.Conversation) {
	t.Helper()
	u, err := p.NewUser(n)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Persona != u.Persona.Name || !reflect.DeepEqual(c.Data, u.Data) {
			t.Errorf("user %d: persona %s data %v, NewUser gives %s %v", n, c.Persona, c.Data, u.Persona.Name, u.Data)
		}
	}
}
