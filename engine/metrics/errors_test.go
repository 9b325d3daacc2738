package metrics

import (
	"fmt"
	"testing"
)

// TestErrorsAreCountedByKindAndMessage: each distinct error is counted
// apart, Error says the first time (1), the table is most frequent first,
// distinct messages past MaxErrorKinds are counted together, and a merge
// sums the runs' errors.
func TestErrorsAreCountedByKindAndMessage(t *testing.T) {
	t.Parallel()
	r := NewRecorder(nil)
	if n := r.Error("send_error", "connection refused"); n != 1 {
		t.Errorf("first occurrence: %d, want 1", n)
	}
	r.Error("send_error", "connection refused")
	r.Error("reply_timeout", "no reply within 2s")
	for i := range MaxErrorKinds + 5 {
		r.Error("llm_error", fmt.Sprintf("message %d", i))
	}
	s := r.Snapshot(0)
	if len(s.Errors) != MaxErrorKinds+1 {
		t.Fatalf("%d distinct errors, want %d (the cap and its other row)", len(s.Errors), MaxErrorKinds+1)
	}
	if first := s.Errors[0]; first != (ErrorCount{Kind: "llm_error", Message: OtherErrors, Count: 7}) {
		t.Errorf("first row %+v; want the 7 llm_error messages past the cap", first)
	}
	if second := s.Errors[1]; second != (ErrorCount{Kind: "send_error", Message: "connection refused", Count: 2}) {
		t.Errorf("second row %+v", second)
	}
	got, err := Merge([]Part{viaJSON(t, "a", r), viaJSON(t, "b", r)})
	if err != nil {
		t.Fatal(err)
	}
	if e := got.Snapshot.Errors[1]; e.Count != 4 || e.Message != "connection refused" {
		t.Errorf("merged %+v; want connection refused ×4", e)
	}
}
