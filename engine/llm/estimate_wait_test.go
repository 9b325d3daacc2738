package llm

import (
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
)

// TestEstimateRangedWaitsBillTheShortest: when conversations repeat, a
// think_time or pacing range is estimated at its least wait — the most
// conversations fit in the users' time, so the bill is the worst case.
func TestEstimateRangedWaitsBillTheShortest(t *testing.T) {
	t.Parallel()
	// One load: smoke.hcl has seed = 0, and a seed drawn afresh renders
	// other prompts, whose token estimates differ by a little.
	p, diags := plan.Load("../../plans/smoke.hcl", plan.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	load := func(think, pacing plan.Wait) Estimate {
		p.Conversation.ThinkTime, p.Conversation.Pacing = think, pacing
		es := EstimatePlan(p)
		if len(es) != 1 || es[0].Bounded {
			t.Fatalf("estimates %+v, want one, repeating", es)
		}
		return es[0]
	}
	fixed := load(plan.FixedWait(500*time.Millisecond), plan.FixedWait(3*time.Second))
	ranged := load(plan.Wait{Min: 500 * time.Millisecond, Max: 5 * time.Second}, plan.Wait{Min: 3 * time.Second, Max: time.Minute})
	longest := load(plan.FixedWait(5*time.Second), plan.FixedWait(time.Minute))
	if ranged.Conversations != fixed.Conversations || ranged.USD != fixed.USD {
		t.Errorf("ranged waits: %v conversations USD %v; the shortest waits give %v, USD %v",
			ranged.Conversations, ranged.USD, fixed.Conversations, fixed.USD)
	}
	if longest.USD >= ranged.USD {
		t.Errorf("the longest waits bill USD %v, the range USD %v: the range must bill the most", longest.USD, ranged.USD)
	}
}
