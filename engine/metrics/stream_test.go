package metrics

import (
	"reflect"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

func ms(v float64) *float64 { return &v }

// TestStreamedRepliesAreTimedAndCounted: first_token and stall time the
// streamed replies that carried content; stream counts them all, and a
// merge of two recorders gives what one recorder of both gives.
func TestStreamedRepliesAreTimedAndCounted(t *testing.T) {
	t.Parallel()
	replies := []*transcript.Stream{
		{FirstTokenMS: ms(150), StallMS: 20, Chunks: 12, Bytes: 900, TokensPerS: ms(40),
			Link: &transcript.Link{Opened: 2, Closes: 1, CloseCode: 1011, Reconnects: 1, Pings: 3, Pongs: 2, PeerPings: 1}},
		{FirstTokenMS: ms(152), StallMS: 400, Chunks: 9, Bytes: 700, NoUsage: true,
			Link: &transcript.Link{Closes: 1, CloseCode: 1006, NotUnderstood: 1}},
		{FirstTokenMS: ms(149), StallMS: 10, Chunks: 3, Bytes: 200, Incomplete: true, TokensPerS: ms(20)},
		{Chunks: 1, Bytes: 40, Incomplete: true, NoUsage: true}, // cut before any content
	}
	whole, a, b := NewRecorder(nil), NewRecorder(nil), NewRecorder(nil)
	for i, s := range replies {
		whole.Streamed(s)
		[]*Recorder{a, b}[i%2].Streamed(s)
	}
	whole.Streamed(nil)                                                        // a reply in one piece: nothing
	whole.Linked(&transcript.Stream{Link: &transcript.Link{ConnectFailed: 1}}) // a connection that never opened: no reply
	b.Linked(&transcript.Stream{Link: &transcript.Link{ConnectFailed: 1}})
	s := whole.Snapshot(time.Second)
	want := Stream{Replies: 4, Incomplete: 2, NoUsage: 2, Chunks: 25, Bytes: 1840, TokensPerS: 30, Rated: 2,
		Connections: 2, ConnectFailures: 1, Closes: 2, CloseCodes: map[string]int64{"1011": 1, "1006": 1}, Reconnects: 1,
		Pings: 3, Pongs: 2, PeerPings: 1, NotUnderstood: 1}
	if !reflect.DeepEqual(s.Stream, want) {
		t.Errorf("stream %+v, want %+v", s.Stream, want)
	}
	if s.FirstToken.Count != 4 || s.FirstToken.Failed != 1 || (s.FirstToken.P50-150*time.Millisecond).Abs() > 150*time.Microsecond || s.FirstToken.Max != 152*time.Millisecond {
		t.Errorf("first_token %+v", s.FirstToken)
	}
	if s.Stall.Count != 3 || s.Stall.Max != 400*time.Millisecond {
		t.Errorf("stall %+v", s.Stall)
	}
	parts := make([]Part, 0, 2)
	for i, r := range []*Recorder{a, b} {
		d, err := r.Distributions()
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, Part{Name: string(rune('a' + i)), Snapshot: r.Snapshot(time.Second), Distributions: d})
	}
	m, err := Merge(parts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Snapshot.Stream, want) || m.Snapshot.FirstToken != s.FirstToken || m.Snapshot.Stall != s.Stall {
		t.Errorf("merged %+v %+v %+v, want %+v %+v %+v", m.Snapshot.Stream, m.Snapshot.FirstToken, m.Snapshot.Stall, want, s.FirstToken, s.Stall)
	}
	// a summary written before streaming existed has no first_token: read as none
	delete(parts[0].Distributions, "first_token")
	delete(parts[0].Distributions, "stall")
	if _, err := Merge(parts); err != nil {
		t.Errorf("merging an older summary: %v", err)
	}
}
