// Package offstack runs deep calls off the calling goroutine's stack.
//
// It keeps the stacks of waiting virtual users small. A goroutine keeps the
// stack its deepest call grew, and Go halves it at a GC only when less than
// a quarter is in use; a user waits for a reply about 4 KiB deep, so once
// HCL evaluation (Plan.NewUser), a persona's checks (driver.Next) or an
// HTTP send took it past 8 KiB, it would hold 16 KiB for the rest of its
// life — half of what a waiting conversation costs at 10,000 (BENCH.md,
// memory). Run here, their deep stacks go back to the runtime as soon as
// they return. The price is one goroutine start per call, about a
// microsecond.
package offstack

// Call runs f on a short-lived goroutine and waits for its result.
func Call[T any](f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	r := <-done
	return r.v, r.err
}
