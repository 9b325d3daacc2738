package plan

import (
	"math/rand/v2"
	"time"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// Wait is how long a customer waits: the conversation's think_time (between
// a reply and the next message) or pacing (between two conversations). A
// fixed wait ("500ms") has Min == Max; a range (["1s", "3s"], Locust's
// between(1, 3)) draws a fresh duration, uniform in [Min, Max], for every
// wait, from the virtual user's own seeded source (run: datagen.StreamThink,
// datagen.StreamPacing). 0 ≤ Min ≤ Max in a loaded plan.
type Wait struct {
	Min, Max time.Duration
}

// FixedWait is a wait of exactly d.
func FixedWait(d time.Duration) Wait { return Wait{Min: d, Max: d} }

// Fixed reports whether every wait is the same, Min: no draw is needed.
func (w Wait) Fixed() bool { return w.Max <= w.Min }

// Draw returns the next wait: Min when fixed (r is not drawn from and may
// be nil), else a duration uniform in [Min, Max], to the nanosecond, from
// r. It does not allocate.
func (w Wait) Draw(r *rand.Rand) time.Duration {
	if w.Fixed() {
		return w.Min
	}
	// Max−Min ≤ MaxInt64, so the span + 1 fits a uint64.
	return w.Min + time.Duration(r.Uint64N(uint64(w.Max-w.Min)+1))
}

// String is "500ms" for a fixed wait, "1s–3s" for a range.
func (w Wait) String() string {
	if w.Fixed() {
		return w.Min.String()
	}
	return w.Min.String() + "–" + w.Max.String()
}

// decodeWait decodes a Wait: one duration (example, e.g. "500ms"), or a
// list of two, the least and the most wait (decode.Attrs.DurationRange).
func decodeWait(a *decode.Attrs, name string, dst *Wait, example string) bool {
	lo, hi, ok := a.DurationRange(name, example)
	if ok {
		*dst = Wait{Min: lo, Max: hi}
	}
	return ok
}
