package schedule

import (
	"reflect"
	"testing"
	"time"
)

// TestCompileFrom: a run steered by hand re-plans what is left of its
// stages from the moment of the change and the users planned then.
func TestCompileFrom(t *testing.T) {
	t.Parallel()
	s := time.Second
	ms := time.Millisecond
	tests := []struct {
		name   string
		stages []Stage
		first  int
		users  int
		start  time.Duration
		want   Schedule
	}{
		{
			name:   "from the start it is CompileStages",
			stages: []Stage{{Users: 2, SpawnRate: 1, Duration: 5 * s}},
			want:   Schedule{Steps: []Step{{At: 0, Users: 1}, {At: s, Users: 2}}, Duration: 5 * s},
		},
		{
			name: "raised in the middle of a hold: spawned at its rate from now, the next stage from there",
			stages: []Stage{
				{Name: "ramp", Users: 2, SpawnRate: 1, Duration: 10 * s},
				{Name: "hold", Users: 5, SpawnRate: 2, Duration: 3 * s}, // what is left of it: 3 s
				{Name: "down", Users: 0, SpawnRate: 4, Duration: 5 * s},
			},
			first: 1, users: 2, start: 12 * s,
			want: Schedule{Steps: []Step{
				{At: 12 * s, Users: 3, Stage: 1}, {At: 12*s + 500*ms, Users: 4, Stage: 1}, {At: 13 * s, Users: 5, Stage: 1},
				{At: 15 * s, Users: 4, Stage: 2}, {At: 15*s + 250*ms, Users: 3, Stage: 2}, {At: 15*s + 500*ms, Users: 2, Stage: 2},
				{At: 15*s + 750*ms, Users: 1, Stage: 2}, {At: 16 * s, Users: 0, Stage: 2},
			}, Duration: 20 * s},
		},
		{
			name:   "lowered: retired at the stage's rate",
			stages: []Stage{{Name: "cli", Users: 1, SpawnRate: 2, Duration: 10 * s}},
			first:  0, users: 4, start: 4 * s,
			want: Schedule{Steps: []Step{
				{At: 4 * s, Users: 3}, {At: 4*s + 500*ms, Users: 2}, {At: 5 * s, Users: 1},
			}, Duration: 14 * s},
		},
		{
			name:   "the stage ends before the target is reached",
			stages: []Stage{{Name: "cli", Users: 10, SpawnRate: 1, Duration: 1500 * ms}},
			first:  0, users: 6, start: 30 * s,
			want: Schedule{Steps: []Step{{At: 30 * s, Users: 7}, {At: 31 * s, Users: 8}}, Duration: 31500 * ms},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := CompileFrom(tt.stages, tt.first, tt.users, tt.start)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CompileFrom =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}
