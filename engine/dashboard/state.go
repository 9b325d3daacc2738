package dashboard

import (
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/run"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
	"github.com/voyplan/voyplan/engine/webhook"
)

// liveListSize is how many live conversations one event lists.
const liveListSize = 100

// Phases of a run as the page shows them.
const (
	phaseStarting = "starting" // the receiver, the tunnel, … are not up yet
	phaseRunning  = "running"
	phaseStopping = "stopping" // stopped: conversations in flight finish their turn
	phaseDraining = "draining" // the stages are over: conversations in flight finish
	phaseOver     = "over"     // results written
)

// state is one event of the live view: built field by field, so nothing
// of the plan but its name, description, seed, stages and checks reaches
// the page.
type state struct {
	Plan       planView            `json:"plan"`
	Phase      string              `json:"phase"`
	ElapsedMS  float64             `json:"elapsed_ms"`
	PlannedMS  float64             `json:"planned_ms"`
	Stage      int                 `json:"stage"`
	Planned    int                 `json:"planned"` // user slots planned now
	Target     int                 `json:"target"`  // the current stage's target users
	Metrics    metrics.Snapshot    `json:"metrics"`
	Thresholds []results.Threshold `json:"thresholds"` // as they stand
	Verdict    string              `json:"verdict"`    // as it stands: "pass" or "fail"
	History    historyView         `json:"history"`
	Steering   []transcript.Steer  `json:"steering"`
	Live       liveView            `json:"live"`
	Callbacks  *callbacksView      `json:"callbacks"` // nil: the protocol has no webhook
	Final      *Final              `json:"final,omitempty"`
}

type planView struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Seed        uint64      `json:"seed"`
	Stages      []stageView `json:"stages"`
}

type stageView struct {
	Name       string  `json:"name"`
	Users      int     `json:"users"`
	SpawnRate  float64 `json:"spawn_rate"`
	DurationMS float64 `json:"duration_ms"`
	// An open stage's (arrival_rate): conversations started per second,
	// and the most in flight; absent for a closed stage.
	ArrivalRate *float64 `json:"arrival_rate,omitempty"`
	MaxUsers    int      `json:"max_users,omitempty"`
}

// historyView is the samples a page has not seen yet: it keeps From of
// the ones it has and appends these.
type historyView struct {
	IntervalMS float64          `json:"interval_ms"`
	From       int              `json:"from"`
	Samples    []metrics.Sample `json:"samples"`
}

type liveView struct {
	InFlight      int               `json:"in_flight"`
	Conversations []run.LiveSummary `json:"conversations"`
}

// callbacksView is the callbacks a page has not seen yet (Seq after the
// last it got).
type callbacksView struct {
	Size  int                `json:"size"` // how many the inspector keeps
	Items []webhook.Callback `json:"items"`
}

// cursor is what one page has been sent already.
type cursor struct {
	samples  int
	callback uint64
}

// state builds the next event for the page at c, and moves c on.
func (s *Server) state(c *cursor) state {
	r := s.opts.Runner
	// The final outcome is read once: the phase and the final field of one
	// event must agree, even when Finish comes while the event is built.
	final := s.finished()
	el := r.Elapsed()
	snap := r.Recorder().Snapshot(el)
	// a windowed threshold on its windows so far: its worst window
	judged := verdict.EvaluateAll(s.opts.Plan.Thresholds, snap, r.WindowsSoFar())
	sum := results.NewSummary(results.Run{}, snap, judged) // the thresholds and verdict as summary.json has them
	st := state{
		Plan:       s.planView(),
		Phase:      s.phase(el, final != nil),
		ElapsedMS:  transcript.Ms(el),
		PlannedMS:  transcript.Ms(s.planned),
		Stage:      r.Stage(),
		Planned:    r.Planned(),
		Target:     r.Target(),
		Metrics:    snap,
		Thresholds: sum.Thresholds,
		Verdict:    sum.Verdict,
		History:    s.historyAfter(c),
		Steering:   r.Steering(),
		Live:       s.liveView(),
		Callbacks:  s.callbacksAfter(c),
		Final:      final,
	}
	return st
}

func (s *Server) planView() planView {
	p := s.opts.Plan
	rows := p.Schedule().Rows(p.Stages)
	v := planView{Name: p.Name, Description: p.Description, Seed: p.Seed, Stages: make([]stageView, len(rows))}
	for i, r := range rows {
		v.Stages[i] = stageView{Name: r.Name, Users: r.Users, SpawnRate: r.SpawnRate, DurationMS: transcript.Ms(r.To - r.From),
			ArrivalRate: r.ArrivalRate, MaxUsers: r.MaxUsers}
	}
	return v
}

func (s *Server) phase(el time.Duration, finished bool) string {
	r := s.opts.Runner
	switch {
	case finished:
		return phaseOver
	case el == 0:
		return phaseStarting
	case r.Stopping():
		return phaseStopping
	case el >= s.planned:
		return phaseDraining
	}
	return phaseRunning
}

func (s *Server) historyAfter(c *cursor) historyView {
	all := s.hist.Samples()
	from := min(c.samples, len(all))
	c.samples = len(all)
	return historyView{IntervalMS: transcript.Ms(s.every), From: from, Samples: all[from:]}
}

func (s *Server) liveView() liveView {
	list, n := s.opts.Runner.LiveConversations(liveListSize)
	return liveView{InFlight: n, Conversations: list}
}

func (s *Server) callbacksAfter(c *cursor) *callbacksView {
	i := s.opts.Inspector
	if i == nil {
		return nil
	}
	items := i.Recent("", c.callback)
	if len(items) > 0 {
		c.callback = items[len(items)-1].Seq
	}
	return &callbacksView{Size: InspectorSize, Items: items}
}
