// Package resultstest holds the made-up run that the results and report
// tests write, read and render: one conversation, one snapshot.
package resultstest

import (
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Conversation is one made-up conversation: a completed one-turn exchange
// whose reply holds characters that must be escaped in every format.
func Conversation(id string) *transcript.Conversation {
	reply := 812.4
	start := time.Date(2025, 10, 7, 12, 0, 0, 0, time.UTC)
	return &transcript.Conversation{
		ID:               id,
		User:             17,
		Persona:          "edman",
		Data:             map[string]map[string]string{"customer": {"cpf": "529.982.247-25"}},
		ClientIdentifier: id + "@stw.ai",
		StartedAt:        start,
		EndedAt:          start.Add(14210400 * time.Microsecond),
		Outcome:          transcript.Completed,
		DurationMS:       14210.4,
		Turns: []transcript.Turn{{
			N: 1, Sent: "Olá", SentAt: start, SendMS: 3.1, ReplyMS: &reply,
			Messages: []transcript.Message{{Role: "assistant", Type: "text", Text: "Pague em https://pay.x/a?b=1&c=<2>"}},
		}},
		Tokens:  transcript.Tokens{Input: 13678, Output: 226},
		CostUSD: 0.004668,
	}
}

// KnownSnapshot is a run's figures with every kind of field set.
func KnownSnapshot() metrics.Snapshot {
	return metrics.Snapshot{
		Conversations: metrics.Conversations{
			Started: 12, Succeeded: 8, Failed: 1, Abandoned: 1, Interrupted: 2,
			SuccessRate: 0.8, Turns: 60, TurnsAvg: 5,
			Reasons: map[string]int64{"reply_timeout": 1},
		},
		Send:         metrics.Latency{Count: 60, Min: 3100 * time.Microsecond, Avg: 4 * time.Millisecond, P50: 4 * time.Millisecond, P90: 5 * time.Millisecond, P95: 6 * time.Millisecond, P99: 7 * time.Millisecond, Max: 8 * time.Millisecond},
		Reply:        metrics.Latency{Count: 60, Failed: 3, ErrorRate: 0.05, Min: 400 * time.Millisecond, Avg: 812400 * time.Microsecond, P50: 800 * time.Millisecond, P90: time.Second, P95: 1240 * time.Millisecond, P99: 2 * time.Second, Max: 3 * time.Second},
		Conversation: metrics.Latency{Count: 10, Failed: 2, ErrorRate: 0.2, Min: 10 * time.Second, Avg: 14210400 * time.Microsecond, P50: 14 * time.Second, P90: 18 * time.Second, P95: 19 * time.Second, P99: 20 * time.Second, Max: 20 * time.Second},
		Cost:         metrics.Cost{USD: 0.25, InputTokens: 13678, OutputTokens: 226, ThinkingTokens: 100},
		Personas:     map[string]metrics.Conversations{"edman": {Started: 12, Succeeded: 8}},
	}
}
