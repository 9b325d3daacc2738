// `voyplan validate -json` and `voyplan plan -json`: what the two commands
// print, for editors and CI, as one JSON document on stdout. The shape is
// documented in README.md ("Machine-readable validate and plan") and held
// by jsonout_test.go; format_version changes when a field changes meaning
// or goes away (new fields may be added).

package main

import (
	"encoding/json"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/llm"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/plan/schedule"
)

// jsonFormatVersion is the version of the documents below.
const jsonFormatVersion = 1

// jsonValidation is validate -json's document, and the head of plan
// -json's.
type jsonValidation struct {
	FormatVersion int              `json:"format_version"`
	File          string           `json:"file"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

// jsonDiagnostic is one diagnostic. File, line and column (1-based, the
// column in characters) are where it points, with the end of the range;
// they are absent for a diagnostic that points nowhere (a variable file
// that cannot be read). Snippets are left out: a variable file's may hold
// secrets.
type jsonDiagnostic struct {
	Severity  string `json:"severity"` // "error" or "warning"
	Summary   string `json:"summary"`
	Detail    string `json:"detail,omitempty"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
	EndColumn int    `json:"end_column,omitempty"`
}

// validation sums up a load: its diagnostics, or the one error that
// stopped it before any (the plan file cannot be read).
func validation(file string, diags hcl.Diagnostics, loadErr error) jsonValidation {
	v := jsonValidation{FormatVersion: jsonFormatVersion, File: file, Diagnostics: []jsonDiagnostic{}}
	if loadErr != nil {
		v.Diagnostics = append(v.Diagnostics, jsonDiagnostic{Severity: "error", Summary: "Cannot read plan file", Detail: loadErr.Error(), File: file})
	}
	for _, d := range diags {
		jd := jsonDiagnostic{Severity: severity(d.Severity), Summary: d.Summary, Detail: d.Detail}
		if r := d.Subject; r != nil {
			jd.File, jd.Line, jd.Column, jd.EndLine, jd.EndColumn = r.Filename, r.Start.Line, r.Start.Column, r.End.Line, r.End.Column
		}
		v.Diagnostics = append(v.Diagnostics, jd)
	}
	for _, d := range v.Diagnostics {
		if d.Severity == "error" {
			v.ErrorCount++
		} else {
			v.WarningCount++
		}
	}
	v.Valid = v.ErrorCount == 0
	return v
}

// jsonPlan is plan -json's document: the validation, then — for a valid
// plan — the compiled plan. Durations and offsets are milliseconds.
type jsonPlan struct {
	jsonValidation
	Plan         *jsonPlanInfo       `json:"plan,omitempty"`
	Schedule     *jsonSchedule       `json:"schedule,omitempty"`
	Personas     []jsonPersona       `json:"personas,omitempty"`
	Conversation *jsonConversation   `json:"conversation,omitempty"`
	Expected     *jsonExpected       `json:"expected,omitempty"`
	LLM          []jsonLLMEstimate   `json:"llm,omitempty"`
	Thresholds   []jsonPlanThreshold `json:"thresholds,omitempty"`
}

type jsonPlanInfo struct {
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	SHA256       string `json:"sha256"`
	Seed         uint64 `json:"seed"`
	SeedFromFile bool   `json:"seed_from_file"` // false: drawn for this invocation
	Target       string `json:"target"`
}

// jsonSchedule is the compiled schedule: its stages, and either the steps
// of the users in flight (closed stages, k6's {offset, planned users}) or
// the arrivals of open stages.
type jsonSchedule struct {
	DurationMS float64        `json:"duration_ms"`
	Open       bool           `json:"open"`
	PeakUsers  int            `json:"peak_users"` // open: conversations in flight at most
	Started    int            `json:"started"`    // users started in all (open: arrivals)
	Stages     []jsonStage    `json:"stages"`
	Steps      []jsonStep     `json:"steps,omitempty"`
	Arrivals   []jsonArrivals `json:"arrivals,omitempty"`
}

type jsonStage struct {
	Name        string   `json:"name"`
	FromMS      float64  `json:"from_ms"`
	ToMS        float64  `json:"to_ms"`
	Users       int      `json:"users,omitempty"`
	SpawnRate   float64  `json:"spawn_rate,omitempty"`
	ArrivalRate *float64 `json:"arrival_rate,omitempty"`
	MaxUsers    int      `json:"max_users,omitempty"`
}

type jsonStep struct {
	AtMS  float64 `json:"at_ms"`
	Users int     `json:"users"`
	Stage string  `json:"stage"`
}

type jsonArrivals struct {
	Stage      string  `json:"stage"`
	StartMS    float64 `json:"start_ms"`
	DurationMS float64 `json:"duration_ms"`
	Rate       float64 `json:"rate"`
	From       float64 `json:"from,omitempty"`
	RampMS     float64 `json:"ramp_ms,omitempty"`
	MaxUsers   int     `json:"max_users"`
	Count      int     `json:"count"`
}

type jsonPersona struct {
	Name   string  `json:"name"`
	Driver string  `json:"driver"`
	LLM    string  `json:"llm,omitempty"`
	Weight float64 `json:"weight"`
	Share  float64 `json:"share"` // of the weights, 0..1
}

type jsonConversation struct {
	Opening              string  `json:"opening"`
	MaxTurns             int     `json:"max_turns"`
	ReplyTimeoutMS       float64 `json:"reply_timeout_ms"`
	ConversationsPerUser int     `json:"conversations_per_user"` // 0: repeat until the stages end
}

// jsonExpected bounds what the run will do; Bounded is false when
// conversations repeat until the stages end (no upper bound then).
type jsonExpected struct {
	Bounded       bool `json:"bounded"`
	Conversations int  `json:"conversations,omitempty"`
	CustomerTurns int  `json:"customer_turns,omitempty"`
}

type jsonLLMEstimate struct {
	Name          string  `json:"name"`
	Model         string  `json:"model"`
	Conversations float64 `json:"conversations"`
	Bounded       bool    `json:"bounded"`
	Generations   float64 `json:"generations"`
	InputTokens   int64   `json:"input_tokens"`
	OutputTokens  int64   `json:"output_tokens"`
	WorstCaseUSD  float64 `json:"worst_case_usd"`
}

type jsonPlanThreshold struct {
	Name     string  `json:"name"`
	Check    string  `json:"check"`
	WindowMS float64 `json:"window_ms,omitempty"`
	Abort    bool    `json:"abort,omitempty"`
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// compiledPlan is p as plan -json prints it; strings from the plan pass
// through its redaction (a url may be built from a sensitive variable).
func compiledPlan(v jsonValidation, p *plan.Plan) jsonPlan {
	s := p.Schedule()
	out := jsonPlan{
		jsonValidation: v,
		Plan: &jsonPlanInfo{Name: p.Name, Description: p.Redact(p.Description), SHA256: p.Hash, Seed: p.Seed,
			SeedFromFile: p.SeedFromFile, Target: p.Target.Name},
		Schedule: scheduleOf(p, s),
		Conversation: &jsonConversation{Opening: p.Redact(p.Conversation.Opening), MaxTurns: p.Conversation.MaxTurns,
			ReplyTimeoutMS: msOf(p.Conversation.ReplyTimeout), ConversationsPerUser: p.Conversation.ConversationsPerUser},
		Expected: expectedOf(p, s),
	}
	total := 0.0
	for _, ps := range p.Personas {
		total += ps.Weight
	}
	for _, ps := range p.Personas {
		out.Personas = append(out.Personas, jsonPersona{Name: ps.Name, Driver: string(ps.Driver), LLM: ps.LLM, Weight: ps.Weight, Share: ps.Weight / total})
	}
	for _, e := range llm.EstimatePlan(p) {
		out.LLM = append(out.LLM, jsonLLMEstimate{Name: e.LLM.Name, Model: e.LLM.Model, Conversations: e.Conversations, Bounded: e.Bounded,
			Generations: e.Generations, InputTokens: e.Usage.Input, OutputTokens: e.Usage.Output, WorstCaseUSD: e.USD})
	}
	for _, th := range p.Thresholds {
		out.Thresholds = append(out.Thresholds, jsonPlanThreshold{Name: th.Name, Check: p.Redact(th.Check), WindowMS: msOf(th.Window), Abort: th.Abort})
	}
	return out
}

func scheduleOf(p *plan.Plan, s schedule.Schedule) *jsonSchedule {
	js := &jsonSchedule{DurationMS: msOf(s.Duration), Open: s.Open(), PeakUsers: s.Peak(), Started: s.Started(), Stages: []jsonStage{}}
	for _, r := range s.Rows(p.Stages) {
		js.Stages = append(js.Stages, jsonStage{Name: r.Name, FromMS: msOf(r.From), ToMS: msOf(r.To), Users: r.Users, SpawnRate: r.SpawnRate,
			ArrivalRate: r.ArrivalRate, MaxUsers: r.MaxUsers})
	}
	for _, st := range s.Steps {
		js.Steps = append(js.Steps, jsonStep{AtMS: msOf(st.At), Users: st.Users, Stage: stageName(p, st.Stage, false)})
	}
	for _, a := range s.Arrivals {
		js.Arrivals = append(js.Arrivals, jsonArrivals{Stage: stageName(p, a.Stage, false), StartMS: msOf(a.Start), DurationMS: msOf(a.Duration),
			Rate: a.Rate, From: a.From, RampMS: msOf(a.Ramp), MaxUsers: a.MaxUsers, Count: a.Count})
	}
	return js
}

func expectedOf(p *plan.Plan, s schedule.Schedule) *jsonExpected {
	turns := p.Conversation.MaxTurns
	if s.Open() {
		return &jsonExpected{Bounded: true, Conversations: s.Started(), CustomerTurns: s.Started() * turns}
	}
	if per := p.Conversation.ConversationsPerUser; per > 0 {
		n := s.Started() * per
		return &jsonExpected{Bounded: true, Conversations: n, CustomerTurns: n * turns}
	}
	return &jsonExpected{Bounded: false}
}

// writeJSON writes v indented, with its newline.
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// planJSON is plan -json: the validation and, for a valid plan, the
// compiled plan (overrides applied), on stdout; the exit code plan's.
func (a *app) planJSON(file string, vars *varFlags, ov *overrides) error {
	p, diags, err := a.readPlan(file, vars)
	out := jsonPlan{jsonValidation: validation(file, diags, err)}
	if p != nil && out.Valid {
		if err := ov.apply(p); err != nil {
			return withCode(exitError, err)
		}
		out = compiledPlan(out.jsonValidation, p)
	}
	if err := a.writeJSON(out); err != nil {
		return withCode(exitError, err)
	}
	if !out.Valid {
		return withCode(exitError, nil)
	}
	return nil
}
