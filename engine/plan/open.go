package plan

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/schedule"
)

// Open-model stages (k6's constant-arrival-rate): conversations arrive at
// a rate, each by a fresh virtual user, whatever became of the earlier
// ones — so a slow assistant meets the same offered load instead of fewer
// new customers. Decoded and checked here, compiled in schedule.go.
//
//	stage "peak" {
//	  arrival_rate = 5     # conversations started per second
//	  duration     = "2m"
//	  ramp         = "30s" # from the previous stage's rate, linearly; default 0: a step
//	  max_users    = 300   # in flight at most (per process); default 1000
//	}

const (
	// DefaultMaxUsers is max_users when an open stage does not set it.
	DefaultMaxUsers = 1000
	// MaxArrivalRate bounds arrival_rate: a typo must not start millions
	// of conversations a second.
	MaxArrivalRate = 100_000
	// maxMaxUsers bounds max_users, as run.MaxSteerUsers bounds a target
	// set by hand (the open-file check bounds it further).
	maxMaxUsers = 1_000_000
)

// Open reports whether the plan's stages are open (arrival_rate): the run
// starts conversations at a rate instead of holding users. A plan's stages
// are all of one kind.
func (p *Plan) Open() bool { return len(p.Stages) > 0 && p.Stages[0].Open }

// PersonaOf is the persona virtual user n plays — NewUser(n).Persona —
// drawn without evaluating the user's data: what a dropped arrival is
// counted under.
func (p *Plan) PersonaOf(n int) *Persona {
	e := p.eval
	if e == nil || len(e.Cum) == 0 {
		return nil
	}
	return p.Personas[e.Pick(datagen.ForUser(p.Seed, n).Float64())] // NewUser's first draw
}

// decodeOpenStage decodes a stage with arrival_rate; duration is decoded
// by the caller.
func decodeOpenStage(a *decode.Attrs, s *schedule.Stage) {
	s.Open, s.MaxUsers = true, DefaultMaxUsers
	if a.Number("arrival_rate", &s.ArrivalRate) {
		a.Require("arrival_rate", s.ArrivalRate >= 0 && s.ArrivalRate <= MaxArrivalRate,
			"between 0 (a quiet stage) and 100000: the conversations started per second")
	}
	if a.Duration("ramp", &s.Ramp) {
		a.Require("ramp", s.Ramp >= 0 && (s.Ramp <= s.Duration || s.Duration == 0), // a bad duration is its own error
			"a duration from 0 to the stage's duration: how long the rate takes to go from the previous stage's to arrival_rate")
	}
	if a.Integer("max_users", &s.MaxUsers) {
		a.Require("max_users", s.MaxUsers >= 1 && s.MaxUsers <= maxMaxUsers,
			"a whole number from 1 to 1000000: the conversations in flight at most, per process (default 1000)")
	}
	a.Invalid("users", false, "Conflicting arguments",
		"A stage is closed — users (held at once) and spawn_rate — or open — arrival_rate (conversations started per second) "+
			"and max_users — never both. Remove users to keep this stage open, or arrival_rate to make it closed.")
	a.Invalid("spawn_rate", false, "Argument of a closed stage",
		"spawn_rate is how fast a closed stage starts its users; this stage is open (arrival_rate): its conversations "+
			"arrive at arrival_rate per second, each by a fresh user. Remove spawn_rate.")
}

// requireClosed reports what a closed stage lacks, and max_users, which
// only an open stage takes.
func requireClosed(a *decode.Attrs, b *hcl.Block) {
	missing := func(name, detail string) {
		if _, ok := a.Attributes[name]; !ok {
			a.Add(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing required argument",
				Detail:   fmt.Sprintf("The argument %q is required, but no definition was found. %s", name, detail),
				Subject:  b.Body.MissingItemRange().Ptr(),
			})
		}
	}
	if _, ok := a.Attributes["users"]; !ok {
		missing("users", "A closed stage says how many users it holds at once (users = 10, spawn_rate = 2); "+
			"an open stage how many conversations start per second (arrival_rate = 5).")
	} else {
		missing("spawn_rate", "It is how many users the stage starts (or retires) per second, e.g. spawn_rate = 2.")
	}
	a.Invalid("ramp", false, "Argument of an open stage",
		"ramp is how long an open stage (arrival_rate) takes to reach its rate; this stage is closed (users): "+
			"spawn_rate says how fast it reaches its users. Remove ramp, or replace users and spawn_rate with arrival_rate.")
	a.Invalid("max_users", false, "Argument of an open stage",
		"max_users caps the conversations in flight of an open stage (arrival_rate); this stage is closed (users): "+
			"it never holds more than its users. Remove max_users, or replace users and spawn_rate with arrival_rate.")
}

// checkStageModels reports stages of the other kind than the first (a
// plan is all closed or all open), and, for an open plan, the conversation
// settings that only closed stages use. blocks are aligned with
// l.plan.Stages.
func (l *loader) checkStageModels(blocks hcl.Blocks) {
	if len(l.plan.Stages) == 0 {
		return
	}
	first := l.plan.Stages[0]
	for i, st := range l.plan.Stages[1:] {
		if st.Open == first.Open {
			continue
		}
		l.add(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Mixed stage models",
			Detail: fmt.Sprintf("Stage %q is %s but stage %q, at %s, is %s: a plan's stages are all closed — users held at once "+
				"(users, spawn_rate) — or all open — conversations arriving at a rate (arrival_rate, max_users). "+
				"Make this stage like the first, or split the plan in two.",
				st.Name, stageModel(st), first.Name, blocks[0].DefRange, stageModel(first)),
			Subject: blocks[i+1].DefRange.Ptr(),
		}})
	}
	if !first.Open {
		return
	}
	for _, name := range []string{"conversations_per_user", "pacing"} {
		if attr, ok := l.convAttrs[name]; ok {
			l.add(hcl.Diagnostics{{
				Severity: hcl.DiagWarning,
				Summary:  "Argument ignored",
				Detail: fmt.Sprintf("%s applies to closed stages, whose users hold conversations one after another; the stages "+
					"of this plan are open (arrival_rate): every conversation that arrives has a fresh user, who holds that one "+
					"only. Remove %s.", name, name),
				Subject: attr.Expr.Range().Ptr(),
			}})
		}
	}
}

func stageModel(s schedule.Stage) string {
	if s.Open {
		return "open (arrival_rate)"
	}
	return "closed (users)"
}
