//go:build !unix

package fdlimit

import "math"

// Raise does nothing where there is no RLIMIT_NOFILE: the limit is
// reported as unbounded.
func Raise() (Limit, error) {
	return Limit{Soft: math.MaxUint64, Hard: math.MaxUint64}, nil
}
