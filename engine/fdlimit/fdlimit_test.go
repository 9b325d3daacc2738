package fdlimit

import (
	"errors"
	"strings"
	"testing"
)

func TestRaiseReachesTheHardLimit(t *testing.T) {
	lim, err := Raise()
	if err != nil {
		t.Fatal(err)
	}
	if lim.Soft != lim.Hard {
		t.Errorf("soft limit %d after Raise, want the hard limit %d", lim.Soft, lim.Hard)
	}
}

func TestEnsure(t *testing.T) {
	lim, err := Ensure(16)
	if err != nil {
		t.Fatalf("16 files: %v", err)
	}
	if lim.Hard == ^uint64(0) {
		t.Skip("no hard limit here: nothing is ever too much")
	}
	_, err = Ensure(lim.Hard + 1)
	var ne *NeedError
	if !errors.As(err, &ne) || ne.Need != lim.Hard+1 || ne.Limit != lim {
		t.Fatalf("Ensure(hard+1) = %v, want a *NeedError", err)
	}
	if !strings.Contains(err.Error(), "open files") {
		t.Errorf("error %q", err)
	}
}
