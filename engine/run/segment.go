package run

import (
	"fmt"
	"strconv"
	"strings"
)

// Segment is the slice of the virtual users one process runs when a plan is
// spread over several machines (voyplan apply --segment Index/Count):
// segment i of n runs the global users i, i+n, i+2n, … Every process
// compiles the same schedule and numbers users the same way, so a user's
// persona and generated data do not depend on how the run is split, and the
// segments' result directories merge into the run one process would have
// made. The zero Segment is the whole run.
type Segment struct {
	Index int // 1-based
	Count int
}

// ParseSegment reads "I/N" with 1 <= I <= N.
func ParseSegment(s string) (Segment, error) {
	i, n, ok := strings.Cut(s, "/")
	idx, err1 := strconv.Atoi(strings.TrimSpace(i))
	cnt, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil {
		return Segment{}, fmt.Errorf("segment %q: want I/N, e.g. 2/8 for the second of eight machines", s)
	}
	if cnt < 1 || idx < 1 || idx > cnt {
		return Segment{}, fmt.Errorf("segment %q: want 1 <= I <= N", s)
	}
	return Segment{Index: idx, Count: cnt}, nil
}

// Whole reports whether the segment is the whole run.
func (s Segment) Whole() bool { return s.Count <= 1 }

func (s Segment) String() string {
	if s.Whole() {
		return "1/1"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Local is how many of the first n global users belong to the segment.
func (s Segment) Local(n int) int {
	if s.Whole() {
		return n
	}
	if n < s.Index {
		return 0
	}
	return (n-s.Index)/s.Count + 1
}

// Global is the global number of the segment's k-th user (1-based).
func (s Segment) Global(k int) int {
	if s.Whole() {
		return k
	}
	return s.Index + (k-1)*s.Count
}
