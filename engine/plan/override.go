package plan

import (
	"errors"
	"time"

	"github.com/voyplan/voyplan/engine/plan/schedule"
)

// Override replaces a plan's stages with one, as Locust's -u, -r and -t
// flags do (voyplan apply and plan).
type Override struct {
	Users     *int          // nil: the first stage's
	SpawnRate float64       // 0: the first stage's
	RunTime   time.Duration // 0: the plan's whole duration
}

// IsZero reports whether the override changes nothing.
func (o Override) IsZero() bool { return o.Users == nil && o.SpawnRate == 0 && o.RunTime == 0 }

var (
	errOverrideClosed = errors.New("-r/--spawn-rate and -t/--run-time must be positive")
	errOverrideOpen   = errors.New("the plan's stages are open (arrival_rate): -u/--users and -r/--spawn-rate apply to closed stages (users); " +
		"-t/--run-time alone sets how long conversations arrive at the first stage's rate")
	errOverrideRunTime = errors.New("-t/--run-time must be positive")
)

// Override replaces the stages with one stage "cli", unless o changes
// nothing. Closed stages: o.Users users, started at o.SpawnRate per second,
// for o.RunTime. Open stages: the first stage's arrival rate and max_users
// for o.RunTime, which is then required; users and spawn rate belong to
// closed stages.
func (p *Plan) Override(o Override) error {
	if o.IsZero() {
		return nil
	}
	first := p.Stages[0]
	if first.Open {
		if o.Users != nil || o.SpawnRate != 0 {
			return errOverrideOpen
		}
		if o.RunTime <= 0 {
			return errOverrideRunTime
		}
		first.Name, first.Duration = "cli", o.RunTime
		p.Stages = []schedule.Stage{first}
		return nil
	}
	st := schedule.Stage{Name: "cli", Users: first.Users, SpawnRate: first.SpawnRate, Duration: p.Schedule().Duration}
	if o.Users != nil {
		st.Users = *o.Users
	}
	if o.SpawnRate != 0 {
		st.SpawnRate = o.SpawnRate
	}
	if o.RunTime != 0 {
		st.Duration = o.RunTime
	}
	if st.SpawnRate <= 0 || st.Duration <= 0 {
		return errOverrideClosed
	}
	p.Stages = []schedule.Stage{st}
	return nil
}
