package schedule

import (
	"reflect"
	"testing"
	"time"
)

func TestScheduleRowsBothModes(t *testing.T) {
	t.Parallel()
	closed := []Stage{
		{Name: "ramp", Users: 4, SpawnRate: 2, Duration: 10 * time.Second},
		{Name: "short", Users: 10, SpawnRate: 1, Duration: 3 * time.Second},
	}
	open := []Stage{
		{Name: "warm", Open: true, ArrivalRate: 1, MaxUsers: 5, Duration: 10 * time.Second},
		{Name: "peak", Open: true, ArrivalRate: 3, MaxUsers: 20, Ramp: 5 * time.Second, Duration: 20 * time.Second},
	}
	tests := []struct {
		name    string
		stages  []Stage
		columns []string
		cells   [][]string
		peak    int
	}{
		{"closed", closed, []string{"Users", "Spawn rate", "Target reached"},
			[][]string{{"0 → 4", "2/s", "1.5s"}, {"4 → 10", "1/s", "no: stops at 7"}}, 7},
		{"open", open, []string{"Arrival rate", "Conversations", "Max in flight"},
			[][]string{{"1/s", "10", "5"}, {"1→3/s over 5s", "55", "20"}}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := CompileStages(tt.stages)
			if got := s.Columns(); !reflect.DeepEqual(got, tt.columns) {
				t.Errorf("Columns() = %q, want %q", got, tt.columns)
			}
			rows := s.Rows(tt.stages)
			var cells [][]string
			for i, r := range rows {
				cells = append(cells, r.Cells)
				if r.Name != tt.stages[i].Name || r.To-r.From != tt.stages[i].Duration {
					t.Errorf("row %d: %+v", i, r)
				}
			}
			if !reflect.DeepEqual(cells, tt.cells) {
				t.Errorf("cells = %q, want %q", cells, tt.cells)
			}
			if got := s.Peak(); got != tt.peak {
				t.Errorf("Peak() = %d, want %d", got, tt.peak)
			}
		})
	}
}

func TestScheduleConversations(t *testing.T) {
	t.Parallel()
	closed := CompileStages([]Stage{{Name: "s", Users: 2, SpawnRate: 1, Duration: 10 * time.Second}})
	if n, ok := closed.Conversations(3); !ok || n != 6 {
		t.Errorf("closed, 3 per user: %d, %v; want 6, true", n, ok)
	}
	if _, ok := closed.Conversations(0); ok {
		t.Error("closed, repeating: the count is known")
	}
	if got, want := closed.UserTime(), 19*time.Second; got != want { // 1 user for 1s, 2 for 9s
		t.Errorf("UserTime() = %s, want %s", got, want)
	}
	open := CompileStages([]Stage{{Name: "o", Open: true, ArrivalRate: 2, MaxUsers: 10, Duration: 5 * time.Second}})
	if n, ok := open.Conversations(0); !ok || n != 10 {
		t.Errorf("open: %d, %v; want 10, true", n, ok)
	}
}
