package plan

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/schedule"
)

var capacitySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "vary", Required: true}, {Name: "from", Required: true}, {Name: "to", Required: true},
		{Name: "hold", Required: true}, {Name: "ramp"}, {Name: "steps"}, {Name: "require"}, {Name: "max_users"},
	},
}

const defaultCapacitySteps = 8

// decodeCapacity decodes the capacity block, which takes the stages'
// place: the search sets the load.
func (l *loader) decodeCapacity(b *hcl.Block, stages hcl.Blocks) {
	if b == nil {
		return
	}
	if len(stages) > 0 {
		l.add(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Stages beside a capacity block",
			Detail:  "A capacity search sets the load itself, step by step; remove the stage blocks, or the capacity block to run the stages.",
			Subject: stages[0].DefRange.Ptr()}})
	}
	c := &schedule.Capacity{Steps: defaultCapacitySteps}
	a := l.content(b, capacitySchema)
	varies := []string{schedule.VaryUsers, schedule.VaryArrivalRate}
	if a.Str("vary", &c.Vary) {
		a.Invalid("vary", c.Vary == schedule.VaryUsers || c.Vary == schedule.VaryArrivalRate, "Unsupported vary",
			`vary must be "users" (concurrent users) or "arrival_rate" (conversations started per second).`+
				decode.DidYouMean(c.Vary, varies))
	}
	decodeCapacityLoad(a, c)
	if a.Duration("hold", &c.Hold) {
		a.Require("hold", c.Hold > 0, `a positive duration, e.g. "2m"`)
	}
	if a.Duration("ramp", &c.Ramp) {
		a.Require("ramp", c.Ramp >= 0, `a duration of 0 or more, e.g. "20s"`)
	}
	if a.Integer("steps", &c.Steps) {
		a.Require("steps", c.Steps >= 1, "1 or more")
	}
	a.NonNegative("require", &c.Require, "completed conversations per minute")
	l.plan.Capacity = c
}

// decodeCapacityLoad decodes from, to and max_users, whose meaning
// follows vary: whole users, or a rate per second (with max_users, the
// conversations in flight at most, as an open stage's).
func decodeCapacityLoad(a *decode.Attrs, c *schedule.Capacity) {
	if c.Vary != schedule.VaryArrivalRate {
		if a.Number("from", &c.From) {
			a.Require("from", c.From >= 1 && c.From == float64(int(c.From)), "a whole number of users, 1 or more")
		}
		if a.Number("to", &c.To) {
			a.Require("to", c.To >= c.From && c.To == float64(int(c.To)), "a whole number of users, at least from")
		}
		a.Invalid("max_users", false, "Argument of an arrival_rate search",
			"max_users caps the conversations in flight when the search varies arrival_rate; a search over users never "+
				"holds more than its users. Remove max_users.")
		return
	}
	c.MaxUsers = DefaultMaxUsers
	if a.Number("from", &c.From) {
		a.Require("from", c.From > 0 && c.From <= MaxArrivalRate, "a rate above 0 and at most 100000: conversations started per second")
	}
	if a.Number("to", &c.To) {
		a.Require("to", c.To >= c.From && c.To <= MaxArrivalRate, "a rate at least from and at most 100000: conversations started per second")
	}
	if a.Integer("max_users", &c.MaxUsers) {
		a.Require("max_users", c.MaxUsers >= 1 && c.MaxUsers <= maxMaxUsers,
			"a whole number from 1 to 1000000: the conversations in flight at most, per process (default 1000)")
	}
}
