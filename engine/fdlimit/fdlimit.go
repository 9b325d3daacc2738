package fdlimit

import "fmt"

// Limit is the open-file limit in force.
type Limit struct {
	Soft, Hard uint64
}

// NeedError says that the process may not open as many files as it needs.
type NeedError struct {
	Need  uint64
	Limit Limit
}

func (e *NeedError) Error() string {
	return fmt.Sprintf("needs about %d open files, but the limit is %d (hard limit %d)",
		e.Need, e.Limit.Soft, e.Limit.Hard)
}

// Ensure raises the soft limit as far as it may go and returns a
// *NeedError when it is still below need.
func Ensure(need uint64) (Limit, error) {
	lim, err := Raise()
	if err != nil {
		return lim, err
	}
	if lim.Soft < need {
		return lim, &NeedError{Need: need, Limit: lim}
	}
	return lim, nil
}
