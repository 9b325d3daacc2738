package schedule

import (
	"reflect"
	"testing"
	"time"
)

func TestCompileStages(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tests := []struct {
		name   string
		stages []Stage
		want   Schedule
	}{
		{
			name:   "ramp to 4 at 2/s then hold",
			stages: []Stage{{Name: "ramp", Users: 4, SpawnRate: 2, Duration: 10 * time.Second}},
			want: Schedule{Steps: []Step{
				{At: 0, Users: 1}, {At: 500 * ms, Users: 2}, {At: 1000 * ms, Users: 3}, {At: 1500 * ms, Users: 4},
			}, Duration: 10 * time.Second},
		},
		{
			name: "up, hold, down",
			stages: []Stage{
				{Name: "up", Users: 3, SpawnRate: 1, Duration: 5 * time.Second},
				{Name: "hold", Users: 3, SpawnRate: 1, Duration: 5 * time.Second},
				{Name: "down", Users: 1, SpawnRate: 4, Duration: 5 * time.Second},
			},
			want: Schedule{Steps: []Step{
				{At: 0, Users: 1}, {At: time.Second, Users: 2}, {At: 2 * time.Second, Users: 3},
				{At: 5 * time.Second, Users: 3, Stage: 1},
				{At: 10 * time.Second, Users: 2, Stage: 2}, {At: 10*time.Second + 250*ms, Users: 1, Stage: 2},
			}, Duration: 15 * time.Second},
		},
		{
			name: "ramp cut short by the stage end carries on in the next stage",
			stages: []Stage{
				{Name: "short", Users: 10, SpawnRate: 1, Duration: 2500 * ms},
				{Name: "rest", Users: 4, SpawnRate: 2, Duration: 2 * time.Second},
			},
			want: Schedule{Steps: []Step{
				{At: 0, Users: 1}, {At: time.Second, Users: 2}, {At: 2 * time.Second, Users: 3},
				{At: 2500 * ms, Users: 4, Stage: 1},
			}, Duration: 4500 * ms},
		},
		{
			name:   "zero users is a pause",
			stages: []Stage{{Name: "idle", Users: 0, SpawnRate: 1, Duration: time.Second}},
			want:   Schedule{Steps: []Step{{At: 0, Users: 0}}, Duration: time.Second},
		},
		{
			name:   "fractional rate",
			stages: []Stage{{Name: "slow", Users: 3, SpawnRate: 0.5, Duration: time.Minute}},
			want: Schedule{Steps: []Step{
				{At: 0, Users: 1}, {At: 2 * time.Second, Users: 2}, {At: 4 * time.Second, Users: 3},
			}, Duration: time.Minute},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := CompileStages(tt.stages)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CompileStages()\n got  %+v\n want %+v", got, tt.want)
			}
		})
	}
}

func TestSchedulePeakAndStarted(t *testing.T) {
	t.Parallel()
	s := CompileStages([]Stage{
		{Users: 5, SpawnRate: 10, Duration: time.Second},
		{Users: 2, SpawnRate: 10, Duration: time.Second},
		{Users: 6, SpawnRate: 10, Duration: time.Second},
	})
	if got := s.Peak(); got != 6 {
		t.Errorf("Peak() = %d, want 6", got)
	}
	if got := s.Started(); got != 9 { // 5, then 3 retired, then 4 new
		t.Errorf("Started() = %d, want 9", got)
	}
}
