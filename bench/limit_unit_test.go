package bench

import (
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/sim"
)

// TestLimitStreams: the minimal program's stream mode (bench/limit -stream)
// plays whole conversations against the simulator's streaming chat
// completions endpoint — the conversation so far sent with each turn (the
// endpoint is stateless: without it no conversation gets past its first
// step), each reply assembled from its chunks up to data: [DONE] (8-rune
// chunks cut the payment link apart; images come as content parts) — and
// counts a stream cut before [DONE] as a missing reply, not a turn.
func TestLimitStreams(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin, err := BuildLimit(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	script, err := RenderScript(dir, "../personas/kataryna.script")
	if err != nil {
		t.Fatal(err)
	}
	const users = 3
	for _, tc := range []struct {
		name string
		opts sim.Options
		want LimitReport
	}{
		{"whole", sim.Options{FirstChunk: time.Millisecond, ChunkInterval: 100 * time.Microsecond, ChunkSize: 8, ImageEvery: 3},
			LimitReport{Turns: users * ScriptTurns, Conversations: users, Completed: users}},
		{"cut before [DONE]", sim.Options{CutRate: 1},
			LimitReport{Conversations: users, NoReply: users}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sim.Listen("127.0.0.1:0", tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			cmd := exec.CommandContext(ctx, bin, "-stream", "-url", s.BaseURL()+sim.CompletionsPath, "-script", script,
				"-users", strconv.Itoa(users), "-conversations-per-user", "1", "-duration", "1m", "-reply-timeout", "30s")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("limit -stream: %v\n%s", err, stderr.String())
			}
			var got LimitReport
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("limit printed %q: %v", out, err)
			}
			got.DurationS, got.PerSecond = 0, nil
			if got.Turns != tc.want.Turns || got.Conversations != tc.want.Conversations || got.Completed != tc.want.Completed ||
				got.SendErrors != 0 || got.NoReply != tc.want.NoReply || got.InFlightAtEnd != 0 {
				t.Errorf("report %+v; want %+v (stderr %q)", got, tc.want, stderr.String())
			}
			if st := s.Stats(); st.Completed != uint64(tc.want.Completed) {
				t.Errorf("the simulator sent %d payment links; want %d", st.Completed, tc.want.Completed)
			}
		})
	}
}

// TestStreamingVersusTable: the rounds' figures become median (min–max)
// spreads and ratios per round, printed in the table.
func TestStreamingVersusTable(t *testing.T) {
	t.Parallel()
	v := &StreamingVersus{Rounds: 3, Users: 50, DurationS: 30, FirstChunkMS: 150, IntervalMS: 5, Runs: []StreamingRound{
		{PairRound: PairRound{VoyplanCPU: 900, LimitCPU: 300, VoyplanRate: 250, LimitRate: 250, VoyplanErrors: 1}},
		{PairRound: PairRound{VoyplanCPU: 800, LimitCPU: 400, VoyplanRate: 240, LimitRate: 260}},
		{PairRound: PairRound{VoyplanCPU: 1000, LimitCPU: 250, VoyplanRate: 230, LimitRate: 230, LimitErrors: 2}},
	}}
	v.Summarise()
	if v.CPURatio.Median != 3 || v.CPURatio.Min != 2 || v.CPURatio.Max != 4 || v.VoyplanCPU.Median != 900 || v.LimitCPU.Median != 300 {
		t.Errorf("CPU: voyplan %v, limit %v, ratio %v; want 900, 300, 3 (2–4)", v.VoyplanCPU, v.LimitCPU, v.CPURatio)
	}
	if v.RateRatio.Median != 1 || v.BaseCPU.Median != 0 {
		t.Errorf("rate ratio %v, baseline %v; want 1, none", v.RateRatio, v.BaseCPU)
	}
	r := Results{StreamingVersus: v}
	r.Judge()
	var b strings.Builder
	if err := r.Table(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"streaming vs minimal program (3 rounds, 50 users, 30s)", "first chunk 150 ms, 5 ms apart",
		"900 (800–1000) / 300 (250–400) µs / 3.00 (2.00–4.00)×", "incomplete): voyplan / limit / baseline", " 1 / 2 / 0 "} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, b.String())
		}
	}
}
