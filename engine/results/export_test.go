package results

// AddInterval is addInterval, for the tests of package results_test.
var AddInterval = addInterval

// StopReason is m.stopReason(), for the tests of package results_test.
func (m *Merged) StopReason() string { return m.stopReason() }

// AbortedBy is m.abortedBy(), for the tests of package results_test.
func (m *Merged) AbortedBy() string { return m.abortedBy() }
