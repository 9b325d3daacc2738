package results

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
)

// Sinks are what a run writes to in its directory while it goes on:
// conversations.jsonl (each conversation as it ends), late.jsonl (replies
// after their conversation's line) and history.json (rewritten after
// every sample). Close finishes them all.
type Sinks struct {
	Conversations *JSONL
	Late          *LateJSONL
	stopHistory   func(elapsed time.Duration, write bool) error // nil until RecordHistory
	histErr       error                                         // the last write of history.json
}

// OpenSinks creates conversations.jsonl; late.jsonl is created on its
// first line, history.json on RecordHistory's first sample.
func (d *Dir) OpenSinks() (*Sinks, error) {
	jsonl, err := d.CreateConversations()
	if err != nil {
		return nil, fmt.Errorf("cannot create conversations.jsonl: %w", err)
	}
	return &Sinks{Conversations: jsonl, Late: d.LateSink()}, nil
}

// RecordHistory samples rec every metrics.HistoryInterval (elapsed is the
// run's clock) and rewrites history.json after each sample, so a run cut
// short still leaves its history; StopHistory ends it.
func (s *Sinks) RecordHistory(d *Dir, rec *metrics.Recorder, elapsed func() time.Duration, log *slog.Logger) {
	h := metrics.NewHistory(rec)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		h.Run(ctx, metrics.HistoryInterval, elapsed, func(metrics.Sample) {
			if err := d.WriteHistory(NewHistory(metrics.HistoryInterval, h.Samples())); err != nil {
				log.Warn("cannot write the history", "err", err)
			}
		})
	})
	s.stopHistory = func(end time.Duration, write bool) error {
		cancel()
		wg.Wait()
		if !write {
			return nil
		}
		ss := h.Samples()
		if len(ss) == 0 || end-time.Duration(ss[len(ss)-1].ElapsedMS*float64(time.Millisecond)) >= minLastInterval {
			h.Sample(end)
		}
		return d.WriteHistory(NewHistory(metrics.HistoryInterval, h.Samples()))
	}
}

// StopHistory stops the sampling, takes the last sample at the run's end
// (elapsed) unless one was taken less than a second before, and writes
// history.json a last time; Close reports a failure of that write.
func (s *Sinks) StopHistory(elapsed time.Duration) {
	if s.stopHistory != nil {
		s.histErr = s.stopHistory(elapsed, true)
		s.stopHistory = nil
	}
}

// CancelHistory stops the sampling without writing history.json again,
// for a run that never started.
func (s *Sinks) CancelHistory() {
	if s.stopHistory != nil {
		_ = s.stopHistory(0, false)
		s.stopHistory = nil
	}
}

// Close closes conversations.jsonl and late.jsonl and reports the last
// write of history.json, in that order, stopping at the first failure. It
// may be called again (a deferred Close after Finish): files already
// closed are not an error then.
func (s *Sinks) Close() error {
	if s == nil {
		return nil
	}
	if err := s.Conversations.Close(); err != nil {
		return fmt.Errorf("cannot finish conversations.jsonl: %w", err)
	}
	if err := s.Late.Close(); err != nil {
		return err
	}
	if err := s.histErr; err != nil {
		return fmt.Errorf("cannot write history.json: %w", err)
	}
	return nil
}
