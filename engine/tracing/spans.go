package tracing

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Span names.
const (
	SpanConversation = "conversation" // the trace's root: one per conversation
	SpanTurn         = "turn"         // one per turn, under the conversation
	SpanLLM          = "llm"          // the persona's generation of the turn's message, under the turn
	SpanSend         = "send"         // one request to the assistant, under the turn (Transport)
	SpanReply        = "reply"        // from the request to the reply, under the turn
)

// Attribute keys of voyplan's spans.
const (
	AttrConversation = "voyplan.conversation.id"
	AttrUser         = "voyplan.user"
	AttrPersona      = "voyplan.persona"
	AttrTurn         = "voyplan.turn"
	AttrTurns        = "voyplan.turns"
	AttrOutcome      = "voyplan.outcome"
	AttrReason       = "voyplan.reason"
	AttrSendMS       = "voyplan.send_ms"
	AttrReplyMS      = "voyplan.reply_ms"
	AttrLLMMS        = "voyplan.llm_ms"
	AttrAttempts     = "voyplan.attempts"
	AttrCallbacks    = "voyplan.callbacks"
	AttrStatus       = "http.response.status_code"
	AttrInputTokens  = "gen_ai.usage.input_tokens"
	AttrOutputTokens = "gen_ai.usage.output_tokens"
)

// Span is one span of a conversation's trace. The zero Span — tracing
// off — does nothing.
type Span struct{ s trace.Span }

// Recording reports a span that is being recorded (tracing on).
func (s Span) Recording() bool { return s.s != nil }

// TraceID is the span's trace id in hex, "" for the zero Span.
func (s Span) TraceID() string {
	if s.s == nil {
		return ""
	}
	return s.s.SpanContext().TraceID().String()
}

// SpanID is the span's id in hex, "" for the zero Span.
func (s Span) SpanID() string {
	if s.s == nil {
		return ""
	}
	return s.s.SpanContext().SpanID().String()
}

// Conversation is who holds a conversation, for its root span.
type Conversation struct {
	ID      string
	User    int
	Persona string
}

// StartConversation starts a conversation's trace: the returned context
// carries its root span, under which the turns go.
func (t *Tracer) StartConversation(ctx context.Context, c Conversation) (context.Context, Span) {
	if t == nil {
		return ctx, Span{}
	}
	// A new root, whatever ctx carries: one trace per conversation.
	ctx, s := t.tracer.Start(ctx, SpanConversation, trace.WithNewRoot(), trace.WithAttributes(
		attribute.String(AttrConversation, c.ID), attribute.Int(AttrUser, c.User), attribute.String(AttrPersona, c.Persona)))
	return ctx, Span{s}
}

// EndConversation ends the root span with how the conversation ended.
func (s Span) EndConversation(outcome, reason string, turns int) {
	if s.s == nil {
		return
	}
	s.s.SetAttributes(attribute.String(AttrOutcome, outcome), attribute.Int(AttrTurns, turns))
	setReason(s.s, outcome, reason)
	s.s.End()
}

// StartTurn starts turn n's span under the conversation ctx carries; the
// returned context carries it, for the requests of the turn (Transport).
func (t *Tracer) StartTurn(ctx context.Context, n int, persona string) (context.Context, Span) {
	if t == nil {
		return ctx, Span{}
	}
	ctx, s := t.tracer.Start(ctx, SpanTurn, trace.WithAttributes(attribute.Int(AttrTurn, n), attribute.String(AttrPersona, persona)))
	return ctx, Span{s}
}

// TurnEnd is what a turn's span says when it ends. ReplyMS < 0: no reply.
type TurnEnd struct {
	Outcome, Reason string // the conversation's, when the turn ended it; "replied" when it goes on
	SendMS, ReplyMS float64
	LLMMS           float64 // 0: no generation (a script persona)
	Status          int     // the request's HTTP status; 0: none
	Attempts        int
}

// OutcomeReplied is a turn's outcome when the conversation goes on.
const OutcomeReplied = "replied"

// EndTurn ends a turn's span.
func (s Span) EndTurn(e TurnEnd) {
	if s.s == nil {
		return
	}
	s.s.SetAttributes(attribute.String(AttrOutcome, e.Outcome), attribute.Float64(AttrSendMS, e.SendMS),
		attribute.Int(AttrAttempts, e.Attempts))
	if e.ReplyMS >= 0 {
		s.s.SetAttributes(attribute.Float64(AttrReplyMS, e.ReplyMS))
	}
	if e.LLMMS > 0 {
		s.s.SetAttributes(attribute.Float64(AttrLLMMS, e.LLMMS))
	}
	if e.Status != 0 {
		s.s.SetAttributes(attribute.Int(AttrStatus, e.Status))
	}
	setReason(s.s, e.Outcome, e.Reason)
	s.s.End()
}

// setReason sets the reason and, for a failure, the span's error status.
func setReason(s trace.Span, outcome, reason string) {
	if reason != "" {
		s.SetAttributes(attribute.String(AttrReason, reason))
	}
	if outcome == "failed" {
		s.SetStatus(codes.Error, reason)
	}
}

// LLM is one generation of the persona's model, for its span.
type LLM struct {
	MS                        float64
	InputTokens, OutputTokens int64
	Failed                    bool
}

// LLM records the generation of a turn's message, from start to now,
// under the turn ctx carries.
func (t *Tracer) LLM(ctx context.Context, start time.Time, g LLM) {
	if t == nil {
		return
	}
	_, s := t.tracer.Start(ctx, SpanLLM, trace.WithTimestamp(start), trace.WithAttributes(
		attribute.Float64(AttrLLMMS, g.MS), attribute.Int64(AttrInputTokens, g.InputTokens), attribute.Int64(AttrOutputTokens, g.OutputTokens)))
	if g.Failed {
		s.SetStatus(codes.Error, "the generation failed")
	}
	s.End()
}

// Reply records the wait for a reply, from the request (sent) to the
// reply or to when the wait ended (end), under the turn ctx carries.
func (t *Tracer) Reply(ctx context.Context, sent, end time.Time, callbacks int, replied bool) {
	if t == nil || sent.IsZero() {
		return
	}
	_, s := t.tracer.Start(ctx, SpanReply, trace.WithTimestamp(sent), trace.WithAttributes(attribute.Int(AttrCallbacks, callbacks)))
	if !replied {
		s.SetStatus(codes.Error, "no reply")
	}
	s.End(trace.WithTimestamp(end))
}
