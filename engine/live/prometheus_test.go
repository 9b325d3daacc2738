package live_test

import (
	"context"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/live"
	"github.com/voyplan/voyplan/engine/live/livetest"
	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

// waitFor bounds each wait on the real Prometheus: generous, for a loaded
// CI machine.
const waitFor = 60 * time.Second

// TestRealPrometheusScrapesAndReceives runs Debian's Prometheus on
// loopback, scraping /metrics and receiving remote write, and reads the
// series back through its query API.
func TestRealPrometheusScrapesAndReceives(t *testing.T) {
	t.Parallel()
	rec := metrics.NewRecorder([]string{"a", "b"})
	for range 3 {
		rec.ConversationStarted("a")
	}
	rec.ConversationStarted("b")
	rec.ConversationEnded(&transcript.Conversation{Persona: "a", Outcome: transcript.Completed, DurationMS: 900})
	rec.ConversationEnded(&transcript.Conversation{Persona: "b", Outcome: transcript.Failed, Reason: transcript.ReasonReplyTimeout})
	rec.Reply(300*time.Millisecond, true)
	rec.Reply(3*time.Second, true)
	rec.UserStarted()

	scraped := live.NewRegistry(live.NewCollector(live.Source{Recorder: rec},
		live.Identity{Plan: "p", RunID: "scraped", Segment: "1/1"}))
	srv, err := live.Listen("127.0.0.1:0", scraped)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	prom := livetest.Start(t, srv.Addr())

	pushed := live.NewRegistry(live.NewCollector(live.Source{Recorder: rec, Stage: func() string { return "ramp" }},
		live.Identity{Plan: "p", RunID: "pushed", Segment: "2/8"}))
	p, err := live.NewPusher(live.RemoteWrite{URL: prom.WriteURL()}, pushed)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Push(context.Background()); err != nil {
		t.Fatal(err)
	}

	for _, run := range []string{"pushed", "scraped"} {
		sel := `{run_id="` + run + `"}`
		checks := []struct {
			q    string
			want float64
		}{
			{`sum(voyplan_conversations_started_total` + sel + `)`, 4},
			{`sum(voyplan_conversations_completed_total` + sel + `)`, 1},
			{`sum(voyplan_conversations_failed_total{run_id="` + run + `",reason="reply_timeout"})`, 1},
			{`sum(voyplan_conversations_in_flight` + sel + `)`, 2},
			{`sum(voyplan_users` + sel + `)`, 1},
			{`sum(voyplan_reply_duration_seconds_count` + sel + `)`, 2},
			{`sum(voyplan_reply_duration_seconds_bucket{run_id="` + run + `",le="1"})`, 1},
			{`sum(voyplan_conversation_duration_seconds_count` + sel + `)`, 1},
		}
		for _, c := range checks {
			prom.WaitValue(t, c.q, waitFor, func(v float64) bool { return v == c.want })
		}
	}
	if v, ok := prom.Value(t, `count(voyplan_users{run_id="pushed",segment="2/8",plan="p",stage="ramp"})`); !ok || v != 1 {
		t.Errorf("the pushed users gauge with its run, segment and stage labels: %v (%v); want one series", v, ok)
	}
	if v, ok := prom.Value(t, `up{job="voyplan"}`); !ok || v != 1 {
		t.Errorf(`up{job="voyplan"} = %v (%v); want 1: Prometheus scraped /metrics`, v, ok)
	}
}
