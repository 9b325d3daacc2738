package results

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Sinks are what a run writes to in its directory while it goes on:
// journal.jsonl (each conversation's start, turns and end as they happen),
// conversations.jsonl (each conversation as it ends), late.jsonl (replies
// after their conversation's line) and history.json (each sample appended
// in place, the file whole after every one). Close finishes them all. They
// are the run's Sink and Journal (engine/run).
//
// A run's results are whole or the run is invalid: the first write to
// conversations.jsonl or the journal that fails (a full disk) makes the
// Sinks stop writing both — each conversation after it is counted lost —
// and frees the space reserved when they were opened, so that
// summary.json and the reports can still say so (Invalid).
type Sinks struct {
	Conversations *JSONL
	Late          *LateJSONL
	journal       *Journal
	reserve       string                                        // the reserve file, removed at the first failure or at Close
	stopHistory   func(elapsed time.Duration, write bool) error // nil until RecordHistory
	histErr       error                                         // the last write of history.json
	stopSync      func()                                        // stops the periodic fsync
	hist          struct {                                      // history.json while RecordHistory goes on
		mu sync.Mutex
		f  *historyFile // nil before the first sample and after StopHistory
	}

	lost   atomic.Int64          // conversations not in conversations.jsonl
	failed atomic.Pointer[error] // the first failed write; nil: none
	freed  sync.Once             // the reserve given back, before any fail returns
}

// SyncInterval is how often the Sinks make what was appended durable
// (fsync): a crash of the machine loses at most that much; a crash of
// the process alone loses nothing that was appended.
const SyncInterval = time.Second

// ReserveSize is the space the Sinks hold in the directory while the run
// goes on, given back at the first failed write so that summary.json (tens
// of KiB) and the reports fit on a disk the run filled.
const ReserveSize = 1 << 20

// ReserveFile is the file that holds the reserve while a run goes on.
const ReserveFile = ".voyplan-reserve"

// OpenSinks creates the reserve, conversations.jsonl, and journal.jsonl
// with run as its first line; late.jsonl is created on its first line,
// history.json on RecordHistory's first sample. A directory without room
// for the reserve is refused: the run would fill it at once.
func (d *Dir) OpenSinks(run JournalRun) (*Sinks, error) {
	if err := makeReserve(d.File(ReserveFile)); err != nil {
		return nil, fmt.Errorf("not enough room for the results in %s: %w", d, err)
	}
	s := &Sinks{Late: d.LateSink(), reserve: d.File(ReserveFile)}
	var err error
	if s.Conversations, err = d.CreateConversations(); err != nil {
		os.Remove(s.reserve)
		return nil, fmt.Errorf("cannot create conversations.jsonl: %w", err)
	}
	if s.journal, err = createJournal(d.File(JournalFile), run); err != nil {
		s.Conversations.Close()
		os.Remove(s.reserve)
		return nil, fmt.Errorf("cannot create journal.jsonl: %w", err)
	}
	s.startSync()
	return s, nil
}

// makeReserve writes size bytes of zeros (really allocated, unlike a
// sparse file) to path.
func makeReserve(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(make([]byte, ReserveSize))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// startSync makes conversations.jsonl and the journal durable every
// SyncInterval, in a goroutine of its own: no writer waits for an fsync.
func (s *Sinks) startSync() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(SyncInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := s.Conversations.sync(); err != nil {
					s.fail(err)
				}
				if err := s.journal.sync(); err != nil {
					s.fail(err)
				}
				s.syncHistory()
			}
		}
	})
	s.stopSync = func() { cancel(); wg.Wait() }
}

// syncHistory makes history.json durable; a failure is left to the next
// sample's write and to StopHistory's, which report it.
func (s *Sinks) syncHistory() {
	s.hist.mu.Lock()
	defer s.hist.mu.Unlock()
	if s.hist.f != nil {
		_ = s.hist.f.sync()
	}
}

// Write appends c to conversations.jsonl, then its end to the journal,
// unless an earlier write failed: then, as when this one fails, c is
// counted lost. It is the run's Sink.
func (s *Sinks) Write(c *transcript.Conversation) error {
	if err := s.stopped(); err != nil {
		s.lost.Add(1)
		return fmt.Errorf("conversation %s not recorded: %w", c.ID, err)
	}
	if err := s.Conversations.Write(c); err != nil {
		s.lost.Add(1)
		s.fail(err)
		return err
	}
	return s.journaled(s.journal.end(c))
}

// Begin appends the start of conversation c to the journal. It is the
// run's Journal, with Turn.
func (s *Sinks) Begin(c *transcript.Conversation) error {
	if err := s.stopped(); err != nil {
		return err
	}
	return s.journaled(s.journal.begin(c))
}

// Turn appends turn t of conversation id to the journal.
func (s *Sinks) Turn(id string, t *transcript.Turn) error {
	if err := s.stopped(); err != nil {
		return err
	}
	return s.journaled(s.journal.turn(id, t))
}

// stopped is the error of a write after the first failure.
func (s *Sinks) stopped() error {
	if e := s.failed.Load(); e != nil {
		return fmt.Errorf("results stopped being recorded at the first failure: %w", *e)
	}
	return nil
}

// journaled records a failed write to the journal.
func (s *Sinks) journaled(err error) error {
	if err != nil {
		s.fail(err)
	}
	return err
}

// fail records the first failed write and gives back the reserve. No
// call returns before the reserve is gone — not even one that lost the
// race to be first — so whatever its caller writes next (run.log says
// the results are lost) has the room.
func (s *Sinks) fail(err error) {
	s.failed.CompareAndSwap(nil, &err)
	s.freed.Do(func() { os.Remove(s.reserve) })
}

// Invalid says why the run's results are incomplete, "" when they are
// whole: how many conversations could not be recorded, and the first
// failure.
func (s *Sinks) Invalid() string {
	if s == nil {
		return ""
	}
	e := s.failed.Load()
	if e == nil {
		return ""
	}
	if n := s.lost.Load(); n > 0 {
		return fmt.Sprintf("%d conversation%s could not be recorded: %v", n, plural(int(n)), *e)
	}
	return fmt.Sprintf("the results could not be recorded: %v", *e)
}

// Lost is how many conversations could not be recorded.
func (s *Sinks) Lost() int64 { return s.lost.Load() }

// RecordHistory samples rec every metrics.HistoryInterval (elapsed is the
// run's clock) and appends each sample to history.json as it is taken
// (historyFile: the file is whole after every sample), so a run cut short
// still leaves its history; StopHistory ends it. The file is made durable
// with the others, every SyncInterval.
func (s *Sinks) RecordHistory(d *Dir, rec *metrics.Recorder, elapsed func() time.Duration, log *slog.Logger) {
	h := metrics.NewHistoryStream(rec)
	write := func(smp metrics.Sample) error {
		s.hist.mu.Lock()
		defer s.hist.mu.Unlock()
		if s.hist.f == nil {
			f, err := createHistoryFile(d.path, metrics.HistoryInterval)
			if err != nil {
				return err
			}
			s.hist.f = f
		}
		return s.hist.f.append(smp)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		h.Run(ctx, metrics.HistoryInterval, elapsed, func(smp metrics.Sample) {
			if err := write(smp); err != nil {
				log.Warn("cannot write the history", "err", err)
			}
		})
	})
	s.stopHistory = func(end time.Duration, keep bool) error {
		cancel()
		wg.Wait()
		var err error
		if keep {
			s.hist.mu.Lock()
			last, none := time.Duration(0), s.hist.f == nil || s.hist.f.n == 0
			if !none {
				last = s.hist.f.last
			}
			s.hist.mu.Unlock()
			if none || end-last >= minLastInterval {
				err = write(h.Sample(end))
			}
		}
		s.hist.mu.Lock()
		defer s.hist.mu.Unlock()
		if s.hist.f != nil {
			if cerr := s.hist.f.close(); err == nil && keep {
				err = cerr
			}
			s.hist.f = nil
		}
		return err
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

// Close makes conversations.jsonl and the journal durable and closes
// them, gives back the reserve, closes late.jsonl and reports the last write of history.json,
// in that order, stopping at the first failure. A failure to finish
// conversations.jsonl or the journal makes the results Invalid, as a failed write does.
// It may be called again (a deferred Close after Finish): files already
// closed are not an error then.
func (s *Sinks) Close() error {
	if s == nil {
		return nil
	}
	if s.stopSync != nil {
		s.stopSync()
		s.stopSync = nil
	}
	os.Remove(s.reserve)
	if err := s.Conversations.Close(); err != nil {
		s.fail(err)
		return fmt.Errorf("cannot finish conversations.jsonl: %w", err)
	}
	if err := s.journal.Close(); err != nil {
		s.fail(err)
		return fmt.Errorf("cannot finish journal.jsonl: %w", err)
	}
	if err := s.Late.Close(); err != nil {
		return err
	}
	if err := s.histErr; err != nil {
		return fmt.Errorf("cannot write history.json: %w", err)
	}
	return nil
}

// dropJournal removes journal.jsonl once summary.json holds the run: its
// lines are all in conversations.jsonl then. It is kept when results
// were lost: it may hold turns conversations.jsonl does not.
func (s *Sinks) dropJournal() {
	if s == nil || s.failed.Load() != nil {
		return
	}
	os.Remove(s.journal.path)
}
