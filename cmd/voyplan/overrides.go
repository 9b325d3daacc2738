package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
)

// overrides are the Locust-style flags that replace the plan's stages with
// one: -u/--users, -r/--spawn-rate, -t/--run-time.
type overrides struct {
	users     userCount
	spawnRate float64
	runTime   time.Duration
}

// userCount is -u: a count that may be absent (its zero value, which the
// help then does not print as a default).
type userCount struct {
	n   int
	set bool
}

func (u *userCount) String() string {
	if u == nil || !u.set {
		return ""
	}
	return strconv.Itoa(u.n)
}

func (u *userCount) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want a number of users ≥ 0, got %q", s)
	}
	u.n, u.set = n, true
	return nil
}

func addOverrideFlags(fs *flag.FlagSet) *overrides {
	o := &overrides{}
	for _, name := range []string{"u", "users"} {
		fs.Var(&o.users, name, "replace the stages with one of `N` users (Locust's -u)")
	}
	for _, name := range []string{"r", "spawn-rate"} {
		fs.Float64Var(&o.spawnRate, name, 0, "users started per second, with -u (default: the first stage's)")
	}
	for _, name := range []string{"t", "run-time"} {
		fs.DurationVar(&o.runTime, name, 0, "how long the stage lasts, with -u (default: the plan's whole duration)")
	}
	return o
}

// apply replaces p's stages when any override is set.
func (o *overrides) apply(p *plan.Plan) error {
	if !o.users.set && o.spawnRate == 0 && o.runTime == 0 {
		return nil
	}
	first := p.Stages[0]
	if first.Open {
		return o.applyOpen(p)
	}
	st := plan.Stage{Name: "cli", Users: first.Users, SpawnRate: first.SpawnRate, Duration: p.Schedule().Duration}
	if o.users.set {
		st.Users = o.users.n
	}
	if o.spawnRate != 0 {
		st.SpawnRate = o.spawnRate
	}
	if o.runTime != 0 {
		st.Duration = o.runTime
	}
	if st.SpawnRate <= 0 || st.Duration <= 0 {
		return fmt.Errorf("-r/--spawn-rate and -t/--run-time must be positive")
	}
	p.Stages = []plan.Stage{st}
	return nil
}

// applyOpen replaces the open stages of p with one, at the first stage's
// arrival rate and max_users, lasting -t. Users and spawn rate belong to
// closed stages.
func (o *overrides) applyOpen(p *plan.Plan) error {
	if o.users.set || o.spawnRate != 0 {
		return fmt.Errorf("the plan's stages are open (arrival_rate): -u/--users and -r/--spawn-rate apply to closed stages (users); " +
			"-t/--run-time alone sets how long conversations arrive at the first stage's rate")
	}
	if o.runTime <= 0 {
		return fmt.Errorf("-t/--run-time must be positive")
	}
	st := p.Stages[0]
	st.Name, st.Duration = "cli", o.runTime
	p.Stages = []plan.Stage{st}
	return nil
}
