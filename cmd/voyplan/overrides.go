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

// apply replaces p's stages when any override is set (plan.Override).
func (o *overrides) apply(p *plan.Plan) error {
	var users *int
	if o.users.set {
		users = &o.users.n
	}
	return p.Override(plan.Override{Users: users, SpawnRate: o.spawnRate, RunTime: o.runTime})
}
