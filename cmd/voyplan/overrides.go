package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
)

// overrides are the Locust-style flags that replace the plan's stages with
// one: -u/--users, -r/--spawn-rate, -t/--run-time.
type overrides struct {
	users     int
	spawnRate float64
	runTime   time.Duration
}

func addOverrideFlags(fs *flag.FlagSet) *overrides {
	o := &overrides{users: -1}
	for _, name := range []string{"u", "users"} {
		fs.IntVar(&o.users, name, -1, "replace the stages with one of this many users (Locust's -u)")
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
	if o.users < 0 && o.spawnRate == 0 && o.runTime == 0 {
		return nil
	}
	first := p.Stages[0]
	st := plan.Stage{Name: "cli", Users: first.Users, SpawnRate: first.SpawnRate, Duration: p.Schedule().Duration}
	if o.users >= 0 {
		st.Users = o.users
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
