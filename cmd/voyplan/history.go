package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/report"
	"github.com/voyplan/voyplan/engine/run"
)

// minLastInterval is the shortest last, partial interval kept in the
// history: a shorter one would show its few events as a spike of rates.
const minLastInterval = time.Second

// recordHistory samples the run every metrics.HistoryInterval and rewrites
// dir/history.json after each sample, so a run cut short still leaves its
// history. The returned func stops the sampling, takes the last sample at
// the run's end (elapsed), and writes the file a last time.
func recordHistory(r *run.Runner, dir string, log *slog.Logger) func(elapsed time.Duration) error {
	h := metrics.NewHistory(r.Recorder())
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		h.Run(ctx, metrics.HistoryInterval, r.Elapsed, func(metrics.Sample) {
			if err := report.WriteHistory(dir, report.NewHistory(metrics.HistoryInterval, h.Samples())); err != nil {
				log.Warn("cannot write the history", "err", err)
			}
		})
	})
	return func(elapsed time.Duration) error {
		cancel()
		wg.Wait()
		ss := h.Samples()
		if len(ss) == 0 || elapsed-time.Duration(ss[len(ss)-1].ElapsedMS*float64(time.Millisecond)) >= minLastInterval {
			h.Sample(elapsed)
		}
		return report.WriteHistory(dir, report.NewHistory(metrics.HistoryInterval, h.Samples()))
	}
}
