package verdict

// IntervalContains is interval{lo, hi}.contains(x), for the tests of
// package verdict_test.
func IntervalContains(lo, hi, x float64) bool { return interval{lo, hi}.contains(x) }
