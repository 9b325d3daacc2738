package datagen

import (
	"math/rand/v2"
	"testing"
)

func draws(r *rand.Rand, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.Uint64()
	}
	return out
}

func equal(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// TestForUserStream: a stream is a pure function of seed, user and stream,
// and differs between users, streams, seeds and from ForUser (whose draws
// make the persona and the data).
func TestForUserStream(t *testing.T) {
	t.Parallel()
	const n = 8
	think := draws(ForUserStream(42, 3, StreamThink), n)
	if !equal(think, draws(ForUserStream(42, 3, StreamThink), n)) {
		t.Fatal("the same seed, user and stream gave different draws")
	}
	others := map[string][]uint64{
		"another user":   draws(ForUserStream(42, 4, StreamThink), n),
		"another stream": draws(ForUserStream(42, 3, StreamPacing), n),
		"another seed":   draws(ForUserStream(43, 3, StreamThink), n),
		"ForUser":        draws(ForUser(42, 3), n),
	}
	for name, d := range others {
		if equal(think, d) {
			t.Errorf("%s draws the same as user 3's think stream", name)
		}
	}
}
