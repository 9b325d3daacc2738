package protocol

// offStack runs f on a short-lived goroutine and waits for its result. A
// send through net/http needs several KiB of stack on top of the
// conversation's own; made from the goroutine that then waits for the
// reply, it would leave that goroutine holding a 16 KiB stack while it
// waits (Go halves a stack at a GC only when less than a quarter of it is
// in use). See engine/run's offStack and BENCH.md (memory).
func offStack[T any](f func() (T, error)) (T, error) {
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
