package protocol

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Conversation identifies one conversation to the assistant.
type Conversation struct {
	ID               string // unique per conversation, random
	ClientIdentifier string // ID + the target's client domain (the widget API keys its state on it)
	User             int
	Persona          string
	Data             map[string]map[string]string // the user's generated data, for request templates
}

// Turn is what one exchange with the assistant produced. Durations are
// read from the monotonic clock.
type Turn struct {
	SentAt   time.Time
	Status   int           // HTTP status of the (last) request, 0 when none came back
	Attempts int           // requests made, retries included
	Send     time.Duration // the request itself
	// Reply runs from the start of the request to the reply: its first
	// callback for asynchronous protocols, the response for synchronous ones.
	// Zero when no reply came.
	Reply      time.Duration
	Messages   []transcript.Message
	Callbacks  int
	Duplicates int
	// Usage is the assistant's own token usage when its protocol reports it
	// (openai), kept apart from the simulated customer's.
	Usage *transcript.Usage
	// ReplySentAt is when the sender says it sent the reply's first
	// callback (webhook.Reply.SentAt): zero unless it stamps its callbacks,
	// as the built-in simulator does.
	ReplySentAt time.Time
	// Stream is how a streamed reply arrived (openai with stream = true,
	// sse, and any protocol whose reply comes in pieces); nil when the
	// reply came in one piece.
	Stream *Stream
	// Burst says how a thought sent as several messages went (SendBurst);
	// nil for a message sent whole.
	Burst *BurstSent
}

// Stream is how one streamed reply arrived, its times read on the
// monotonic clock from the start of the request when each chunk's bytes
// arrived. A protocol fills it as chunks come, so a turn that failed half
// way still says what came.
type Stream struct {
	// FirstToken is the time to the first chunk carrying content (text or
	// media; a role-only chunk is not content); zero when none came.
	FirstToken time.Duration
	// Stall is the longest gap between two content chunks.
	Stall   time.Duration
	Chunks  int   // events (or frames) received
	Bytes   int64 // bytes read
	Content int   // chunks that carried content
	// Incomplete: the stream ended or was cut before its end marker.
	Incomplete bool
	// NoUsage: the protocol can report usage and this reply had none.
	NoUsage bool
	// Link is how a WebSocket connection fared during the turn
	// (protocol websocket); nil for protocols without a connection of
	// their own.
	Link *Link
	last time.Duration // when the last content chunk came
}

// Link counts what happened to a conversation's WebSocket connection
// during one turn.
type Link struct {
	Opened        int // connections opened (the first, a reconnect)
	ConnectFailed int // connections that could not be opened
	Closes        int // connections the assistant closed, or that broke, while the session had them open
	CloseCode     int // the last such close's code (1006: no close frame); 0 when none
	Reconnects    int // connections opened again after a drop (reconnect = true)
	Pings, Pongs  int // pings voyplan sent, pongs that came back
	PeerPings     int // pings the assistant sent (answered)
	NotUnderstood int // frames the frames expressions could not read
}

// content records a chunk carrying content that arrived at, from the start
// of the request.
func (s *Stream) content(at time.Duration) {
	if s.Content == 0 {
		s.FirstToken = at
	} else {
		s.Stall = max(s.Stall, at-s.last)
	}
	s.Content++
	s.last = at
}

// Last is when the last content chunk came, from the start of the request.
func (s *Stream) Last() time.Duration { return s.last }

// ErrStreamIncomplete: a streamed reply ended or was cut before its end
// marker. Sessions return it as a *StreamIncompleteError; the Turn carries
// the partial reply.
var ErrStreamIncomplete = errors.New("the stream ended before the end of the reply")

// StreamIncompleteError is ErrStreamIncomplete with what happened.
type StreamIncompleteError struct{ Cause string }

func (e *StreamIncompleteError) Error() string {
	return ErrStreamIncomplete.Error() + ": " + e.Cause
}

// Is makes a StreamIncompleteError ErrStreamIncomplete.
func (e *StreamIncompleteError) Is(target error) bool { return target == ErrStreamIncomplete }

// Reasons a ReplyError gives.
const (
	// ReasonConnectionLost: the connection dropped before the reply was
	// whole (and was not, or could not be, opened again).
	ReasonConnectionLost = "connection_lost"
	// ReasonBadFrame: a frame could not be read (not understood, too
	// large, one of a flood).
	ReasonBadFrame = "bad_frame"
)

// ReplyError is a reply that broke after the message was sent, for a
// Reason (ReasonConnectionLost, ReasonBadFrame); the Turn carries what
// came before.
type ReplyError struct {
	Reason string
	Err    error
}

func (e *ReplyError) Error() string { return e.Err.Error() }

func (e *ReplyError) Unwrap() error { return e.Err }

// ErrNoReply: the message was accepted but no reply came within the reply
// timeout. Sessions return it as a *NoReplyError, which says how long that
// was.
var ErrNoReply = errors.New("no reply within the reply timeout")

// NoReplyError is ErrNoReply with the reply timeout that ran out, and,
// when the protocol knows one, why the reply may not have come (Why).
type NoReplyError struct {
	Timeout time.Duration
	Why     string
}

func (e *NoReplyError) Error() string { return ErrNoReply.Error() }

// Detail is what a transcript says of the missing reply: "no reply within
// 10s", and why, when known.
func (e *NoReplyError) Detail() string {
	d := fmt.Sprintf("no reply within %s", e.Timeout)
	if e.Why != "" {
		d += ": " + e.Why
	}
	return d
}

// Is makes a NoReplyError ErrNoReply.
func (e *NoReplyError) Is(target error) bool { return target == ErrNoReply }

// ReplyWait is how long an exchange waits for its reply: the conversation
// block's reply_timeout and reply_settle, built once from the plan
// (ReplyWaitOf) and read by every protocol.
type ReplyWait struct {
	// Timeout is reply_timeout: no reply by then is a NoReplyError. For
	// synchronous protocols it bounds each request, retries included.
	Timeout time.Duration
	// Settle is reply_settle: the quiet period that gathers a reply split
	// over callbacks (asynchronous protocols).
	Settle time.Duration
}

// ReplyWaitOf is conv's reply_timeout and reply_settle.
func ReplyWaitOf(conv plan.Conversation) ReplyWait {
	return ReplyWait{Timeout: conv.ReplyTimeout, Settle: conv.ReplySettle}
}

// noReply is the error of a reply that did not come within w.
func (w ReplyWait) noReply() error { return &NoReplyError{Timeout: w.Timeout} }

// Seeded is a protocol whose own draws (channel faults) come from the
// plan's seed; SetSeed is called before the first conversation.
type Seeded interface {
	SetSeed(seed uint64)
}

// SendError is a message the assistant did not accept: a transport error or
// an HTTP status the protocol treats as failure.
type SendError struct {
	Status int // 0 for transport errors
	Err    error
}

func (e *SendError) Error() string {
	if e.Status != 0 && e.Err == nil {
		return fmt.Sprintf("assistant answered HTTP %d", e.Status)
	}
	return e.Err.Error()
}

func (e *SendError) Unwrap() error { return e.Err }

// Session is one conversation's link to the assistant. It is used by one
// goroutine at a time.
type Session interface {
	// Exchange sends the customer's message for turn n (1-based) and returns
	// the assistant's reply. A failed send is a *SendError, a missing reply
	// *NoReplyError (ErrNoReply), a cancelled ctx ctx.Err(); the Turn carries whatever was
	// measured before the failure.
	Exchange(ctx context.Context, n int, text string) (Turn, error)
	// Late returns, by turn, reply items that arrived after their turn was
	// over (asynchronous protocols; nil otherwise). Call it after Close.
	Late() map[int][]transcript.Message
	// Close ends the session; later callbacks are counted as late.
	Close()
}

// Protocol opens sessions with one assistant. Safe for concurrent use.
type Protocol interface {
	Open(c Conversation) Session
}
