package schedule

import (
	"math"
	"time"
)

// Stage is one `stage "name"` block. A closed stage reaches Users concurrent
// users, starting or retiring SpawnRate per second, and holds until Duration
// has passed since the stage began. An open stage (Open: arrival_rate)
// starts ArrivalRate conversations per second for Duration, each by a fresh
// virtual user, whatever became of the earlier ones; an arrival that finds
// MaxUsers conversations in flight (in this process) is not started but
// counted as dropped. A plan's stages are all closed or all open.
type Stage struct {
	Name      string
	Users     int
	SpawnRate float64
	Duration  time.Duration

	Open        bool
	ArrivalRate float64 // conversations started per second (open)
	MaxUsers    int     // conversations in flight at most, per process (open)
	// Ramp (open) is how long the rate takes to go, linearly, from the
	// previous stage's arrival_rate (0 for the first stage) to
	// ArrivalRate; it holds from then on. 0: a step.
	Ramp time.Duration
}

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
// Closed stages compile to Steps, open ones to Arrivals (a plan has one
// kind or the other).
type Schedule struct {
	Steps    []Step
	Arrivals []Arrivals    // one per open stage, in stage order
	Duration time.Duration // when the last stage ends: no conversation starts after it
}

// Arrivals is an open stage compiled: Count conversations arrive, the k-th
// (0-based) due at At(k) — from the schedule, never from when the previous
// one started — each by a fresh virtual user, numbered First+k across the
// whole run (the arrivals of the open stages before it come first). At
// most MaxUsers are in flight (per process); an arrival that finds them all
// busy is dropped.
//
// The rate goes linearly from From to Rate over the stage's first Ramp,
// then holds (k6's ramping-arrival-rate); without a ramp, arrival k is due
// k/Rate after the stage's start. Either way arrival k is due when the
// arrivals expected so far — the integral of the rate — reach k.
type Arrivals struct {
	Stage    int           // index into Plan.Stages
	Start    time.Duration // offset of the stage from the run's start
	Duration time.Duration
	Rate     float64       // conversations per second once ramped; 0: a quiet stage
	From     float64       // the rate at the stage's start, when it ramps: the previous stage's
	Ramp     time.Duration // how long the rate takes from From to Rate; 0: none
	MaxUsers int
	First    int // global user number of the arrival k = 0
	Count    int // arrivals due in [Start, Start+Duration)
}

// At is when arrival k (0-based) of the stage is due, from the run's start.
func (a Arrivals) At(k int) time.Duration { return a.Start + a.offset(k) }

// offset is when arrival k is due from the stage's start, to the nearest
// nanosecond; the longest Duration when it never is (a rate that falls to
// 0, or a vanishing one).
func (a Arrivals) offset(k int) time.Duration {
	if k == 0 {
		return 0 // the first arrival opens the stage, whatever its rate then
	}
	kf := float64(k)
	if a.Ramp > 0 && a.From != a.Rate {
		r := a.Ramp.Seconds()
		inRamp := (a.From + a.Rate) / 2 * r // arrivals expected during the ramp
		if kf < inRamp {
			// slope/2·t² + From·t = k, for the first t: the root
			// 2k / (From + √(From² + 2·slope·k)), stable for either sign
			// of the slope (the discriminant stays ≥ Rate² ≥ 0 within the
			// ramp).
			slope := (a.Rate - a.From) / r
			return seconds(2 * kf / (a.From + math.Sqrt(a.From*a.From+2*slope*kf)))
		}
		rest := seconds((kf - inRamp) / a.Rate) // never, at a rate of 0
		if rest > math.MaxInt64-a.Ramp {
			return math.MaxInt64
		}
		return a.Ramp + rest
	}
	return seconds(kf / a.Rate)
}

// seconds is s seconds as a Duration, to the nearest nanosecond; past
// what a Duration holds (or not a number), the longest one.
func seconds(s float64) time.Duration {
	ns := math.Round(s * float64(time.Second))
	if !(ns < math.MaxInt64) {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// expected is how many arrivals the stage expects in all: the integral of
// its rate over its duration.
func (a Arrivals) expected() float64 {
	d, r := a.Duration.Seconds(), min(a.Ramp, a.Duration).Seconds()
	if a.Ramp <= 0 || a.From == a.Rate {
		return a.Rate * d
	}
	return (a.From+a.Rate)/2*r + a.Rate*(d-r)
}

// count is how many arrivals fall before the stage's end: every k whose
// offset does, about expected().
func (a Arrivals) count() int {
	if a.Duration <= 0 || a.expected() <= 0 {
		return 0
	}
	n := int(math.Ceil(a.expected()))
	for n > 0 && a.offset(n-1) >= a.Duration { // float rounding, either way
		n--
	}
	for a.offset(n) < a.Duration {
		n++
	}
	return n
}

// Open reports whether the schedule is of open stages (arrivals).
func (s Schedule) Open() bool { return len(s.Arrivals) > 0 }

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
// their index into stages. Open stages compile to Arrivals, numbered after
// the arrivals of every open stage before them, stages[:first] included.
func CompileFrom(stages []Stage, first, users int, start time.Duration) Schedule {
	var s Schedule
	next := 1 // the global number of the next arrival
	rate := 0.0
	for _, st := range stages[:min(first, len(stages))] {
		if st.Open {
			next += arrivals(st, rate, 0, 0).Count
			rate = st.ArrivalRate
		}
	}
	for i := first; i < len(stages); i++ {
		st := stages[i]
		end := start + st.Duration
		if st.Open {
			a := arrivals(st, rate, i, start)
			a.First = next
			s.Arrivals = append(s.Arrivals, a)
			next += a.Count
			rate = st.ArrivalRate
			start = end
			continue
		}
		s.Steps = append(s.Steps, Step{At: start, Users: users, Stage: i})
		users = ramp(&s, i, users, st, start, end)
		start = end
	}
	s.Duration = start
	return s
}

// arrivals compiles open stage st, index i, starting at start, after a
// stage whose rate was from.
func arrivals(st Stage, from float64, i int, start time.Duration) Arrivals {
	a := Arrivals{Stage: i, Start: start, Duration: st.Duration, Rate: st.ArrivalRate, MaxUsers: st.MaxUsers}
	if st.Ramp > 0 {
		a.From, a.Ramp = from, st.Ramp
	}
	a.Count = a.count()
	return a
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

// Peak is the largest number of users the schedule plans at once. For
// open stages, whose conversations last as long as the assistant makes
// them, it is the most that can be in flight: in each stage that starts
// any, its max_users, or all the arrivals so far when there are fewer.
func (s Schedule) Peak() int {
	peak := 0
	arrived := 0
	for _, a := range s.Arrivals {
		arrived += a.Count
		if a.Count > 0 { // a quiet stage starts none: in flight only falls
			peak = max(peak, min(a.MaxUsers, arrived))
		}
	}
	for _, st := range s.Steps {
		peak = max(peak, st.Users)
	}
	return peak
}

// Started is the number of users the schedule starts in all: every increase
// of the count is a new user (a retired user is never brought back). For
// open stages it is the arrivals — Σ rate × duration, each a conversation
// with its own user — of which those that find max_users in flight are
// dropped instead.
func (s Schedule) Started() int {
	n, prev := 0, 0
	for _, a := range s.Arrivals {
		n += a.Count
	}
	for _, st := range s.Steps {
		if st.Users > prev {
			n += st.Users - prev
		}
		prev = st.Users
	}
	return n
}
