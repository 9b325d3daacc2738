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
	r.Reply(2*time.Hour, true)        // above every bound: +Inf only
	b, ok := r.Buckets("reply")
	if !ok {
		t.Fatal("reply has no buckets")
	}
	want := make([]uint64, len(BucketBounds))
	for i, bound := range BucketBounds {
		want[i] = uint64(min(max(int(bound/time.Millisecond), 0), 1000))
		if bound >= 90*time.Second {
			want[i]++
		}
	}
	if !slices.Equal(b.Cumulative, want) {
		t.Errorf("cumulative = %v; want %v", b.Cumulative, want)
	}
	if b.Count != 1002 {
		t.Errorf("count = %d; want 1002 (1000 replies, the censored wait, the 2h one)", b.Count)
	}
	if want := 500500*time.Millisecond + 90*time.Second + 2*time.Hour; b.Sum != want {
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
		if b, ok := r.Buckets(name); !ok || b.Count != 0 || len(b.Cumulative) != len(BucketBounds) || b.Cumulative[0] != 0 {
			t.Errorf("%s: %+v, %v; want empty buckets", name, b, ok)
		}
	}
	if _, ok := r.Buckets("nonesuch"); ok {
		t.Error("an unknown operation has buckets")
	}
}
