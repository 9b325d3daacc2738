package live

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

var testID = Identity{Plan: "p", RunID: "run-1", Segment: "1/1"}

// recorded is a Recorder after a small made-up run: three conversations
// of "a" (completed, failed by reply_timeout, one in flight), one of "b"
// failed by send_error, sends and replies timed.
func recorded() *metrics.Recorder {
	r := metrics.NewRecorder([]string{"a", "b"})
	for _, p := range []string{"a", "a", "a", "b"} {
		r.ConversationStarted(p)
	}
	r.UserStarted()
	r.UserStarted()
	end := func(p string, o transcript.Outcome, reason string, ms float64, turns int) {
		r.ConversationEnded(&transcript.Conversation{Persona: p, Outcome: o, Reason: reason, DurationMS: ms,
			Turns: make([]transcript.Turn, turns)})
	}
	end("a", transcript.Completed, "", 1500, 3)
	end("a", transcript.Failed, transcript.ReasonReplyTimeout, 4000, 2)
	end("b", transcript.Failed, transcript.ReasonSendError, 20, 1)
	r.Send(3*time.Millisecond, true)
	r.Send(40*time.Millisecond, true)
	r.Send(0, false)
	r.SendAttempts(4)
	r.Reply(800*time.Millisecond, true)
	r.ReplyTimedOut(2 * time.Second)
	// A thought typed as three messages, answered after the first and the
	// last; one followed up with a double text.
	r.Burst(&transcript.Burst{Fragments: []transcript.Fragment{{Text: "oi"}, {Text: "quero"}, {Text: "ingressos"}}, Answers: 2})
	r.Burst(&transcript.Burst{Fragments: []transcript.Fragment{{Text: "ok"}, {Text: "?", FollowUp: true}}, Answers: 1})
	r.WatchChannel(func() metrics.Channel { return metrics.Channel{Redelivered: 5, DuplicateReplies: 2, OutOfOrder: 1} })
	r.WatchWhatsApp(func() metrics.WhatsApp { return metrics.WhatsApp{Deliveries: 7, AuthFailures: 1, Statuses: 21} })
	return r
}

// gathered reads a registry into "name{label=value,...}" → value, labels
// sorted, the identity labels left out; a histogram gives its _count, _sum
// and _bucket entries.
func gathered(t *testing.T, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			k := seriesKey(mf.GetName(), m.GetLabel())
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				out[k] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[k] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				out[seriesKey(mf.GetName()+"_count", m.GetLabel())] = float64(h.GetSampleCount())
				out[seriesKey(mf.GetName()+"_sum", m.GetLabel())] = h.GetSampleSum()
				for _, b := range h.GetBucket() {
					out[seriesKey(mf.GetName()+"_bucket", m.GetLabel(), "le="+formatBound(b.GetUpperBound()))] = float64(b.GetCumulativeCount())
				}
			}
		}
	}
	return out
}

func seriesKey(name string, labels []*dto.LabelPair, extra ...string) string {
	var ls []string
	for _, l := range labels {
		switch l.GetName() {
		case "plan", "run_id", "segment":
			continue
		}
		ls = append(ls, l.GetName()+"="+l.GetValue())
	}
	ls = append(ls, extra...)
	sort.Strings(ls)
	return name + "{" + strings.Join(ls, ",") + "}"
}

func TestCollectorExportsTheRecorder(t *testing.T) {
	t.Parallel()
	stage := "ramp"
	reg := prometheus.NewPedanticRegistry() // checks every metric against its description
	reg.MustRegister(NewCollector(Source{Recorder: recorded(), Stage: func() string { return stage }}, testID))
	got := gathered(t, reg)
	want := map[string]float64{
		"voyplan_conversations_started_total{persona=a}":                     3,
		"voyplan_conversations_started_total{persona=b}":                     1,
		"voyplan_conversations_completed_total{persona=a}":                   1,
		"voyplan_conversations_failed_total{persona=a,reason=reply_timeout}": 1,
		"voyplan_conversations_failed_total{persona=b,reason=send_error}":    1,
		"voyplan_conversations_in_flight{persona=a,stage=ramp}":              1,
		"voyplan_conversations_in_flight{persona=b,stage=ramp}":              0,
		"voyplan_turns_total{persona=a}":                                     5,
		"voyplan_users{stage=ramp}":                                          2,
		"voyplan_operations_total{operation=send}":                           3,
		"voyplan_operations_failed_total{operation=send}":                    1,
		"voyplan_operations_total{operation=reply}":                          2,
		"voyplan_operations_timed_out_total{operation=reply}":                1,
		"voyplan_send_attempts_total{}":                                      4,
		"voyplan_send_duration_seconds_count{}":                              2,
		"voyplan_send_duration_seconds_bucket{le=0.005}":                     1,
		"voyplan_send_duration_seconds_bucket{le=0.05}":                      2,
		"voyplan_reply_duration_seconds_count{}":                             2, // the reply and the censored wait
		"voyplan_reply_duration_seconds_bucket{le=1}":                        1,
		"voyplan_reply_duration_seconds_bucket{le=2.5}":                      2,
		"voyplan_conversation_duration_seconds_count{}":                      1, // the completed one: failed ones are counted, not timed
		"voyplan_conversation_duration_seconds_sum{}":                        1.5,
		"voyplan_webhook_discarded_total{reason=late}":                       0,
		"voyplan_llm_tokens_total{kind=input}":                               0,
		"voyplan_bursts_total{}":                                             1,
		"voyplan_burst_fragments_total{}":                                    3,
		"voyplan_burst_replies_total{}":                                      2,
		"voyplan_double_answers_total{}":                                     1,
		"voyplan_double_texts_total{}":                                       1,
		"voyplan_channel_faults_total{kind=redelivered}":                     5,
		"voyplan_channel_faults_total{kind=duplicate_replies}":               2,
		"voyplan_channel_faults_total{kind=out_of_order}":                    1,
		"voyplan_channel_faults_total{kind=delayed}":                         0,
		"voyplan_whatsapp_events_total{kind=deliveries}":                     7,
		"voyplan_whatsapp_events_total{kind=auth_failures}":                  1,
		"voyplan_whatsapp_events_total{kind=statuses}":                       21,
		"voyplan_conversations_crosstalk_total{persona=a}":                   0,
		"voyplan_replay_diverged_total{}":                                    0,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v); want %v", k, g, ok, v)
		}
	}
	if _, ok := got["voyplan_conversations_failed_total{persona=a,reason=send_error}"]; ok {
		t.Error("a reason that never happened to a persona has a series")
	}
	if got := gathered(t, reg)["voyplan_send_duration_seconds_sum{}"]; got < 0.043-1e-9 || got > 0.043+1e-9 {
		t.Errorf("send sum = %v s; want 0.043", got)
	}
	stage = "steady"
	if _, ok := gathered(t, reg)["voyplan_users{stage=steady}"]; !ok {
		t.Error("the users gauge does not follow the stage")
	}
}

func TestEverySeriesIsDescribedAndLabelledWithTheRun(t *testing.T) {
	t.Parallel()
	reg := NewRegistry(NewCollector(Source{Recorder: recorded()}, testID))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
		if !strings.HasPrefix(mf.GetName(), "voyplan_") {
			t.Errorf("%s lacks the voyplan_ prefix", mf.GetName())
		}
		for _, m := range mf.GetMetric() {
			id := map[string]string{}
			for _, l := range m.GetLabel() {
				id[l.GetName()] = l.GetValue()
			}
			if id["plan"] != "p" || id["run_id"] != "run-1" || id["segment"] != "1/1" {
				t.Errorf("%s carries %v; want the run's plan, run_id and segment", mf.GetName(), id)
			}
		}
	}
	for _, n := range SeriesNames() {
		if !names[n] {
			t.Errorf("%s is listed but not exported", n)
		}
	}
	if len(names) != len(SeriesNames()) {
		t.Errorf("%d series exported, %d listed", len(names), len(SeriesNames()))
	}
}
