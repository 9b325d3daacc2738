package results

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/verdict"
)

// Summary is summary.json. Its metrics carry the names thresholds see; the
// embedded Legacy adds the old tool's run-summary fields at the top level,
// under their old names, so dashboards built on the old tool keep working.
type Summary struct {
	Plan        PlanInfo  `json:"plan"`
	Version     string    `json:"version"`
	StartedAt   time.Time `json:"started_at"`
	EndedAt     time.Time `json:"ended_at"`
	DurationMS  float64   `json:"duration_ms"`
	Interrupted bool      `json:"interrupted"`
	// StopReason says how the run ended (Stop* values), AbortedBy the
	// abort threshold that stopped it, if one did: what a pipeline reads
	// to tell a finished run from a cut one.
	StopReason string `json:"stop_reason"`
	AbortedBy  string `json:"aborted_by,omitempty"`
	Verdict    string `json:"verdict"` // VerdictPass | VerdictFail | VerdictInvalid
	// Invalid says why the run's results are incomplete (conversations
	// that could not be recorded): the verdict is then VerdictInvalid,
	// whatever the thresholds say.
	Invalid    string           `json:"invalid,omitempty"`
	Thresholds []Threshold      `json:"thresholds"`
	Metrics    metrics.Snapshot `json:"metrics"`
	Segment    *Segment         `json:"segment,omitempty"` // set when this process ran one slice of the users
	// Rebuilt says the run's process died and voyplan report rebuilt the
	// run from its journal (stop_reason crashed).
	Rebuilt *Rebuilt `json:"rebuilt,omitempty"`
	// Steering lists the changes made by hand while the run went on (the
	// live dashboard's users and stop buttons); absent when there were none.
	Steering []transcript.Steer `json:"steering,omitempty"`
	// Capacity is a capacity search's outcome; absent for a run of stages.
	Capacity *Capacity `json:"capacity,omitempty"`
	// Windows are the windows of the run's windowed thresholds, by
	// length, each with its figures and distributions (windows.go);
	// absent without windowed thresholds.
	Windows []WindowSet `json:"windows,omitempty"`
	Legacy
	// Distributions carries each timed operation's mergeable distribution
	// (HDR histogram and exact counts), last as it is bulky, so that the
	// segments of one run merge into one verdict (voyplan merge); absent in
	// older summaries.
	Distributions map[string]metrics.Distribution `json:"distributions,omitempty"`
}

// Verdict values.
const (
	VerdictPass    = "pass"
	VerdictFail    = "fail"
	VerdictInvalid = "invalid" // results were lost: nothing can be concluded (Summary.Invalid)
)

// PlanInfo identifies the plan a run executed: enough to find it and to
// reproduce the run, and nothing else (no targets, no keys).
type PlanInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	File        string `json:"file"`
	Hash        string `json:"hash"` // SHA-256 of the file, hex
	Seed        uint64 `json:"seed"`
	// Protocol is how the target was spoken to (voyager, http, ...): it
	// names the requests table's rows; absent in older summaries.
	Protocol string `json:"protocol,omitempty"`
}

// PlanInfoOf copies p's identity. It is the only way a plan reaches a
// summary, so nothing else of the plan (its LLM keys above all) can.
func PlanInfoOf(p *plan.Plan) PlanInfo {
	return PlanInfo{Name: p.Name, Description: p.Description, File: p.File, Hash: p.Hash, Seed: p.Seed, Protocol: p.Target.ProtocolName()}
}

// Threshold is one threshold's outcome as summary.json carries it.
type Threshold struct {
	Name  string `json:"name"`
	Check string `json:"check"`
	Pass  bool   `json:"pass"`
	// Result is what the check found: pass, fail, error, or no_data when
	// a figure it reads had nothing behind it (Pass then being what
	// on_no_data says, false by default).
	Result   string `json:"result"`
	Observed string `json:"observed"`
	Error    string `json:"error,omitempty"`
	Abort    bool   `json:"abort"`
	// OnNoData is the threshold's on_no_data ("fail" or "pass"), so that
	// merge judges the segments again as the plan said.
	OnNoData string `json:"on_no_data,omitempty"`
	// WindowMS is the threshold's window: it held only if it held in every
	// window of the run; Windows counts them, FailedWindows those where it
	// did not hold, and WorstWindow is the worst (whose observed value is
	// Observed). Absent for thresholds judged on the whole run.
	WindowMS      float64      `json:"window_ms,omitempty"`
	Windows       int          `json:"windows,omitempty"`
	FailedWindows int          `json:"failed_windows,omitempty"`
	WorstWindow   *WorstWindow `json:"worst_window,omitempty"`
}

// WorstWindow is a windowed threshold's worst window: when it was
// (elapsed into the run) and what the check found in it.
type WorstWindow struct {
	FromMS   float64 `json:"from_ms"`
	ToMS     float64 `json:"to_ms"`
	Observed string  `json:"observed"`
	Result   string  `json:"result"`
}

// How a run ended (Summary.StopReason).
const (
	StopCompleted = "completed" // the stages ran out, or every user was done
	StopSignal    = "signal"    // SIGINT/SIGTERM (Ctrl-C)
	StopDashboard = "dashboard" // the live dashboard's Stop button
	StopAbort     = "abort"     // an abort threshold failed during the run (AbortedBy)
	StopError     = "error"     // the run failed, or lost results (its results are partial; see Invalid)
	StopCrashed   = "crashed"   // the process died; voyplan report rebuilt the run from its journal (Rebuilt)
)

// Segment is the slice of the virtual users this process ran (--segment
// Index/Count), for merging results from several machines.
type Segment struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Run is what a summary records about the run itself.
type Run struct {
	Plan        PlanInfo
	Version     string
	StartedAt   time.Time
	EndedAt     time.Time
	Interrupted bool
	StopReason  string // Stop*; "" is StopCompleted
	AbortedBy   string
	Segment     *Segment
	Steering    []transcript.Steer
	// Invalid says why the results are incomplete; "" when they are whole.
	Invalid string
	// Rebuilt is set for a run rebuilt from its journal after a crash.
	Rebuilt *Rebuilt
	// Distributions is the Recorder's (metrics.Recorder.Distributions).
	Distributions map[string]metrics.Distribution
}

// NewSummary builds the summary of a run from its final snapshot and its
// threshold results.
func NewSummary(run Run, s metrics.Snapshot, rs []verdict.Result) *Summary {
	return &Summary{
		Plan:        run.Plan,
		Version:     run.Version,
		StartedAt:   run.StartedAt,
		EndedAt:     run.EndedAt,
		DurationMS:  transcript.Ms(run.EndedAt.Sub(run.StartedAt)),
		Interrupted: run.Interrupted,
		StopReason:  cmp.Or(run.StopReason, StopCompleted),
		AbortedBy:   run.AbortedBy,
		Verdict:     verdictOf(rs, run.Invalid),
		Invalid:     run.Invalid,
		Thresholds:  thresholds(rs),
		Metrics:     s,
		Segment:     run.Segment,
		Rebuilt:     run.Rebuilt,
		Steering:    run.Steering,
		Legacy:      LegacyOf(s),

		Distributions: run.Distributions,
	}
}

func verdictOf(rs []verdict.Result, invalid string) string {
	if invalid != "" {
		return VerdictInvalid
	}
	if verdict.Passed(rs) {
		return VerdictPass
	}
	return VerdictFail
}

func thresholds(rs []verdict.Result) []Threshold {
	out := make([]Threshold, len(rs))
	for i, r := range rs {
		out[i] = Threshold{Name: r.Name, Check: r.Check, Pass: r.Pass, Observed: r.Observed, Abort: r.Abort, OnNoData: r.OnNoData,
			Result: r.Outcome()}
		if r.Err != nil {
			out[i].Error = r.Err.Error()
		}
		out[i].WindowMS, out[i].Windows, out[i].FailedWindows = transcript.Ms(r.Window), r.Windows, r.FailedWindows
		if w := r.Worst; w != nil {
			out[i].WorstWindow = &WorstWindow{FromMS: transcript.Ms(w.From), ToMS: transcript.Ms(w.To), Observed: w.Observed, Result: w.Outcome}
		}
	}
	return out
}

// WriteSummary writes s to dir/summary.json atomically: a reader sees the
// previous file or the new one, never a part of it.
func WriteSummary(dir string, s *Summary) error {
	b, err := encodeSummary(s)
	if err != nil {
		return fmt.Errorf("cannot encode the summary: %w", err)
	}
	if err := writeFileAtomic(dir, SummaryFile, b); err != nil {
		return fmt.Errorf("cannot write the summary: %w", err)
	}
	return nil
}

func encodeSummary(s *Summary) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ReadSummary reads a summary.json.
func ReadSummary(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the summary: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: invalid summary: %w", path, err)
	}
	return &s, nil
}

// Capacity is a capacity search as summary.json carries it: the capacity
// found (completed conversations per minute at the most load that held),
// the threshold that limited it, and every step.
type Capacity struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	Vary  string  `json:"vary"`
	Load  float64 `json:"load"`
	// LoadUnit is what a load counts: "users" or "conversations/s"
	// (arrival_rate).
	LoadUnit string         `json:"load_unit"`
	Require  float64        `json:"require"`
	Limit    *CapacityLimit `json:"limiting_threshold,omitempty"`
	Steps    []CapacityStep `json:"steps"`
}

// CapacityLimit is the first threshold that failed at the least load that
// did not hold.
type CapacityLimit struct {
	Name      string  `json:"name"`
	Check     string  `json:"check"`
	Observed  string  `json:"observed"`
	Load      float64 `json:"load"`
	PerMinute float64 `json:"per_minute"`
}

// CapacityStep is one step of a search, with every threshold's outcome on
// its hold.
type CapacityStep struct {
	Load       float64     `json:"load"`
	FromMS     float64     `json:"from_ms"`
	ToMS       float64     `json:"to_ms"`
	Held       bool        `json:"held"`
	PerMinute  float64     `json:"per_minute"`
	ReplyP95MS float64     `json:"reply_p95_ms"`
	Thresholds []Threshold `json:"thresholds"`
	// Started is the conversations that began in the hold; Dropped the
	// arrivals that found max_users in flight (arrival_rate).
	Started int64 `json:"started"`
	Dropped int64 `json:"dropped"`
}

// CapacityUnit is the unit of a capacity.
const CapacityUnit = "conversations/min"

func capacityOf(c *verdict.Capacity) *Capacity {
	if c == nil {
		return nil
	}
	out := &Capacity{Value: c.Value, Unit: CapacityUnit, Vary: c.Vary, Load: c.Load, LoadUnit: "users", Require: c.Require, Steps: []CapacityStep{}}
	if c.Vary == "arrival_rate" {
		out.LoadUnit = "conversations/s"
	}
	if b := c.Broke; b != nil {
		out.Limit = &CapacityLimit{Name: b.Threshold, Check: b.Check, Observed: b.Observed, Load: b.Load, PerMinute: b.PerMinute}
	}
	for _, s := range c.Steps {
		out.Steps = append(out.Steps, CapacityStep{Load: s.Load, FromMS: transcript.Ms(s.From), ToMS: transcript.Ms(s.To),
			Held: s.Held, PerMinute: s.PerMinute, ReplyP95MS: transcript.Ms(s.Snapshot.Reply.P95), Thresholds: thresholds(s.Results),
			Started: s.Snapshot.Conversations.Started, Dropped: s.Snapshot.Conversations.Dropped})
	}
	return out
}
