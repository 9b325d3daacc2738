package metrics

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestLateStarts(t *testing.T) {
	t.Parallel()
	r := NewRecorder([]string{"edman", "talliz"})
	for _, c := range []struct {
		persona  string
		lateness time.Duration
	}{
		{"edman", 0},
		{"edman", -time.Second}, // early: a pause that ended before it was due
		{"edman", LateStartSlack},
		{"edman", LateStartSlack + time.Microsecond},
		{"talliz", 3 * time.Second},
		{"talliz", time.Millisecond},
	} {
		r.ConversationDue(c.persona, c.lateness)
	}
	s := r.Snapshot(time.Second)
	if got := s.Conversations.LateStarts; got != 2 {
		t.Errorf("conversations.late_starts = %d; want 2 (only lateness above %s counts)", got, LateStartSlack)
	}
	for name, want := range map[string]int64{"edman": 1, "talliz": 1} {
		if got := s.Personas[name].LateStarts; got != want {
			t.Errorf("personas[%q].late_starts = %d; want %d", name, got, want)
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"late_starts":2`) {
		t.Errorf("summary JSON lacks \"late_starts\":2: %s", b)
	}
}
