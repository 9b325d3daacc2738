package results

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

func TestSteeringInTheSummary(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 24, 12, 0, 12, 0, time.UTC)
	steering := []transcript.Steer{
		{At: at, Elapsed: 12500 * time.Millisecond, Action: "users", Stage: "hold", From: 6, To: 10, By: "dashboard"},
		{At: at.Add(13 * time.Second), Elapsed: 25200 * time.Millisecond, Action: "stop", Stage: "hold", By: "dashboard"},
	}
	run := Run{Plan: PlanInfo{Name: "p"}, Version: "test", StartedAt: at, EndedAt: at.Add(30 * time.Second), Interrupted: true, Steering: steering}
	b, err := encodeSummary(NewSummary(run, metrics.NewRecorder(nil).Snapshot(0), nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateSummary(b); err != nil {
		t.Fatalf("a steered summary does not validate: %v\n%s", err, b)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Steering, steering) {
		t.Errorf("steering read back %+v", back.Steering)
	}
	run.Steering = nil
	b, err = encodeSummary(NewSummary(run, metrics.Snapshot{}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"steering"`) {
		t.Error("a run nobody steered has a steering list")
	}
}
