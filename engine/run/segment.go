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

// Environment variables an automatic segment is read from.
const (
	// JobIndexEnv is set by Kubernetes in every pod of an Indexed Job: the
	// pod's index, 0-based.
	JobIndexEnv = "JOB_COMPLETION_INDEX"
	// SegmentsEnv is how many segments the run is split into, when
	// "--segment auto" does not say.
	SegmentsEnv = "VOYPLAN_SEGMENTS"
)

// IsAutoSegment reports whether s asks for the segment to be read from the
// environment: "auto" or "auto/N".
func IsAutoSegment(s string) bool {
	return s == "auto" || strings.HasPrefix(s, "auto/")
}

// AutoSegment resolves "auto" or "auto/N" with getenv: the index is
// JOB_COMPLETION_INDEX + 1 (Kubernetes counts from 0, segments from 1), the
// count N, or VOYPLAN_SEGMENTS when the flag gives none. So every pod of an
// Indexed Job runs the same command and takes its own slice.
func AutoSegment(s string, getenv func(string) string) (Segment, error) {
	total, fromFlag := strings.CutPrefix(s, "auto/")
	if !fromFlag {
		total = getenv(SegmentsEnv)
		if total == "" {
			return Segment{}, fmt.Errorf("segment %q: the number of segments is not known: write --segment auto/N or set %s", s, SegmentsEnv)
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(total))
	if err != nil || n < 1 {
		return Segment{}, fmt.Errorf("segment %q: %q is not a number of segments (1 or more)", s, total)
	}
	raw := getenv(JobIndexEnv)
	if raw == "" {
		return Segment{}, fmt.Errorf("segment %q: %s is not set (Kubernetes sets it in the pods of an Indexed Job)", s, JobIndexEnv)
	}
	i, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || i < 0 || i >= n {
		return Segment{}, fmt.Errorf("segment %q: %s=%q is not an index from 0 to %d", s, JobIndexEnv, raw, n-1)
	}
	return Segment{Index: i + 1, Count: n}, nil
}
