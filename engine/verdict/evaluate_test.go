package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
)

// threshold compiles a check the way engine/plan does: over a Snapshot,
// giving a bool.
func threshold(t *testing.T, name, check string, opts ...expr.Option) *plan.Threshold {
	t.Helper()
	if opts == nil {
		opts = []expr.Option{expr.AsBool()}
	}
	p, err := expr.Compile(check, append([]expr.Option{expr.Env(metrics.Snapshot{})}, opts...)...)
	if err != nil {
		t.Fatalf("compile %q: %v", check, err)
	}
	return &plan.Threshold{Name: name, Check: check, Program: p}
}

func snapshot() metrics.Snapshot {
	return metrics.Snapshot{
		Elapsed: 10 * time.Minute,
		Users:   10,
		Conversations: metrics.Conversations{
			Started: 30, Succeeded: 28, Failed: 2, SuccessRate: 28.0 / 30, Turns: 150, TurnsAvg: 5,
			Reasons: map[string]int64{"reply_timeout": 2},
		},
		Send:         metrics.Latency{Count: 150, Min: 2 * time.Millisecond, Avg: 3100 * time.Microsecond, P50: 3 * time.Millisecond, P90: 4 * time.Millisecond, P95: 5 * time.Millisecond, P99: 9 * time.Millisecond, Max: 12 * time.Millisecond},
		Reply:        metrics.Latency{Count: 150, Failed: 2, ErrorRate: 2.0 / 150, Min: 400 * time.Millisecond, Avg: 812400 * time.Microsecond, P50: 790 * time.Millisecond, P90: 1100 * time.Millisecond, P95: 1240 * time.Millisecond, P99: 2 * time.Second, Max: 31 * time.Second},
		Conversation: metrics.Latency{Count: 30, Failed: 2, ErrorRate: 2.0 / 30, Min: 8 * time.Second, Avg: 14210400 * time.Microsecond, P50: 14 * time.Second, P90: 18 * time.Second, P95: 19 * time.Second, P99: 21 * time.Second, Max: 22 * time.Second},
		Cost:         metrics.Cost{USD: 0.004668, InputTokens: 13678, OutputTokens: 226},
		Personas: map[string]metrics.Conversations{
			"kataryna": {Started: 20, Succeeded: 19, Failed: 1, SuccessRate: 0.95, Turns: 100, TurnsAvg: 5},
			"edman":    {Started: 10, Succeeded: 9, Failed: 1, SuccessRate: 0.9, Turns: 50, TurnsAvg: 5},
		},
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	s := snapshot()
	tests := []struct {
		name         string
		th           *plan.Threshold
		pass         bool
		observed     string
		wantErr      string
		observedOnly bool
	}{
		{name: "rate holds", th: threshold(t, "success", "conversations.success_rate >= 0.9"), pass: true, observed: "0.933"},
		{name: "rate fails", th: threshold(t, "success", "conversations.success_rate >= 0.95"), pass: false, observed: "0.933"},
		{name: "duration", th: threshold(t, "reply_p95", "reply.p95 < duration('30s')"), pass: true, observed: "1.2s"},
		{name: "constant on the left", th: threshold(t, "send", "duration('10ms') > send.avg"), pass: true, observed: "3.1ms"},
		{name: "several comparisons", th: threshold(t, "both", "conversations.success_rate >= 0.9 && reply.p95 < duration('1s')"), pass: false, observed: "0.933, 1.2s"},
		{name: "persona", th: threshold(t, "edman", `personas["edman"].success_rate > 0.8 and personas.kataryna.failed <= 1`), pass: true, observed: "0.9, 1"},
		{name: "arithmetic operand", th: threshold(t, "mix", "conversations.failed * 2 < 10"), pass: true, observed: "4"},
		{name: "same operand twice", th: threshold(t, "band", "cost.usd > 0 && cost.usd <= 1"), pass: true, observed: "0.00467"},
		{name: "long duration", th: threshold(t, "conv", "conversation.max < duration('1m')"), pass: true, observed: "22s"},
		{name: "no comparison", th: threshold(t, "flag", "true"), pass: true, observed: ""},
		{name: "runtime error", th: threshold(t, "broken", `int("x") > conversations.started`), wantErr: "invalid operation"},
		{name: "not a bool", th: threshold(t, "count", "conversations.started", expr.AsAny()), wantErr: "not a bool"},
		{name: "not compiled", th: &plan.Threshold{Name: "raw", Check: "true"}, wantErr: "not compiled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.th.Abort = true
			r := Evaluate([]*plan.Threshold{tt.th}, s)[0]
			if r.Name != tt.th.Name || r.Check != tt.th.Check || !r.Abort {
				t.Errorf("identity not carried: %+v", r)
			}
			if tt.wantErr != "" {
				if r.Err == nil || !strings.Contains(r.Err.Error(), tt.wantErr) || r.Pass {
					t.Fatalf("got pass %v, err %v; want a failure with %q", r.Pass, r.Err, tt.wantErr)
				}
				if !strings.HasPrefix(r.Observed, "error: ") || strings.Contains(r.Observed, "\n") {
					t.Errorf("observed = %q; want one line starting with \"error: \"", r.Observed)
				}
				return
			}
			if r.Err != nil {
				t.Fatalf("unexpected error: %v", r.Err)
			}
			if r.Pass != tt.pass || r.Observed != tt.observed {
				t.Errorf("pass, observed = %v, %q; want %v, %q", r.Pass, r.Observed, tt.pass, tt.observed)
			}
		})
	}
}

func TestPassed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rs   []Result
		want bool
	}{
		{"none", nil, true},
		{"all pass", []Result{{Pass: true}, {Pass: true}}, true},
		{"one fails", []Result{{Pass: true}, {Pass: false}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Passed(tt.rs); got != tt.want {
				t.Errorf("Passed = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   any
		want string
	}{
		{812400 * time.Microsecond, "812.4ms"},
		{812 * time.Millisecond, "812ms"},
		{50 * time.Microsecond, "0.1ms"},
		{1200 * time.Millisecond, "1.2s"},
		{30 * time.Second, "30s"},
		{123456 * time.Millisecond, "2m3.5s"},
		{time.Duration(0), "0ms"},
		{0.93, "0.93"},
		{28.0 / 30, "0.933"},
		{0.004668, "0.00467"},
		{1.0, "1"},
		{12.3456, "12.35"},
		{0.0, "0"},
		{int64(42), "42"},
		{42, "42"},
		{true, "true"},
		{nil, "nil"},
	}
	for _, tt := range tests {
		if got := Format(tt.in); got != tt.want {
			t.Errorf("Format(%#v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
