package results

import (
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Legacy is the old tool's run summary (VOYAGER.md §6), field for field,
// under its old names. Embedded in Summary, its fields sit at the top level
// of summary.json.
type Legacy struct {
	// TotalConversations counts the conversations that ended and were judged
	// (completed, failed, abandoned); interrupted ones are left out, as the
	// old tool only logged conversations that finished.
	TotalConversations int64 `json:"total_conversations"`
	// SuccessfulConversations counts the completed ones.
	SuccessfulConversations int64 `json:"successful_conversations"`
	// SuccessRate is SuccessfulConversations / TotalConversations, a
	// fraction (0.9, not 90), the same as metrics.conversations.success_rate.
	SuccessRate float64 `json:"success_rate"`
	// AvgIterationsPerConversation is customer messages per ended
	// conversation (conversations.turns_avg).
	AvgIterationsPerConversation float64 `json:"avg_iterations_per_conversation"`
	// TotalMessages counts both sides: customer messages sent and assistant
	// replies received.
	TotalMessages int64 `json:"total_messages"`
	// TotalTimeMS sums the durations of the timed (completed) conversations;
	// AvgTimePerConversationMS is their mean, so the two agree.
	TotalTimeMS              float64      `json:"total_time_ms"`
	AvgTimePerConversationMS float64      `json:"avg_time_per_conversation_ms"`
	GeminiTokens             GeminiTokens `json:"gemini_tokens"`
	TotalCostUSD             float64      `json:"total_cost_usd"`
}

// GeminiTokens is the old tool's token count; Total is the sum of the rest.
type GeminiTokens struct {
	Input    int64 `json:"input"`
	Output   int64 `json:"output"`
	Thinking int64 `json:"thinking"`
	Total    int64 `json:"total"`
}

// LegacyOf computes the old fields from a snapshot.
func LegacyOf(s metrics.Snapshot) Legacy {
	c := s.Conversations
	timed := s.Conversation.Count - s.Conversation.Failed
	return Legacy{
		TotalConversations:           c.Succeeded + c.Failed + c.Abandoned,
		SuccessfulConversations:      c.Succeeded,
		SuccessRate:                  c.SuccessRate,
		AvgIterationsPerConversation: c.TurnsAvg,
		TotalMessages:                c.Turns + s.Reply.Count - s.Reply.Failed,
		TotalTimeMS:                  transcript.Ms(time.Duration(timed) * s.Conversation.Avg),
		AvgTimePerConversationMS:     transcript.Ms(s.Conversation.Avg),
		GeminiTokens:                 geminiTokens(s.Cost),
		TotalCostUSD:                 s.Cost.USD,
	}
}

func geminiTokens(c metrics.Cost) GeminiTokens {
	return GeminiTokens{
		Input:    c.InputTokens,
		Output:   c.OutputTokens,
		Thinking: c.ThinkingTokens,
		Total:    c.InputTokens + c.OutputTokens + c.ThinkingTokens,
	}
}
