package verdict

import (
	"reflect"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

func TestSteeringLines(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 24, 12, 0, 12, 0, time.UTC)
	steering := []transcript.Steer{
		{At: at, Elapsed: 12500 * time.Millisecond, Action: "users", Stage: "hold", From: 6, To: 10, By: "dashboard"},
		{At: at.Add(13 * time.Second), Elapsed: 25200 * time.Millisecond, Action: "stop", Stage: "hold", By: "dashboard"},
	}
	if got, want := steeringLines(steering), []string{"users 6→10 at 0:12", "stop at 0:25"}; !reflect.DeepEqual(got, want) {
		t.Errorf("SteeringLines = %q; want %q", got, want)
	}
}
