package offstack

import (
	"errors"
	"testing"
)

func TestOffStackReturnsWhatFReturns(t *testing.T) {
	t.Parallel()
	want := errors.New("boom")
	v, err := Call(func() (int, error) { return 42, want })
	if v != 42 || !errors.Is(err, want) {
		t.Errorf("Call = %d, %v; want 42, %v", v, err, want)
	}
}
