package verdict

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
)

// TestStreamRowsOnlyWhenStreamed: the requests table gains First Token and
// Longest Stall rows and a Streams line only when a streaming protocol
// ran, and thresholds read first_token, stall and stream.
func TestStreamRowsOnlyWhenStreamed(t *testing.T) {
	t.Parallel()
	var plain bytes.Buffer
	if err := Render(&plain, metrics.Snapshot{}, nil, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "First Token") || strings.Contains(plain.String(), "Streams:") {
		t.Errorf("a run that did not stream shows streaming rows:\n%s", plain.String())
	}
	s := metrics.Snapshot{
		FirstToken: metrics.Latency{Count: 2, P50: 150 * time.Millisecond, P95: 151 * time.Millisecond, Max: 151 * time.Millisecond},
		Stall:      metrics.Latency{Count: 2, Max: 300 * time.Millisecond},
		Stream:     metrics.Stream{Replies: 2, Incomplete: 1, Chunks: 30, Bytes: 2000, TokensPerS: 41.5, Rated: 2},
	}
	rs := results(t, s, "ttft", "first_token.p95 < duration('200ms')", "stall", "stall.max < duration('250ms')",
		"cut", "stream.incomplete == 0")
	var got bytes.Buffer
	if err := Render(&got, s, rs, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"First Token", "Longest Stall", "Streams: 2 replies · 1 incomplete · 0 without usage · 30 chunks · 2000 bytes · 41.5 tokens/s"} {
		if !strings.Contains(got.String(), want) {
			t.Errorf("no %q in:\n%s", want, got.String())
		}
	}
	if !rs[0].Pass || rs[1].Pass || rs[2].Pass {
		t.Errorf("thresholds %+v: want ttft to hold, stall and cut to fail", rs)
	}
}
