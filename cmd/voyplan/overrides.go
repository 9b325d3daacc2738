package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/pflag"

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

func (u *userCount) Type() string { return "N" }

func (u *userCount) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want a number of users ≥ 0, got %q", s)
	}
	u.n, u.set = n, true
	return nil
}

func addOverrideFlags(fs *pflag.FlagSet) *overrides {
	o := &overrides{}
	fs.VarP(&o.users, "users", "u", "replace the stages with one of `N` users (Locust's -u)")
	fs.Float64VarP(&o.spawnRate, "spawn-rate", "r", 0, "users started per second, with -u (default: the first stage's)")
	secondsVar(fs, &o.runTime, "run-time", "t", 0, "how long the stage lasts, with -u: 15 (seconds), 90s, 1m30s (default: the plan's whole duration)")
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
