package transcript

import (
	"bytes"
	"encoding/json"
	"math"
	"time"
)

// Steering actions (Steer.Action).
const (
	SteerUsers = "users" // the current stage's target users changed
	SteerStop  = "stop"  // the run was stopped
)

// Steer is one change made by hand while a run went on (the live
// dashboard's users and stop buttons): the run records it, summary.json
// and the live page carry it, the verdict line tells it.
type Steer struct {
	At      time.Time     // wall clock
	Elapsed time.Duration // since the run started
	Action  string        // SteerUsers or SteerStop
	Stage   string        // the stage it happened in
	// From and To are the stage's target users before and after the change
	// (SteerUsers only).
	From, To int
	By       string // who asked: "dashboard"
}

// steerJSON is a Steer as summary.json carries it: the time in UTC, the
// elapsed time in milliseconds, From and To only for SteerUsers.
type steerJSON struct {
	At        time.Time `json:"at"`
	ElapsedMS float64   `json:"elapsed_ms"`
	Action    string    `json:"action"`
	Stage     string    `json:"stage"`
	From      *int      `json:"from,omitempty"`
	To        *int      `json:"to,omitempty"`
	By        string    `json:"by"`
}

// MarshalJSON writes s as summary.json carries it.
func (s Steer) MarshalJSON() ([]byte, error) {
	out := steerJSON{At: s.At.UTC(), ElapsedMS: Ms(s.Elapsed), Action: s.Action, Stage: s.Stage, By: s.By}
	if s.Action == SteerUsers {
		from, to := s.From, s.To
		out.From, out.To = &from, &to
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // the encoder of the whole document decides
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads s as summary.json carries it.
func (s *Steer) UnmarshalJSON(b []byte) error {
	var in steerJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*s = Steer{At: in.At, Elapsed: time.Duration(math.Round(in.ElapsedMS * float64(time.Millisecond))),
		Action: in.Action, Stage: in.Stage, By: in.By}
	if in.From != nil {
		s.From = *in.From
	}
	if in.To != nil {
		s.To = *in.To
	}
	return nil
}
