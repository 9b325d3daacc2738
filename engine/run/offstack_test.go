package run

import (
	"errors"
	"testing"
)

func TestOffStackReturnsWhatFReturns(t *testing.T) {
	t.Parallel()
	want := errors.New("boom")
	v, err := offStack(func() (int, error) { return 42, want })
	if v != 42 || !errors.Is(err, want) {
		t.Errorf("offStack = %d, %v; want 42, %v", v, err, want)
	}
}
