package metrics

import (
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// burstOf is a burst of n messages answered answers times.
func burstOf(n, answers int, followUp bool) *transcript.Burst {
	b := &transcript.Burst{Answers: answers}
	for range n {
		b.Fragments = append(b.Fragments, transcript.Fragment{Text: "x"})
	}
	if followUp {
		b.Fragments = append(b.Fragments, transcript.Fragment{Text: "?", FollowUp: true})
	}
	return b
}

// TestBurstsRecordedAndMerged: two segments' bursts add up in a merge,
// replies per burst and reply_from_first recomputed from the sums.
func TestBurstsRecordedAndMerged(t *testing.T) {
	t.Parallel()
	a, b := NewRecorder(nil), NewRecorder(nil)
	a.Burst(burstOf(2, 1, false))
	a.Burst(burstOf(3, 3, true)) // answered each fragment, then followed up
	a.Burst(burstOf(1, 1, true)) // a message sent whole and followed up: no burst
	b.Burst(burstOf(2, 2, false))
	for i, r := range []*Recorder{a, a, b} {
		r.ReplyFromFirst(time.Duration(i+1)*time.Second, true)
	}
	sa := a.Snapshot(time.Minute)
	if want := (Burst{Bursts: 2, Fragments: 5, Replies: 4, RepliesPerBurst: 2, DoubleTexts: 2}); sa.Burst != want || sa.DoubleAnswers != 1 {
		t.Fatalf("burst %+v, double_answers %d; want %+v, 1", sa.Burst, sa.DoubleAnswers, want)
	}
	parts := make([]Part, 0, 2)
	for _, r := range []*Recorder{a, b} {
		d, err := r.Distributions()
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, Part{Snapshot: r.Snapshot(time.Minute), Distributions: d})
	}
	m, err := Merge(parts)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Snapshot
	if want := (Burst{Bursts: 3, Fragments: 7, Replies: 6, RepliesPerBurst: 2, DoubleTexts: 2}); s.Burst != want || s.DoubleAnswers != 2 {
		t.Errorf("merged burst %+v, double_answers %d; want %+v, 2", s.Burst, s.DoubleAnswers, want)
	}
	if s.ReplyFromFirst.Count != 3 || s.ReplyFromFirst.Max < 2900*time.Millisecond {
		t.Errorf("merged reply_from_first %+v: want 3 timings up to 3s", s.ReplyFromFirst)
	}
}
