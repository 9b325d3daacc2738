package results

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/results/resultstest"
)

// BenchmarkJournalTurn is what the journal costs a run per turn: one turn
// (a customer message and a two-item reply) encoded and appended to
// journal.jsonl on a real file, from many goroutines at once as a run's
// users do, with the periodic fsync running.
//
//	go test -run '^$' -bench JournalTurn -benchmem ./engine/results
func BenchmarkJournalTurn(b *testing.B) {
	dir, err := Create(filepath.Join(b.TempDir(), "out"), "bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	sinks, err := dir.OpenSinks(JournalRun{Plan: PlanInfo{Name: "bench"}, Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer sinks.Close()
	c := resultstest.Conversation("3f1c2d9e-0000-4000-8000-000000000000")
	turn := c.Turns[0]
	turn.Messages = append(turn.Messages, turn.Messages[0])
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := sinks.Turn(c.ID, &turn); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
