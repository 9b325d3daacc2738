package verdict

import (
	"strings"
	"testing"
)

// Only a voyager run's rows carry the old tool's names; every other
// protocol's send and reply rows name what was really sent and received.
func TestTimersNameTheProtocolsRequests(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "voyager"} {
		ts := Timers(p, "")
		if ts[0].Name != "Voyager Message" || ts[1].Name != "Voyager Webhook" || ts[2].Name != "Gemini Response" {
			t.Errorf("protocol %q: %+v", p, ts)
		}
	}
	want := map[string][2]string{
		"http": {"Message", "Reply"}, "openai": {"Message", "Reply"}, "webhook": {"Message", "Reply Callback"},
		"sse": {"Message", "Streamed Reply"}, "websocket": {"Message Frame", "Reply Frames"},
		"whatsapp": {"WhatsApp Delivery", "Graph API Reply"},
	}
	for p, w := range want {
		ts := Timers(p, "")
		if ts[0].Name != w[0] || ts[1].Name != w[1] {
			t.Errorf("protocol %s: send %q reply %q, want %q %q", p, ts[0].Name, ts[1].Name, w[0], w[1])
		}
		for _, tm := range ts {
			if strings.Contains(tm.Name, "Voyager") {
				t.Errorf("protocol %s names a row %q", p, tm.Name)
			}
		}
		if ts[0].Metric != "send" || ts[1].Metric != "reply" || ts[3].Metric != "conversation" {
			t.Errorf("protocol %s: metrics %+v", p, ts)
		}
	}
}
