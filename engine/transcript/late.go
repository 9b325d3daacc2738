package transcript

import (
	"time"
)

// LateCallback is a callback that arrived after its conversation had ended
// and its line in conversations.jsonl was written, which is never rewritten.
// It is kept in late.jsonl, and the report attaches it to its turn's Late.
type LateCallback struct {
	Conversation string    `json:"conversation_id"`
	Turn         int       `json:"turn"`
	ReceivedAt   time.Time `json:"received_at"`
	Messages     []Message `json:"messages"`
}
