package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
)

// The conversations line names late starts and dropped arrivals only when
// there were some.
func TestConversationsLineShowsShortfalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		word string
		set  func(*metrics.Conversations)
		want string
	}{
		{"late", func(c *metrics.Conversations) { c.LateStarts = 3 }, "3 started late"},
		{"dropped", func(c *metrics.Conversations) { c.Dropped = 7 }, "7 dropped (max_users in flight)"},
	}
	for _, tt := range tests {
		c := metrics.Conversations{Started: 10, Succeeded: 10, SuccessRate: 1, TurnsAvg: 12}
		if line := conversationsLine(metrics.Snapshot{Conversations: c}); strings.Contains(line, tt.word) {
			t.Errorf("nothing %s, yet the line mentions it: %q", tt.word, line)
		}
		tt.set(&c)
		if line := conversationsLine(metrics.Snapshot{Conversations: c}); !strings.Contains(line, tt.want) {
			t.Errorf("line %q does not say %q", line, tt.want)
		}
	}
}

// Goodput and the cost of a success stand beside the success rate.
func TestConversationsLineShowsGoodputAndCostPerSuccess(t *testing.T) {
	t.Parallel()
	s := metrics.Snapshot{Conversations: metrics.Conversations{Started: 10, Succeeded: 8, Failed: 2, SuccessRate: 0.8, WithinSLO: 6}}
	s.Cost.USD, s.Cost.PerSuccess = 0.4, 0.05
	s.SetElapsed(2 * time.Minute)
	line := conversationsLine(s)
	if !strings.Contains(line, "success rate 80.0% · goodput 3.0/min") || !strings.Contains(line, "cost per success 0.050000") {
		t.Errorf("line %q lacks goodput 3.0/min beside the success rate, or the cost per success", line)
	}
	s.Cost.Assistant = 0.24 // the assistant's own tokens count in a success's cost
	if line := conversationsLine(s); !strings.Contains(line, "cost per success 0.080000") {
		t.Errorf("line %q; want the assistant's cost in the cost per success", line)
	}
}

func TestAssistantLine(t *testing.T) {
	t.Parallel()
	if line := assistantLine(metrics.Assistant{}, 0); line != "" {
		t.Errorf("no usage reported, yet %q", line)
	}
	line := assistantLine(metrics.Assistant{Conversations: 4, InputTokens: 1200, OutputTokens: 340}, 0)
	if !strings.Contains(line, "4 conversations") || !strings.Contains(line, "1200 in · 340 out\n") {
		t.Errorf("line %q", line)
	}
	// priced by the plan's assistant block: what it cost, named as a check reads it
	line = assistantLine(metrics.Assistant{Conversations: 4, InputTokens: 1200, OutputTokens: 340}, 0.0064)
	if !strings.Contains(line, "340 out · 0.006400 at the plan's prices (cost.assistant)") {
		t.Errorf("priced line %q", line)
	}
}

// The channel line shows whenever any channel fault was made (a run with
// only a delay, or only reordered statuses, too), and the WhatsApp line
// names the statuses webhooks when some were sent.
func TestChannelAndWhatsAppLines(t *testing.T) {
	t.Parallel()
	if line := channelLine(metrics.Channel{}); line != "" {
		t.Errorf("no fault, yet %q", line)
	}
	line := channelLine(metrics.Channel{Delayed: 12, OutOfOrder: 3})
	if !strings.Contains(line, "0 messages re-delivered") || !strings.Contains(line, "12 deliveries delayed · 3 out of order") {
		t.Errorf("line %q", line)
	}
	w := metrics.WhatsApp{Deliveries: 5, Messages: 7}
	if line := whatsappLine(w); strings.Contains(line, "statuses") {
		t.Errorf("no status sent, yet %q", line)
	}
	w.Statuses, w.StatusFailed = 21, 2
	if line := whatsappLine(w); !strings.HasSuffix(line, " · 21 statuses webhooks (2 not taken)\n") {
		t.Errorf("line %q", line)
	}
}
