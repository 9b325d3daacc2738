package verdict

import (
	"strings"
	"testing"

	"github.com/voyplan/voyplan/engine/metrics"
)

func TestConversationsLineShowsLateStarts(t *testing.T) {
	t.Parallel()
	c := metrics.Conversations{Started: 10, Succeeded: 10, SuccessRate: 1, TurnsAvg: 12}
	if line := conversationsLine(c); strings.Contains(line, "late") {
		t.Errorf("no late starts, yet the line mentions them: %q", line)
	}
	c.LateStarts = 3
	if line := conversationsLine(c); !strings.Contains(line, "3 started late") {
		t.Errorf("line %q does not report the 3 late starts", line)
	}
}
