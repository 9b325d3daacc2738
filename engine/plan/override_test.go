package plan

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/plan/schedule"
)

func TestOverride(t *testing.T) {
	t.Parallel()
	five := 5
	closed := []schedule.Stage{{Name: "a", Users: 2, SpawnRate: 1, Duration: time.Minute}, {Name: "b", Users: 4, SpawnRate: 1, Duration: time.Minute}}
	open := []schedule.Stage{{Name: "o", Open: true, ArrivalRate: 2, MaxUsers: 10, Duration: time.Minute}}
	tests := []struct {
		name   string
		stages []schedule.Stage
		o      Override
		want   []schedule.Stage
		err    error
	}{
		{"nothing", closed, Override{}, closed, nil},
		{"users", closed, Override{Users: &five}, []schedule.Stage{{Name: "cli", Users: 5, SpawnRate: 1, Duration: 2 * time.Minute}}, nil},
		{"all", closed, Override{Users: &five, SpawnRate: 2, RunTime: time.Second}, []schedule.Stage{{Name: "cli", Users: 5, SpawnRate: 2, Duration: time.Second}}, nil},
		{"negative rate", closed, Override{SpawnRate: -1}, closed, errOverrideClosed},
		{"open run time", open, Override{RunTime: time.Second}, []schedule.Stage{{Name: "cli", Open: true, ArrivalRate: 2, MaxUsers: 10, Duration: time.Second}}, nil},
		{"open users", open, Override{Users: &five}, open, errOverrideOpen},
		{"open negative", open, Override{RunTime: -time.Second}, open, errOverrideRunTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &Plan{Stages: tt.stages}
			if err := p.Override(tt.o); !errors.Is(err, tt.err) {
				t.Fatalf("Override: %v, want %v", err, tt.err)
			}
			if !reflect.DeepEqual(p.Stages, tt.want) {
				t.Errorf("stages %+v, want %+v", p.Stages, tt.want)
			}
		})
	}
}
