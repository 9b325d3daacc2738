package metrics

import (
	"slices"
	"testing"
	"time"
)

func TestBucketsCountTimedSamplesUnderEachBound(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	for i := 1; i <= 1000; i++ { // 1ms … 1s
		r.Reply(time.Duration(i)*time.Millisecond, true)
	}
	r.Reply(0, false)                 // failed, not timed: in no bucket
	r.ReplyTimedOut(90 * time.Second) // censored: timed at 90s
	bounds := []time.Duration{time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond, time.Second, time.Minute}
	b, ok := r.Buckets("reply", bounds)
	if !ok {
		t.Fatal("reply has no buckets")
	}
	if want := []uint64{1, 10, 100, 1000, 1000}; !slices.Equal(b.Cumulative, want) {
		t.Errorf("cumulative = %v; want %v", b.Cumulative, want)
	}
	if b.Count != 1001 {
		t.Errorf("count = %d; want 1001 (1000 replies and the censored wait)", b.Count)
	}
	if want := 500500*time.Millisecond + 90*time.Second; b.Sum != want {
		t.Errorf("sum = %s; want %s", b.Sum, want)
	}
	if l := r.Snapshot(0).Reply; int64(b.Count) != l.Count-l.Failed+l.Censored {
		t.Errorf("count %d; the snapshot times %d", b.Count, l.Count-l.Failed+l.Censored)
	}
}

func TestBucketsOfEveryNameAndNoOther(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	for _, name := range BucketNames {
		if b, ok := r.Buckets(name, []time.Duration{time.Second}); !ok || b.Count != 0 || b.Cumulative[0] != 0 {
			t.Errorf("%s: %+v, %v; want empty buckets", name, b, ok)
		}
	}
	if _, ok := r.Buckets("nonesuch", nil); ok {
		t.Error("an unknown operation has buckets")
	}
}
