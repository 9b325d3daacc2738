package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Row is one stage of a schedule as it is shown: a row of `voyplan plan`'s
// stages table and a stage of the dashboard's plan view. Closed and open
// stages fill the same Row, so no caller asks which kind it has.
type Row struct {
	Stage    int // index into Plan.Stages
	Name     string
	From, To time.Duration // offsets from the run's start

	Users       int      // closed: the users the stage moves towards (0 in an open stage)
	SpawnRate   float64  // closed: users started or retired per second (0 in an open stage)
	ArrivalRate *float64 // open: conversations started per second; nil when closed
	MaxUsers    int      // open: conversations in flight at most; 0 when closed

	// Cells are what `voyplan plan` prints after the stage's name, from
	// and to, under Columns' headers of the same place.
	Cells []string
}

// Columns are the headers of Rows' cells, after "Stage", "From" and "To".
func (s Schedule) Columns() []string {
	if s.Open() {
		return []string{"Arrival rate", "Conversations", "Max in flight"}
	}
	return []string{"Users", "Spawn rate", "Target reached"}
}

// Rows are the schedule stage by stage, compiled from stages (the stages
// it was compiled from).
func (s Schedule) Rows(stages []Stage) []Row {
	if s.Open() {
		return s.arrivalRows(stages)
	}
	return s.stepRows(stages)
}

// stepRows are the rows of closed stages: the users each goes from and to,
// and when it reaches its target, if it does.
func (s Schedule) stepRows(stages []Stage) []Row {
	rows := make([]Row, 0, len(stages))
	start, users := time.Duration(0), 0
	for i, st := range stages {
		end := start + st.Duration
		reached, last := "-", users
		for _, step := range s.Steps {
			if step.Stage == i {
				last = step.Users
				if step.Users == st.Users {
					reached = ShortDuration(step.At)
					break
				}
			}
		}
		if reached == "-" && last != st.Users {
			reached = fmt.Sprintf("no: stops at %d", last)
		}
		rows = append(rows, Row{
			Stage: i, Name: st.Name, From: start, To: end, Users: st.Users, SpawnRate: st.SpawnRate,
			Cells: []string{fmt.Sprintf("%d → %d", users, st.Users), fmt.Sprintf("%g/s", st.SpawnRate), reached},
		})
		start, users = end, last
	}
	return rows
}

// arrivalRows are the rows of open stages: the rate, the conversations
// that arrive and the most in flight.
func (s Schedule) arrivalRows(stages []Stage) []Row {
	rows := make([]Row, 0, len(s.Arrivals))
	for _, a := range s.Arrivals {
		st := stages[a.Stage]
		rows = append(rows, Row{
			Stage: a.Stage, Name: st.Name, From: a.Start, To: a.Start + a.Duration,
			Users: st.Users, SpawnRate: st.SpawnRate, ArrivalRate: &st.ArrivalRate, MaxUsers: a.MaxUsers,
			Cells: []string{a.rate(), strconv.Itoa(a.Count), strconv.Itoa(a.MaxUsers)},
		})
	}
	return rows
}

// rate is the stage's arrival rate as a row shows it: "3/s", or
// "1→3/s over 30s" when it ramps.
func (a Arrivals) rate() string {
	if a.Ramp > 0 {
		return fmt.Sprintf("%g→%g/s over %s", a.From, a.Rate, ShortDuration(a.Ramp))
	}
	return fmt.Sprintf("%g/s", a.Rate)
}

// Conversations is how many conversations the schedule holds at most,
// when that is known: one per arrival of open stages (dropped ones
// included), perUser per user started for closed ones. It is not known
// (ok false) for closed stages whose users repeat conversations until the
// stages end (perUser 0): UserTime bounds those.
func (s Schedule) Conversations(perUser int) (n int, ok bool) {
	switch {
	case s.Open():
		return s.Started(), true
	case perUser > 0:
		return s.Started() * perUser, true
	}
	return 0, false
}

// UserTime is the schedule's user-seconds: planned users × time, summed
// over the steps of closed stages; 0 for open stages, whose conversations
// last as long as the assistant makes them.
func (s Schedule) UserTime() time.Duration {
	var sum time.Duration
	for i, st := range s.Steps {
		end := s.Duration
		if i+1 < len(s.Steps) {
			end = s.Steps[i+1].At
		}
		sum += time.Duration(st.Users) * (end - st.At)
	}
	return sum
}

// ShortDuration prints a duration without trailing zero units: 10m, 1h30m,
// 4.5s.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
