//go:build unix

package fdlimit

import (
	"fmt"
	"syscall"
)

// Raise lifts the soft open-file limit to the hard limit, where the system
// allows, and returns the limit then in force. (Go already does this at
// start-up on most systems; Raise makes it explicit and reports the result.)
func Raise() (Limit, error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return Limit{}, fmt.Errorf("cannot read the open-file limit: %w", err)
	}
	if rl.Cur < rl.Max {
		raised := rl
		raised.Cur = rl.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			rl = raised
		}
		// Refused (some systems cap the soft limit below an infinite hard
		// one): the limit in force stays what it was, and Ensure says so.
	}
	return Limit{Soft: uint64(rl.Cur), Hard: uint64(rl.Max)}, nil
}
