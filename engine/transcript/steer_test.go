package transcript

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestSteerJSON: a Steer is written as summary.json has always carried it
// (UTC time, elapsed_ms, from and to only for users) and reads back equal.
func TestSteerJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 24, 12, 0, 12, 0, time.UTC)
	tests := []struct {
		name string
		s    Steer
		want string
	}{
		{"users", Steer{At: at, Elapsed: 12500 * time.Millisecond, Action: SteerUsers, Stage: "hold", From: 6, To: 10, By: "dashboard"},
			`{"at":"2026-11-24T12:00:12Z","elapsed_ms":12500,"action":"users","stage":"hold","from":6,"to":10,"by":"dashboard"}`},
		{"stop", Steer{At: at, Elapsed: 1234567891 * time.Nanosecond, Action: SteerStop, Stage: "a<b", By: "dashboard"},
			`{"at":"2026-11-24T12:00:12Z","elapsed_ms":1234.568,"action":"stop","stage":"a\u003cb","by":"dashboard"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.s)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
			var back Steer
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			tt.s.Elapsed = tt.s.Elapsed.Round(time.Microsecond)
			if !reflect.DeepEqual(back, tt.s) {
				t.Errorf("read back %+v, want %+v", back, tt.s)
			}
		})
	}
}
