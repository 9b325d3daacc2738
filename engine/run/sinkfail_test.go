package run

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// fullSink takes ok conversations, then fails every write, as a full disk
// does.
type fullSink struct {
	ok     int
	mu     sync.Mutex
	writes int
}

var errDiskFull = errors.New("no space left on device")

func (s *fullSink) Write(*transcript.Conversation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if s.writes > s.ok {
		return errDiskFull
	}
	return nil
}

// A run whose results cannot be recorded stops starting conversations at
// the first failed write, drains as on Stop, says so once, and ends with
// the failure as its error — instead of spending load to the end of its
// stages.
func TestSinkFailureStopsTheRun(t *testing.T) {
	t.Parallel()
	p := testPlan(t, 4, attrs{"latency": `"2ms"`}, attrs{"conversations_per_user": "0"}) // 20 s of repeating users
	sink := &fullSink{ok: 3}
	var told atomic.Int32
	r := New(p, Options{Sink: sink, GracefulStop: 10 * time.Second, SinkFailed: func(err error) {
		if !errors.Is(err, errDiskFull) {
			t.Errorf("SinkFailed(%v)", err)
		}
		told.Add(1)
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	res, err := r.Run(ctx)
	if res == nil {
		t.Fatal(err)
	}
	if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), "cannot record conversations") {
		t.Errorf("Run: %v, want the failed write", err)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the run went on for %v after its results could not be recorded", took)
	}
	if told.Load() != 1 {
		t.Errorf("SinkFailed called %d times, want once", told.Load())
	}
	if !res.Interrupted {
		t.Error("the run is not marked interrupted")
	}
	// At most the conversations in flight at the failure (one per user)
	// end after it: nothing new starts.
	c := res.Snapshot.Conversations
	sink.mu.Lock()
	writes := sink.writes
	sink.mu.Unlock()
	if int64(writes) != c.Started || writes > sink.ok+1+4 {
		t.Errorf("%d conversations handed to the sink, %d started; want at most %d", writes, c.Started, sink.ok+1+4)
	}
}
