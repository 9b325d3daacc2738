package schedule

import (
	"math"
	"sort"
	"time"
)

// Capacity is a `capacity` block compiled: a search for the most load at
// which every threshold holds. Each step sets the load (Vary: "users",
// concurrent users, or "arrival_rate", conversations started per second),
// lets it settle for Ramp, then judges every threshold on the Hold that
// follows. It starts at From and doubles until a step fails or To is
// reached, then bisects between the last step that held and the first that
// failed; at most Steps steps. Require is the capacity, in completed
// conversations per minute, below which the run fails.
//
// A search over arrival_rate is an open model: each step is arrivals at
// its rate (StepArrivals), at most MaxUsers in flight per process, and
// each step after the first begins once the conversations of the one
// before have ended (the runner bounds that wait), so that a step's
// figures are not those of the overload before it.
type Capacity struct {
	Vary     string
	From, To float64
	Hold     time.Duration
	Ramp     time.Duration
	Steps    int
	Require  float64
	MaxUsers int // arrival_rate: conversations in flight at most, per process
}

// Vary values.
const (
	VaryUsers       = "users"
	VaryArrivalRate = "arrival_rate"
)

// Tried is one step of a search: the load it set and whether every
// threshold held.
type Tried struct {
	Load float64
	Held bool
}

// Next is the load of the search's next step after tried; false when the
// search is over (Steps taken, To held, From failed, or the bisection has
// nothing left between a held and a failed load). Users are whole: a
// bisection of users rounds down, and ends when the two are adjacent.
func (c Capacity) Next(tried []Tried) (float64, bool) {
	if len(tried) >= c.Steps {
		return 0, false
	}
	if len(tried) == 0 {
		return c.From, true
	}
	good, bad, anyBad := c.bounds(tried)
	switch {
	case good == 0: // From failed: nothing held
		return 0, false
	case !anyBad && good >= c.To:
		return 0, false
	case !anyBad:
		return c.round(min(good*2, c.To)), true
	}
	next := c.round((good + bad) / 2)
	if next <= good || next >= bad || c.Vary != VaryUsers && (bad-good)/bad < 0.02 {
		return 0, false // nothing (worth trying) in between
	}
	return next, true
}

// bounds are the most load that held (0: none) and the least that failed
// (anyBad false: none).
func (c Capacity) bounds(tried []Tried) (good, bad float64, anyBad bool) {
	for _, t := range tried {
		switch {
		case t.Held:
			good = max(good, t.Load)
		case !anyBad || t.Load < bad:
			bad, anyBad = t.Load, true
		}
	}
	return good, bad, anyBad
}

func (c Capacity) round(v float64) float64 {
	if c.Vary == VaryUsers {
		return math.Floor(v)
	}
	return math.Round(v*1000) / 1000
}

// Worst is the longest a search can take: Steps steps of Ramp and Hold.
func (c Capacity) Worst() time.Duration {
	return time.Duration(c.Steps) * (c.Ramp + c.Hold)
}

// PeakLoad is the most load a search can set: To, or the last doubling
// from From below it.
func (c Capacity) PeakLoad() float64 {
	v := c.From
	for i := 1; i < c.Steps && v < c.To; i++ {
		v = min(v*2, c.To)
	}
	return v
}

// WorstStages is the search's worst case as one stage — its peak load
// for its longest duration, closed (users) or open (arrival_rate) — for
// what estimates a plan's stages (voyplan plan's LLM calls and cost): an
// upper bound of the search's.
func (c Capacity) WorstStages() []Stage {
	const name = "capacity search (worst case)"
	if c.Vary == VaryArrivalRate {
		return []Stage{{Name: name, Open: true, ArrivalRate: c.PeakLoad(), MaxUsers: c.MaxUsers, Duration: c.Worst()}}
	}
	return []Stage{{Name: name, Users: int(c.PeakLoad()), SpawnRate: 1000, Duration: c.Worst()}}
}

// Pauses is how many times a search may wait between two steps, Steps-1
// at most: an arrival_rate search for the conversations in flight to end,
// a search over users, stepping down, for the users it retired to end
// theirs.
func (c Capacity) Pauses() int {
	return max(c.Steps-1, 0)
}

// StepArrivals is a step of an arrival_rate search compiled: arrivals at
// rate per second from start (elapsed into the run) for d — its ramp and
// hold — numbered from first, at most MaxUsers in flight: an open stage
// without a ramp.
func (c Capacity) StepArrivals(rate float64, start, d time.Duration, first int) Arrivals {
	a := Arrivals{Stage: -1, Start: start, Duration: d, Rate: rate, MaxUsers: c.MaxUsers, First: first}
	a.Count = a.count()
	return a
}

// Before is how many of the arrivals are due before t (elapsed into the
// run): the index of the first due at t or later.
func (a Arrivals) Before(t time.Duration) int {
	return sort.Search(a.Count, func(k int) bool { return a.At(k) >= t })
}
