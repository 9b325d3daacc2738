package results

import (
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/results/resultstest"
)

// countedFile counts the writes an appender makes to its file.
type countedFile struct {
	*os.File
	writes *atomic.Int64
}

func (c countedFile) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.File.Write(p)
}

// BenchmarkAppendParallel is what appending a line costs when many
// goroutines append to one file at once, as a run's users do to
// journal.jsonl: a turn (BenchmarkJournalTurn's) encoded and appended to a
// real file, without the Sinks around the journal. It
// reports the write(2) calls per line (1 when every line is a write of its
// own; less when lines share one) and the CPU time the process spent per
// line (user and system, from getrusage: less noisy than ns/op on a shared
// machine, and what a run at saturation pays).
//
//	go test -run '^$' -bench AppendParallel -benchmem ./engine/results
func BenchmarkAppendParallel(b *testing.B) {
	for _, par := range []int{1, 16} { // goroutines per GOMAXPROCS
		b.Run("par="+strconv.Itoa(par), func(b *testing.B) {
			var writes atomic.Int64
			j := &Journal{appender{path: filepath.Join(b.TempDir(), JournalFile),
				wrap: func(f *os.File) appendFile { return countedFile{f, &writes} }}}
			defer j.Close()
			c := resultstest.Conversation("3f1c2d9e-0000-4000-8000-000000000000")
			turn := c.Turns[0]
			turn.Messages = append(turn.Messages, turn.Messages[0])
			b.ReportAllocs()
			b.SetParallelism(par)
			b.ResetTimer()
			cpu0 := cpuTime(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := j.turn(c.ID, &turn); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(writes.Load())/float64(b.N), "writes/line")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
