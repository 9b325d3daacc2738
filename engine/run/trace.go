package run

import (
	"context"
	"time"

	"github.com/voyplan/voyplan/engine/persona"
	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/tracing"
)

// The conversation's trace (Options.Tracer): every call here does nothing,
// and allocates nothing, when tracing is off.

// startTrace starts the conversation's trace and notes its id in the
// record; the returned context carries the root span.
func (c *conversation) startTrace(ctx context.Context) context.Context {
	ctx, c.span = c.r.opts.Tracer.StartConversation(ctx, tracing.Conversation{ID: c.rec.ID, User: c.rec.User, Persona: c.rec.Persona})
	c.rec.TraceID = c.span.TraceID()
	return ctx
}

// startTurn starts turn n's span; the returned context carries it to the
// persona's generation and to the requests of the exchange.
func (c *conversation) startTurn(ctx context.Context, n int) (context.Context, tracing.Span) {
	return c.r.opts.Tracer.StartTurn(ctx, n, c.rec.Persona)
}

// endTurn ends turn n's span with the turn's figures, when it has a
// record (a turn the persona ended before sending has none), and how it
// ended.
func (c *conversation) endTurn(span tracing.Span, n int, out ending, done bool) {
	if !span.Recording() {
		return
	}
	e := tracing.TurnEnd{Outcome: tracing.OutcomeReplied, ReplyMS: -1}
	if done {
		e.Outcome, e.Reason = string(out.outcome), out.reason
	}
	if len(c.rec.Turns) >= n {
		t := &c.rec.Turns[n-1]
		e.SendMS, e.Status, e.Attempts = t.SendMS, t.Status, t.Attempts
		if t.ReplyMS != nil {
			e.ReplyMS = *t.ReplyMS
		}
		if t.LLM != nil {
			e.LLMMS = t.LLM.MS
		}
	}
	span.EndTurn(e)
}

// traceLLM records the persona's generation of a turn's message (none for
// a script or rules persona, which call no model).
func (c *conversation) traceLLM(ctx context.Context, began time.Time, step persona.Step, err error) {
	if c.r.opts.Tracer == nil || step.LLM == nil {
		return
	}
	call := step.LLM
	c.r.opts.Tracer.LLM(ctx, began, tracing.LLM{MS: call.MS, InputTokens: call.InputTokens,
		OutputTokens: call.OutputTokens + call.ThinkingTokens, Failed: err != nil})
}

// traceReply records the wait from the request to the reply (or to the
// end of the exchange, when none came).
func (c *conversation) traceReply(ctx context.Context, x protocol.Turn, returned time.Time) {
	if c.r.opts.Tracer == nil {
		return
	}
	end := returned
	if x.Reply > 0 {
		end = x.SentAt.Add(x.Reply)
	}
	c.r.opts.Tracer.Reply(ctx, x.SentAt, end, x.Callbacks, x.Reply > 0)
}
