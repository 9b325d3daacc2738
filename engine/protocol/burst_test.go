package protocol

import (
	"testing"
	"time"
)

// file times the reply from the last fragment, counts each callback
// against the fragment it followed, and says when nothing came after the
// last one — so asyncBurst never records an early answer as a 0 ms reply.
func TestBurstFileTimesFromTheLastFragment(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	three := func() *BurstSent {
		return &BurstSent{Fragments: []Fragment{{Text: "oi", SentAt: at(0)}, {Text: "quero", SentAt: at(500)}, {Text: "sábado", SentAt: at(1000)}}}
	}

	s := three()
	reply, after := s.file([]time.Time{at(1300), at(1400)})
	if !after || reply != 300*time.Millisecond || s.Answers != 1 || s.ReplyFromFirst != 1300*time.Millisecond {
		t.Errorf("answered once after the last: reply %v after %v answers %d from first %v", reply, after, s.Answers, s.ReplyFromFirst)
	}

	s = three()
	reply, after = s.file([]time.Time{at(200), at(700), at(1250)})
	if !after || reply != 250*time.Millisecond || s.Answers != 3 || s.Fragments[0].Replies != 1 || s.Fragments[1].Replies != 1 {
		t.Errorf("answered each fragment: reply %v after %v answers %d fragments %+v", reply, after, s.Answers, s.Fragments)
	}

	s = three()
	reply, after = s.file([]time.Time{at(200), at(600)})
	if after || reply != 0 || s.Answers != 2 || s.Fragments[2].Replies != 0 {
		t.Errorf("answered only before the customer finished: reply %v after %v (want none after) answers %d", reply, after, s.Answers)
	}
}
