package verdict

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan/names"
)

// Outcomes of a threshold (Result.Outcome), as summary.json records them.
const (
	OutcomePass   = "pass"
	OutcomeFail   = "fail"
	OutcomeNoData = "no_data" // the check judged nothing; Pass is what on_no_data says
	OutcomeError  = "error"   // the check could not be evaluated
)

// Outcome is what the check found: OutcomeNoData when it read a figure
// with nothing behind it, whatever on_no_data made of it.
func (r Result) Outcome() string {
	switch {
	case r.Err != nil:
		return OutcomeError
	case r.NoData:
		return OutcomeNoData
	case r.Pass:
		return OutcomePass
	}
	return OutcomeFail
}

// noData says which of the figures a check reads have nothing behind them
// in s, one phrase each ("reply: never timed"); none when all have data.
// A figure with nothing behind it reads 0 in a check, and 0 is not what
// was observed: reply.p95 < duration('2s') over no reply, or
// personas["edman"].failed == 0 over a persona never drawn, would hold.
//
// What counts as data depends on the figure, not on its value:
//   - a timing (send, reply, …) has data once it was sampled (count > 0);
//     its min, avg and percentiles once a sample succeeded (count >
//     failed), since a failed one has no duration in them;
//   - conversations, and personas["name"], have data for what was offered
//     (started, dropped, late_starts, in_flight, turns, interrupted) once
//     a conversation started or was dropped, and for everything else
//     (success_rate, failed, turns_avg, pass_k, …) once one was judged
//     (succeeded, failed or abandoned);
//   - personas read by a computed key or as a whole have data when the
//     conversations overall do;
//   - totals (cost, webhook, users, elapsed, assistant) are data even at 0.
func noData(reads []names.Read, s metrics.Snapshot) []string {
	var out []string
	for _, r := range reads {
		if why := missing(r, s); why != "" && !slices.Contains(out, why) {
			out = append(out, why)
		}
	}
	return out
}

func missing(r names.Read, s metrics.Snapshot) string {
	switch name, unknown := unrecorded(r, s.Unrecorded); {
	case unknown:
		return name + ": not recorded"
	case r.Metric == "goodput", r.Metric == "cost" && r.Field == "per_success":
		// rates over judged conversations: nothing judged, nothing observed
		return conversationsMissing("no conversation", "", s.Conversations)
	}
	v, ok := exprField(reflect.ValueOf(s), r.Metric)
	if !ok {
		return ""
	}
	switch x := v.Interface().(type) {
	case metrics.Latency:
		return timingMissing(r.Metric, r.Field, x)
	case metrics.Conversations:
		return conversationsMissing("no conversation", r.Field, x)
	case map[string]metrics.Conversations:
		if r.Key == "" {
			return conversationsMissing("no conversation", r.Field, s.Conversations)
		}
		return conversationsMissing(fmt.Sprintf("persona %q", r.Key), r.Field, x[r.Key])
	}
	return ""
}

// exprField is v's struct field that expr-lang calls name.
// unrecorded finds the figure of the snapshot's Unrecorded that r reads:
// one that names its metric ("webhook" for webhook.refused), or its metric
// and field ("conversations.dropped"), or, for personas["x"].dropped, the
// conversations figure of that field.
func unrecorded(r names.Read, figures []string) (string, bool) {
	for _, f := range figures {
		metric, field, whole := strings.Cut(f, ".")
		switch {
		case metric == r.Metric && (!whole || field == r.Field):
			return f, true
		case metric == "conversations" && whole && field == r.Field && r.Metric == "personas":
			return f, true
		}
	}
	return "", false
}

func exprField(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("expr"), ","); tag == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// durations are a timing's fields computed from its timed samples: the
// successful ones and, but for the _ok timings, the censored timeouts.
var durations = []string{"min", "avg", "p50", "p90", "p95", "p99", "max"}

func timingMissing(name, field string, l metrics.Latency) string {
	switch {
	case l.Count == 0:
		return name + ": never timed"
	case l.Count-l.Failed+l.Censored <= 0 && slices.Contains(durations, field):
		return fmt.Sprintf("%s: all %d failed, none timed", name, l.Count)
	}
	return ""
}

// offered are the conversation figures about the load offered rather
// than about conversations judged.
var offered = []string{"started", "dropped", "late_starts", "in_flight", "turns", "interrupted"}

// A window of a run may judge conversations it did not start: what is
// judged needs a judged conversation, what is offered a drawn one.
func conversationsMissing(who, field string, c metrics.Conversations) string {
	drawn := c.Started+c.Dropped > 0
	judged := c.Succeeded+c.Failed+c.Abandoned > 0
	if judged && !slices.Contains(offered, field) || drawn && slices.Contains(offered, field) {
		return ""
	}
	switch {
	case !drawn && who == "no conversation":
		return "no conversation started"
	case !drawn:
		return who + " never drawn"
	case who == "no conversation":
		return "no conversation ended"
	}
	return who + ": no conversation ended"
}
