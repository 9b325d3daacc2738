package bench

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestSoak is make soak (not in CI, not in make test): 1,000 users
// repeating conversations against the simulator for VOYPLAN_SOAK (a
// duration, 30m for the figure of BENCH.md), voyplan's RSS sampled every
// second. It fails when the RSS grows more than 5 % after the warm-up (the
// first fifth of the run, at most 5 minutes), or on any error.
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("VOYPLAN_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("set VOYPLAN_SOAK to a duration (make soak) to run the soak")
	}
	env := shared.setup(t)
	c := SoakConfig{Users: 1000, Duration: d, Think: time.Second, Delay: 100 * time.Millisecond, WarmUp: min(d/5, 5*time.Minute)}
	ctx, cancel := context.WithTimeout(context.Background(), d+5*time.Minute)
	defer cancel()
	s, err := env.RunSoak(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("soak: %d users, %.0f s, %d turns (%.0f/s), %.1f µs CPU per turn; RSS after warm-up %.1f MiB, at the end %.1f MiB (%+.1f %%), peak %.1f MiB; %d send errors, %d missing replies",
		s.Users, s.DurationS, s.Turns, s.TurnsPerS, s.CPUPerTurn, s.WarmMiB, s.EndMiB, 100*s.Growth, s.PeakMiB, s.SendErrors, s.NoReply)
	if s.SendErrors+s.NoReply != 0 || s.Turns == 0 {
		t.Errorf("soak: %d turns, %d send errors, %d missing replies", s.Turns, s.SendErrors, s.NoReply)
	}
	if s.WarmMiB == 0 || s.Growth > 0.05 {
		t.Errorf("RSS grew %.1f %% after the warm-up (%.1f → %.1f MiB); want ≤ 5 %%", 100*s.Growth, s.WarmMiB, s.EndMiB)
	}
	shared.record(func(r *Results) { r.Soak = s })
}
