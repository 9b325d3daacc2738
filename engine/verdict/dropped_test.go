package verdict

import (
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/metrics"
)

func TestConversationsLineShowsDropped(t *testing.T) {
	t.Parallel()
	c := metrics.Conversations{Started: 10, Succeeded: 10, SuccessRate: 1, TurnsAvg: 12}
	if line := conversationsLine(c); strings.Contains(line, "dropped") {
		t.Errorf("nothing dropped, yet the line mentions it: %q", line)
	}
	c.Dropped = 7
	if line := conversationsLine(c); !strings.Contains(line, "7 dropped (max_users in flight)") {
		t.Errorf("line %q does not report the 7 dropped arrivals", line)
	}
}
