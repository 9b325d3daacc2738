//go:build !race

package results

import (
	"path/filepath"
	"testing"

	"github.com/voyplan/voyplan/engine/results/resultstest"
)

// A turn costs the journal no allocation once its line buffer is pooled
// (the race detector drops pooled items at random: not under -race).
func TestJournalTurnAllocatesNothing(t *testing.T) {
	j, err := createJournal(filepath.Join(t.TempDir(), JournalFile), JournalRun{Plan: PlanInfo{Name: "t"}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	c := resultstest.Conversation("3f1c2d9e-0000-4000-8000-000000000000")
	allocs := testing.AllocsPerRun(1000, func() {
		if err := j.turn(c.ID, &c.Turns[0]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs >= 0.1 { // a GC emptying the pool costs one buffer, now and then
		t.Errorf("%.2f allocations per turn, want none", allocs)
	}
}
