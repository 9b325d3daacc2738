package plan

import "time"

// Step is one point of a compiled schedule: from At on, Users virtual users
// are planned. Steps are sorted by At; there is one per user started or
// retired, plus one at every stage's start.
type Step struct {
	At    time.Duration // offset from the run's start
	Users int           // planned concurrent users from At on
	Stage int           // index into Plan.Stages
}

// Schedule is the compiled form of the stages: plain data that can be
// printed (`voyplan plan`) and compared in tests without running anything.
type Schedule struct {
	Steps    []Step
	Duration time.Duration // when the last stage ends: no conversation starts after it
}

// Schedule compiles the plan's stages.
func (p *Plan) Schedule() Schedule { return CompileStages(p.Stages) }

// CompileStages turns stages into steps, Locust-style: each stage moves the
// user count towards its target at spawn_rate users per second, the first
// change at the stage's start, and holds until its duration has passed since
// it began. A ramp cut short by the stage's end leaves the count where it got
// to; the next stage goes on from there.
func CompileStages(stages []Stage) Schedule { return CompileFrom(stages, 0, 0, 0) }

// CompileFrom compiles stages[first:] the same way, the first of them
// beginning at offset start with users already planned: how a run steered
// by hand re-plans the rest of its schedule from the moment of the change
// (the caller shortens stages[first] to what is left of it). Steps keep
// their index into stages.
func CompileFrom(stages []Stage, first, users int, start time.Duration) Schedule {
	var s Schedule
	for i := first; i < len(stages); i++ {
		st := stages[i]
		end := start + st.Duration
		s.Steps = append(s.Steps, Step{At: start, Users: users, Stage: i})
		users = ramp(&s, i, users, st, start, end)
		start = end
	}
	s.Duration = start
	return s
}

// ramp appends the steps that move users towards st.Users within
// [start, end) and returns the count reached. The first change lands on the
// stage's opening step.
func ramp(s *Schedule, stage, users int, st Stage, start, end time.Duration) int {
	dir := 1
	if st.Users < users {
		dir = -1
	}
	interval := float64(time.Second) / st.SpawnRate
	for k := 0; users != st.Users; k++ {
		at := start + time.Duration(float64(k)*interval)
		if at >= end {
			break
		}
		users += dir
		if k == 0 {
			s.Steps[len(s.Steps)-1].Users = users
			continue
		}
		s.Steps = append(s.Steps, Step{At: at, Users: users, Stage: stage})
	}
	return users
}

// Peak is the largest number of users the schedule plans at once.
func (s Schedule) Peak() int {
	peak := 0
	for _, st := range s.Steps {
		peak = max(peak, st.Users)
	}
	return peak
}

// Started is the number of users the schedule starts in all: every increase
// of the count is a new user (a retired user is never brought back).
func (s Schedule) Started() int {
	n, prev := 0, 0
	for _, st := range s.Steps {
		if st.Users > prev {
			n += st.Users - prev
		}
		prev = st.Users
	}
	return n
}
