package transcript

import (
	"math"
	"time"
)

// Outcome is how a conversation ended.
type Outcome string

const (
	Completed   Outcome = "completed"   // complete_when held on an assistant reply
	Failed      Outcome = "failed"      // see Reason
	Abandoned   Outcome = "abandoned"   // the persona ended it on purpose
	Interrupted Outcome = "interrupted" // the run stopped while it was in flight
)

// Reasons a conversation failed.
const (
	ReasonSendError       = "send_error"       // the POST failed (transport error or status not 200/201/202)
	ReasonReplyTimeout    = "reply_timeout"    // no callback within reply_timeout
	ReasonMaxTurns        = "max_turns"        // max_turns replies without complete_when holding
	ReasonScriptExhausted = "script_exhausted" // a script persona ran out of lines
	ReasonLLMError        = "llm_error"        // the persona's model failed after its retries
	ReasonPersonaStuck    = "persona_stuck"    // the rules driver had nothing to say
	ReasonPredicateError  = "predicate_error"  // complete_when failed to evaluate
	// ReasonStreamIncomplete: a streamed reply ended or was cut before its
	// end marker (data: [DONE], the plan's end event); the partial text is
	// kept in the turn.
	ReasonStreamIncomplete = "stream_incomplete"
	// ReasonConnectionLost: a WebSocket connection dropped before the
	// reply was whole (and was not opened again: reconnect = false, or the
	// one reconnect failed too); the partial text is kept.
	ReasonConnectionLost = "connection_lost"
	// ReasonBadFrame: a frame of the reply could not be read — not
	// understood by the frames expressions, over the size limit, or one of
	// a flood; the partial text is kept.
	ReasonBadFrame = "bad_frame"
)

// Conversation is one conversation as it happened: one line of
// conversations.jsonl. Timings are milliseconds with microsecond resolution.
type Conversation struct {
	ID               string                       `json:"id"`
	User             int                          `json:"user"`
	Persona          string                       `json:"persona"`
	Data             map[string]map[string]string `json:"data"`
	ClientIdentifier string                       `json:"client_identifier"`
	TraceID          string                       `json:"trace_id,omitempty"` // the conversation's OpenTelemetry trace (32 hex digits), that of every traceparent the assistant got; "" with tracing off (engine/tracing)
	StartedAt        time.Time                    `json:"started_at"`
	EndedAt          time.Time                    `json:"ended_at"`
	Outcome          Outcome                      `json:"outcome"`
	Reason           string                       `json:"reason"`
	Error            string                       `json:"error,omitempty"` // detail for a failure, e.g. the HTTP status
	DurationMS       float64                      `json:"duration_ms"`
	Turns            []Turn                       `json:"turns"`
	Tokens           Tokens                       `json:"tokens"`
	CostUSD          float64                      `json:"cost_usd"`
	// AssistantTokens totals the turns' AssistantUsage; nil when the
	// assistant's protocol reports none.
	AssistantTokens *Usage `json:"assistant_tokens,omitempty"`
	// Replay is set on a replayed conversation: the recording it played
	// and where it diverged (replay.go).
	Replay *Replay `json:"replay,omitempty"`
}

// Turn is one customer message and the assistant's reply to it.
type Turn struct {
	N      int       `json:"n"`
	Sent   string    `json:"sent"`
	SentAt time.Time `json:"sent_at"`
	SendMS float64   `json:"send_ms"`
	// ReplyMS is from the start of the POST to the first callback of the
	// reply; nil when no reply came.
	ReplyMS *float64 `json:"reply_ms"`
	// SimSentAt is when the assistant says it sent the reply's first
	// callback (the X-Voyplan-Sim-Sent-At header the built-in simulator
	// stamps), or for a streamed reply its first content chunk (the
	// simulator's x_voyplan_sent_at); absent for assistants that do not
	// stamp. SimSentAt minus SentAt is the true reply latency (streamed:
	// time to first token), ReplyMS (Stream.FirstTokenMS) what voyplan
	// measured.
	SimSentAt  *time.Time `json:"sim_sent_at,omitempty"`
	Status     int        `json:"status,omitempty"` // HTTP status of the POST, 0 on transport error
	Attempts   int        `json:"attempts"`         // POSTs made for this message, retries included
	Messages   []Message  `json:"messages"`
	Callbacks  int        `json:"callbacks"`
	Late       []Message  `json:"late"`
	Duplicates int        `json:"duplicates"`
	LLM        *LLMCall   `json:"llm,omitempty"`
	// AssistantUsage is the assistant's own token usage for this reply, when
	// its protocol reports it (openai); the customer's is in LLM.
	AssistantUsage *Usage `json:"assistant_usage,omitempty"`
	// Drift says how the customer's message broke character (the
	// simulator acting as the assistant): asks_for_data, lists_prices,
	// lists_options, repeats_assistant, leaks_reasoning. DataMismatch names
	// the personal data it disclosed that differs from the user's generated
	// data: cpf, phone, email.
	Drift        []string `json:"drift,omitempty"`
	DataMismatch []string `json:"data_mismatch,omitempty"`
	// Stream is how a streamed reply arrived (openai with stream = true,
	// sse); nil for protocols that answer in one piece.
	Stream *Stream `json:"stream,omitempty"`
	// Crosstalk names whose data this reply carried that is another
	// customer's: the virtual user it belongs to and which value (a data
	// block's attribute, "customer.cpf", or "link" for a payment link sent
	// to that user's conversation) — never the value itself. Empty for a
	// clean reply (engine/crosstalk).
	Crosstalk []Leak `json:"crosstalk,omitempty"`
	// Replay is how the reply compared with the recorded one (a replayed
	// conversation's turns up to its divergence; nil otherwise).
	Replay *TurnReplay `json:"replay,omitempty"`
	// Burst says how the customer typed this thought when it was sent as
	// more than one message or followed up (conversation.burst,
	// double_text_rate); nil for a message sent whole. Sent is then the
	// whole thought, SentAt, SendMS and ReplyMS its last message's.
	Burst *Burst `json:"burst,omitempty"`
	// SpanID is the turn's span in the conversation's trace (16 hex
	// digits), the parent of the assistant's spans for it; "" with
	// tracing off.
	SpanID string `json:"span_id,omitempty"`
}

// Burst is one customer thought typed as several messages (issue 14 §2).
type Burst struct {
	Fragments []Fragment `json:"fragments"` // the follow-up, if one was sent, last
	// Answers is how many of the thought's messages the bot answered
	// before the next came (the last: at all); more than 1 is a double
	// answer — a bot that answers each fragment.
	Answers int `json:"answers"`
	// ReplyFromFirstMS runs from the first message's request to the
	// reply's first callback; nil when no reply came.
	ReplyFromFirstMS *float64 `json:"reply_from_first_ms"`
}

// Fragment is one message of a burst.
type Fragment struct {
	Text   string    `json:"text"`
	SentAt time.Time `json:"sent_at"`
	SendMS float64   `json:"send_ms"`
	// Replies counts the reply's callbacks that came after this message
	// and before the next (request-response protocols: 1 when its
	// response carried an answer).
	Replies  int  `json:"replies"`
	FollowUp bool `json:"follow_up,omitempty"` // the double text, sent while the reply settled
}

// Fragmented reports a burst of more than one message besides the
// follow-up: a thought that could be answered more than once.
func (b *Burst) Fragmented() bool {
	if b == nil {
		return false
	}
	n := 0
	for _, f := range b.Fragments {
		if !f.FollowUp {
			n++
		}
	}
	return n > 1
}

// FollowedUp reports a burst with a double text.
func (b *Burst) FollowedUp() bool {
	return b != nil && len(b.Fragments) > 0 && b.Fragments[len(b.Fragments)-1].FollowUp
}

// Leak is one value of another virtual user's found in a reply.
type Leak struct {
	User  int    `json:"user"`
	Field string `json:"field"`
}

// Stream is how one streamed reply arrived. Timings are milliseconds from
// the start of the request, read on the monotonic clock when the chunk's
// bytes arrived.
type Stream struct {
	// FirstTokenMS is the time to the first chunk carrying content (a
	// role-only chunk does not count); nil when none came.
	FirstTokenMS *float64 `json:"first_token_ms"`
	// StallMS is the longest gap between two content chunks (0 with fewer
	// than two).
	StallMS float64 `json:"stall_ms"`
	Chunks  int     `json:"chunks"` // events received, content or not
	Bytes   int64   `json:"bytes"`  // bytes of the response body read
	// Incomplete: the stream ended or was cut before its end marker.
	Incomplete bool `json:"incomplete,omitempty"`
	// NoUsage: no usage chunk came (openai), so the reply's tokens are
	// unknown — not zero.
	NoUsage bool `json:"no_usage,omitempty"`
	// TokensPerS is the reply's output tokens (from its usage chunk) per
	// second from the first content chunk to the last; nil when unknown.
	TokensPerS *float64 `json:"tokens_per_s,omitempty"`
	// Link is how the conversation's WebSocket connection fared during
	// the turn (protocol websocket); nil for other protocols.
	Link *Link `json:"link,omitempty"`
}

// Link counts what happened to a WebSocket connection during one turn.
type Link struct {
	Opened        int `json:"opened,omitempty"`         // connections opened (the first, or again after a drop)
	ConnectFailed int `json:"connect_failed,omitempty"` // connections that could not be opened
	Closes        int `json:"closes,omitempty"`         // closed by the assistant, or broken, while open
	CloseCode     int `json:"close_code,omitempty"`     // the last such close's code (1006: no close frame)
	Reconnects    int `json:"reconnects,omitempty"`     // opened again after a drop (reconnect = true)
	Pings         int `json:"pings,omitempty"`          // pings voyplan sent
	Pongs         int `json:"pongs,omitempty"`          // pongs that came back
	PeerPings     int `json:"peer_pings,omitempty"`     // pings the assistant sent (answered)
	NotUnderstood int `json:"not_understood,omitempty"` // frames the frames expressions could not read
}

// LLMCall is the generation that produced a customer message. MS is the
// model's time, every attempt and backoff included; WaitMS, apart from it,
// the time spent waiting for the client-side rate limits.
type LLMCall struct {
	MS             float64 `json:"ms"`
	WaitMS         float64 `json:"wait_ms"`
	Attempts       int     `json:"attempts"`
	InputTokens    int64   `json:"input_tokens"`
	OutputTokens   int64   `json:"output_tokens"`
	ThinkingTokens int64   `json:"thinking_tokens"`
	CostUSD        float64 `json:"cost_usd"`
}

// Tokens totals a conversation's LLM usage.
type Tokens struct {
	Input    int64 `json:"input"`
	Output   int64 `json:"output"`
	Thinking int64 `json:"thinking"`
}

// Ms converts a duration to milliseconds, rounded to the microsecond.
func Ms(d time.Duration) float64 {
	return math.Round(float64(d)/1e3) / 1e3
}
