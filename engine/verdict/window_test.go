package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
)

// replyWindow is a window from-to whose replies had the given p95 (none
// when count is 0).
func replyWindow(from, to int, p95 time.Duration, count int64) Window {
	s := metrics.Snapshot{Reply: metrics.Latency{Count: count, P95: p95, Max: p95}}
	return Window{From: time.Duration(from) * time.Minute, To: time.Duration(to) * time.Minute, Snapshot: s}
}

func windowed(t *testing.T, check, onNoData string) *plan.Threshold {
	t.Helper()
	th := compiled(t, "p95", check, onNoData)
	th.Window = time.Minute
	return th
}

// TestEvaluateWindows: a windowed threshold holds only if it holds in
// every window; the worst window is the one furthest past the bound, and
// a window without data is no data, never a pass on zeros.
func TestEvaluateWindows(t *testing.T) {
	t.Parallel()
	calm, slow, slower := replyWindow(0, 1, time.Second, 50), replyWindow(1, 2, 2400*time.Millisecond, 50),
		replyWindow(2, 3, 3*time.Second, 50)
	empty := replyWindow(3, 4, 0, 0)
	tests := []struct {
		name         string
		ws           []Window
		onNoData     string
		pass, noData bool
		worstFrom    time.Duration
		failed       int
		observed     string
	}{
		{"all hold: the closest to the bound", []Window{calm, replyWindow(1, 2, 1900*time.Millisecond, 5)}, "", true, false, time.Minute, 0, "1.9s"},
		{"the furthest past the bound", []Window{calm, slow, slower, calm}, "", false, false, 2 * time.Minute, 2, "3s"},
		{"an empty window is no data", []Window{calm, empty}, "", false, true, 3 * time.Minute, 1, "no data: reply: never timed"},
		{"no data passes when told", []Window{calm, empty}, "pass", true, false, 0, 0, "1s"},
		{"a failure on data outranks no data", []Window{empty, slow}, "", false, false, time.Minute, 2, "2.4s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := EvaluateWindows(windowed(t, "reply.p95 < duration('2s')", tt.onNoData), tt.ws)
			if r.Pass != tt.pass || r.NoData != tt.noData || r.Worst == nil || r.Worst.From != tt.worstFrom ||
				r.FailedWindows != tt.failed || r.Observed != tt.observed {
				t.Errorf("pass %v, no data %v, worst %+v, %d failed, observed %q; want %v, %v, from %v, %d, %q",
					r.Pass, r.NoData, r.Worst, r.FailedWindows, r.Observed, tt.pass, tt.noData, tt.worstFrom, tt.failed, tt.observed)
			}
		})
	}
}

// Without windows (a merge, a rebuilt run) a windowed threshold is an
// error, not judged on the whole run's figures, which would pass it here.
func TestWindowedThresholdWithoutWindowsIsAnError(t *testing.T) {
	t.Parallel()
	whole := replyWindow(0, 5, time.Second, 500).Snapshot
	rs := EvaluateAll([]*plan.Threshold{windowed(t, "reply.p95 < duration('2s')", "")}, whole, nil)
	if rs[0].Pass || rs[0].Outcome() != OutcomeError || !strings.Contains(rs[0].Observed, "no windows") {
		t.Errorf("%+v; want an error", rs[0])
	}
	if rs := EvaluateAll([]*plan.Threshold{windowed(t, "reply.p95 < duration('2s')", "")}, whole, Windows{}); rs[0].Pass || !rs[0].NoData {
		t.Errorf("no window measured: %+v; want no data", rs[0])
	}
}

// The table's observed value names the worst window and when it was.
func TestThresholdTableShowsTheWorstWindow(t *testing.T) {
	t.Parallel()
	r := EvaluateWindows(windowed(t, "reply.p95 < duration('2s')", ""),
		[]Window{replyWindow(0, 1, time.Second, 50), replyWindow(1, 2, 2400*time.Millisecond, 50)})
	var b strings.Builder
	if err := renderThresholds(&b, []Result{r}, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "2.4s (worst of 2 1m windows, 1:00–2:00; 1 failed)") {
		t.Errorf("table:\n%s\nwant the worst window and when it was", b.String())
	}
}
