package report

import (
	"fmt"
	"time"
)

// Steer is one change made by hand while a run went on, as summary.json
// carries it: the current stage's target users changed ("users", From and
// To set) or the run stopped ("stop").
type Steer struct {
	At        time.Time `json:"at"`
	ElapsedMS float64   `json:"elapsed_ms"`
	Action    string    `json:"action"` // "users" or "stop"
	Stage     string    `json:"stage"`
	From      *int      `json:"from,omitempty"`
	To        *int      `json:"to,omitempty"`
	By        string    `json:"by"`
}

// String is the change as the verdict line tells it: "users 6→10 at 0:12",
// "stop at 0:25".
func (s Steer) String() string {
	at := clockOf(time.Duration(s.ElapsedMS * float64(time.Millisecond)))
	if s.From != nil && s.To != nil {
		return fmt.Sprintf("%s %d→%d at %s", s.Action, *s.From, *s.To, at)
	}
	return fmt.Sprintf("%s at %s", s.Action, at)
}

// SteeringLines is every change as String tells it, for
// verdict.RenderOptions.Steering.
func SteeringLines(ss []Steer) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.String()
	}
	return out
}

// clockOf is d as m:ss (h:mm:ss past an hour).
func clockOf(d time.Duration) string {
	sec := int(d.Truncate(time.Second).Seconds())
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}
