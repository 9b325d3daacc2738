package verdict

import (
	"fmt"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// steeringLines is every change made by hand as the verdict line tells it.
func steeringLines(ss []transcript.Steer) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = steerText(s)
	}
	return out
}

// steerText is one change as the verdict line tells it: "users 6→10 at
// 0:12", "stop at 0:25". The time is read as summary.json keeps it, to the
// microsecond, so a run and its merge tell it alike.
func steerText(s transcript.Steer) string {
	at := clockOf(s.Elapsed.Round(time.Microsecond))
	if s.Action == transcript.SteerUsers {
		return fmt.Sprintf("%s %d→%d at %s", s.Action, s.From, s.To, at)
	}
	return fmt.Sprintf("%s at %s", s.Action, at)
}

// clockOf is d as m:ss (h:mm:ss past an hour).
func clockOf(d time.Duration) string {
	sec := int(d.Truncate(time.Second).Seconds())
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}
