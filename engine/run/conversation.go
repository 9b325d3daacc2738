package run

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/voyplan/voyplan/engine/internal/wake"

	"github.com/expr-lang/expr"
	"github.com/google/uuid"

	"github.com/voyplan/voyplan/engine/internal/offstack"
	"github.com/voyplan/voyplan/engine/persona"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/tracing"
	"github.com/voyplan/voyplan/engine/transcript"
)

// conversation is one conversation in progress.
//
// It holds no goroutine while it thinks before a message, nor while it
// waits for a reply on a protocol that can park (protocol.Parker: the
// widget and webhook APIs). The goroutine that played up to there goes;
// the think time's end (nap) or the reply's arrival (replied) — or the
// run's end, or its drain — plays on from a goroutine of its own. What a
// turn needs across that gap is kept here (the turn in flight: n, tctx,
// tspan, step1, x). Ten thousand conversations waiting are ten thousand
// of these, not ten thousand goroutines' stacks (BENCH.md, memory).
type conversation struct {
	r       *Runner
	v       *vu // the virtual user holding it
	user    *plan.User
	rec     *transcript.Conversation
	session protocol.Session // the link to the assistant (protocol.go)
	driver  persona.Driver
	replay  *persona.Replay // a replayed conversation's driver, judging each reply (replay.go); nil otherwise
	cause   error           // the error that ended it, when one did: for the errors table (errors.go)
	span    tracing.Span    // the conversation's root span; zero with tracing off (trace.go)
	ctx     context.Context // the conversation's, with its trace
	// direct: its session parks every turn (protocol.Parker), so no
	// goroutine waits inside it and the deep calls (the persona, the
	// record, the send) run on the calling goroutine, which ends when the
	// turn parks, not off its stack (engine/internal/offstack): three
	// hand-offs a turn fewer.
	direct bool

	// Thinking (nap).
	napMu    sync.Mutex  // guards napTimer and napping
	napTimer *time.Timer // made at the first think time, reset at the next
	napping  bool        // a think time in progress: whoever ends it (the timer, the run's end, its drain) takes it
	thought  bool        // the think time before turn n is over

	// The turn in flight.
	n     int
	tctx  context.Context // the turn's context, with its span
	tspan tracing.Span
	step1 persona.Step  // the persona's step (next)
	x     protocol.Turn // the exchange (turn)
}

// converse holds one whole conversation. When it ends without its
// goroutine having to wait, converse returns its record and true;
// otherwise it returns false, the conversation goes on without a goroutine
// (see conversation), and its end hands the record to its user
// (Runner.over), whatever happened. ctx ending means the run was cut: the
// conversation is interrupted.
func (r *Runner) converse(ctx context.Context, v *vu, user *plan.User) (*transcript.Conversation, bool) {
	// The id is random, never seeded: the assistant keys its state on it.
	// It is the start of the client identifier, one string for both.
	client := uuid.NewString() + r.plan.Target.ClientDomain
	id := client[:len(client)-len(r.plan.Target.ClientDomain)]
	user, recording := r.replaying(user) // replay.go: a replayed conversation holds the recorded customer's data
	c := &conversation{
		r:    r,
		v:    v,
		user: user,
		rec: &transcript.Conversation{
			ID:               id,
			User:             v.n,
			Persona:          user.Persona.Name,
			Data:             user.Data,
			ClientIdentifier: client,
			Turns:            []transcript.Turn{},
		},
		n: 1,
	}
	c.rec.StartedAt = time.Now() // with its monotonic reading: the duration is read from it
	// The beginning and the end (the persona's driver, the journal's and the
	// results' writes, the session's opening and closing) go deeper than a
	// waiting user: they run off its stack, as the turns' records do
	// (recorded).
	c.ctx, _ = offstack.Run(func() (context.Context, error) { return c.begin(ctx, recording), nil })
	out, over := c.play()
	if !over {
		return nil, false
	}
	c.end(out)
	return c.rec, true
}

// end closes the conversation with its outcome.
func (c *conversation) end(out ending) {
	c.session.Close() // here: a WebSocket's closing handshake waits on the assistant
	if c.direct {
		c.close(out.outcome, out.reason, out.detail)
		return
	}
	_, _ = offstack.Run(func() (struct{}, error) { c.close(out.outcome, out.reason, out.detail); return struct{}{}, nil })
}

// begin makes the conversation's driver (replaying recording, when not
// nil) and starts its trace, journal entry, cross-talk index entry, session
// and live view; it returns ctx with the trace.
func (c *conversation) begin(ctx context.Context, recording *transcript.Conversation) context.Context {
	r := c.r
	if recording != nil {
		c.rec.Replay = &transcript.Replay{Recording: recording.ID, RecordedUser: recording.User}
		c.driver = c.replayDriver(recording)
	} else {
		c.driver = r.newDriver(c.user)
	}
	ctx = c.startTrace(ctx) // trace.go
	if j := r.opts.Journal; j != nil {
		if err := j.Begin(c.rec); err != nil {
			r.sinkFailed(err)
		}
	}
	r.indexUser(c.xtalkUser(), c.user.Data) // crosstalk.go
	c.session = r.open(c.rec)
	p, ok := c.session.(protocol.Parker)
	c.direct = ok && p.Parks() && !r.plan.Conversation.Burst.On()
	r.rec.ConversationStarted(c.user.Persona.Name)
	r.live.begin(c.rec)
	return ctx
}

// close ends the conversation with its outcome: its record, session,
// trace and live view.
func (c *conversation) close(outcome transcript.Outcome, reason, detail string) {
	c.finalize(outcome, reason, detail)
	c.span.EndConversation(string(outcome), reason, len(c.rec.Turns))
	c.r.noteError(c.rec, c.cause)
	c.r.live.end(c.rec)
}

// play runs turns from c.n on until the conversation has an outcome
// (over) or parks (not over: nap or replied goes on).
func (c *conversation) play() (out ending, over bool) {
	conv := c.r.plan.Conversation
	for ; ; c.n++ {
		if c.n > conv.MaxTurns {
			return maxTurns(conv.MaxTurns), true
		}
		if c.n > 1 && !c.thought {
			if d := c.r.thinkTime(c.v); d > 0 { // wait.go
				c.nap(d)
				return ending{}, false
			}
			if c.cut() {
				return ending{outcome: transcript.Interrupted}, true
			}
		}
		c.thought = false
		c.tctx, c.tspan = c.startTurn(c.ctx, c.n) // trace.go
		out, done, parked := c.step(c.tctx, c.n, c.lastReply())
		if parked {
			return ending{}, false
		}
		if c.turnEnded(out, done) {
			return out, true
		}
	}
}

// turnEnded ends the turn in flight's span and reports whether the
// conversation is over.
func (c *conversation) turnEnded(out ending, done bool) bool {
	c.endTurn(c.tspan, c.n, out, done)
	return done
}

// lastReply is the previous turn's reply, the persona's input: nil before
// the first turn.
func (c *conversation) lastReply() []transcript.Message {
	if len(c.rec.Turns) == 0 {
		return nil
	}
	return c.rec.Turns[len(c.rec.Turns)-1].Messages
}

// replied is a parked turn's reply (or its failure, err), on a goroutine
// of its own: it records the turn and plays on.
func (c *conversation) replied(err error) {
	out, done := c.recorded(c.tctx, c.n, &c.step1, err)
	if c.turnEnded(out, done) {
		c.over(out)
		return
	}
	c.n++
	c.resume()
}

// resume plays on from turn c.n, on a goroutine the conversation may keep.
func (c *conversation) resume() {
	if out, over := c.play(); over {
		c.over(out)
	}
}

// over ends a conversation that parked on the way, and hands its record
// to its user.
func (c *conversation) over(out ending) {
	c.end(out)
	c.r.over(c.v, c.rec)
}

// nap is the think time d before turn c.n, with no goroutine: its timer
// plays on (napped), the run's end or drain ends the conversation
// interrupted (Wake), whichever comes first.
func (c *conversation) nap(d time.Duration) {
	c.napMu.Lock() // a wake meanwhile waits for the nap to be whole
	c.napping = true
	wake.Watch(c.ctx, (*napper)(c))
	wake.Watch(c.r.drainCtx, (*napper)(c))
	if c.napTimer == nil {
		c.napTimer = time.AfterFunc(d, c.napped)
	} else {
		c.napTimer.Reset(d)
	}
	c.napMu.Unlock()
	if c.cut() { // perhaps before it was watched
		go c.woke(false)
	}
}

// napped is the think time's timer: on its own goroutine.
func (c *conversation) napped() { c.woke(true) }

// napper is a thinking conversation as the wake.Waiter of the run's
// contexts (its end, its drain).
type napper conversation

func (n *napper) Wake() { (*conversation)(n).woke(false) }

// woke ends the think time in progress, if no one else did: the turn goes
// on when it ran out (ok), the conversation ends interrupted when the run
// cut it.
func (c *conversation) woke(ok bool) {
	c.napMu.Lock()
	napping := c.napping
	if napping {
		c.napping = false
		c.napTimer.Stop()
	}
	c.napMu.Unlock()
	if !napping {
		return
	}
	wake.Unwatch(c.ctx, (*napper)(c))
	wake.Unwatch(c.r.drainCtx, (*napper)(c))
	if !ok {
		c.over(ending{outcome: transcript.Interrupted})
		return
	}
	c.thought = true
	c.resume()
}

// maxTurns is the ending of a conversation that ran out of turns.
func maxTurns(n int) ending {
	return ending{transcript.Failed, transcript.ReasonMaxTurns, fmt.Sprintf("no completion after %d turns", n)}
}

// step is turn n: the persona's message, then the exchange; done reports
// an outcome, parked a turn whose reply will come to replied.
func (c *conversation) step(ctx context.Context, n int, reply []transcript.Message) (out ending, done, parked bool) {
	step, out, done := c.next(ctx, n, reply)
	if done {
		return out, true, false
	}
	return c.turn(ctx, n, step)
}

// next is the persona's message for turn n; done (with out) when the
// persona ended the conversation instead.
//
//go:noinline
func (c *conversation) next(ctx context.Context, n int, reply []transcript.Message) (*persona.Step, ending, bool) {
	began := time.Now()
	var step persona.Step
	var err error
	if c.direct {
		step, err = c.driver.Next(ctx, reply)
	} else {
		step, err = offstack.Call(func() (persona.Step, error) { return c.driver.Next(ctx, reply) }) // deep: see engine/internal/offstack
	}
	c.recordLLM(ctx, step, err)
	c.traceLLM(ctx, began, step, err) // trace.go
	switch {
	case errors.Is(err, persona.ErrExhausted):
		return nil, ending{transcript.Failed, transcript.ReasonScriptExhausted, err.Error()}, true
	case errors.Is(err, persona.ErrStuck):
		return nil, ending{transcript.Failed, transcript.ReasonPersonaStuck, err.Error()}, true
	case errors.Is(err, persona.ErrRule):
		return nil, ending{transcript.Failed, transcript.ReasonPredicateError, err.Error()}, true
	case ctx.Err() != nil:
		return nil, ending{outcome: transcript.Interrupted}, true
	case err != nil:
		c.cause = err
		return nil, ending{transcript.Failed, transcript.ReasonLLMError, err.Error()}, true
	case step.Stop:
		return nil, ending{outcome: transcript.Abandoned, detail: c.stopDetail(step)}, true
	}
	c.r.live.sending(c.rec.ID, n, step.Text)
	c.step1 = step
	return &c.step1, ending{}, false
}

// turned hands the turn that just ended to the journal and the live view.
//
//go:noinline
func (c *conversation) turned() {
	c.journalTurn()
	c.r.live.turned(c.rec.ID, c.rec.Turns[len(c.rec.Turns)-1])
}

// journalTurn hands the turn that just ended to the Journal, if any.
func (c *conversation) journalTurn() {
	if j := c.r.opts.Journal; j != nil {
		if err := j.Turn(c.rec.ID, &c.rec.Turns[len(c.rec.Turns)-1]); err != nil {
			c.r.sinkFailed(err)
		}
	}
}

// cut reports that the conversation must end before its next message:
// the run is stopping (drained) or over. A think time that is on ends so
// when it is (nap).
func (c *conversation) cut() bool {
	return c.r.isDraining() || c.ctx.Err() != nil
}

type ending struct {
	outcome        transcript.Outcome
	reason, detail string
}

// turn sends one message and waits for the reply, or parks (see
// conversation); done reports an outcome.
func (c *conversation) turn(ctx context.Context, n int, step *persona.Step) (out ending, done, parked bool) {
	var err error
	switch s, ok := c.session.(protocol.Parker); {
	case c.r.plan.Conversation.Burst.On():
		c.x, err = c.exchangeBurst(ctx, n, step.Text) // burst.go
	case ok:
		c.x = protocol.Turn{}
		if parked, err = s.Start(ctx, n, step.Text, &c.x, c.replied); parked {
			return ending{}, false, true
		}
	default:
		c.x, err = c.session.Exchange(ctx, n, step.Text)
	}
	out, done = c.recorded(ctx, n, step, err)
	return out, done, false
}

// recorded records turn n from its exchange (c.x and err), hands it to the
// journal and the live view, and says how the conversation goes on. Unless
// direct, it runs off the calling goroutine's stack
// (engine/internal/offstack): the checks of the reply and the journal's
// write go deep, and a user's goroutine would keep the stack they grew.
func (c *conversation) recorded(ctx context.Context, n int, step *persona.Step, err error) (ending, bool) {
	if c.direct {
		out, done := c.record(ctx, n, step, &c.x, err)
		c.turned()
		return out, done
	}
	type recorded struct {
		out  ending
		done bool
	}
	r, _ := offstack.Run(func() (recorded, error) {
		out, done := c.record(ctx, n, step, &c.x, err)
		c.turned()
		return recorded{out, done}, nil
	})
	return r.out, r.done
}

// record makes turn n's record from its exchange, x and err, and says how
// the conversation goes on.
//
//go:noinline
func (c *conversation) record(ctx context.Context, n int, step *persona.Step, xp *protocol.Turn, err error) (ending, bool) {
	r, x := c.r, *xp
	returned := time.Now()
	t := transcript.Turn{N: n, Sent: step.Text, LLM: step.LLM, Messages: []transcript.Message{}, Late: []transcript.Message{},
		Drift: step.Drift, DataMismatch: step.DataMismatch, SpanID: c.tspan.SpanID()}
	c.traceReply(ctx, x, returned) // trace.go
	send, status, sent := x.Send, x.Status, accepted(x, err)
	t.SentAt, t.SendMS, t.Status, t.Attempts = x.SentAt, transcript.Ms(send), status, x.Attempts
	t.Burst = burstOf(x)
	r.rec.SendAttempts(x.Attempts)
	c.logSent(ctx, n, step.Text, status, send, sendErr(x, err))
	if !sent && ctx.Err() != nil {
		c.rec.Turns = append(c.rec.Turns, t)
		return ending{outcome: transcript.Interrupted}, true
	}
	c.recordSend(send, sent, err)
	if !sent {
		if x.Stream != nil && x.Stream.Link != nil { // a WebSocket connection that could not be opened, or dropped between turns
			t.Stream = streamOf(x)
			r.rec.Linked(t.Stream)
		}
		c.rec.Turns = append(c.rec.Turns, t)
		c.cause = err
		return ending{transcript.Failed, transcript.ReasonSendError, err.Error()}, true
	}
	c.logReply(ctx, n, replyOf(x), err, x.SentAt)
	c.recordThought(ctx, x, t.Burst, err, returned)                 // burst.go
	noReply, timedOut := errors.AsType[*protocol.NoReplyError](err) // the protocol's reply timeout ran out
	switch {
	case timedOut: // censored: the reply would have taken at least as long as the wait, from the POST on
		r.rec.ReplyTimedOut(max(returned.Sub(x.SentAt), noReply.Timeout))
		if x.Stream != nil { // a stream that stalled past the timeout: what came is kept
			t.Messages, t.Stream = append(t.Messages, x.Messages...), streamOf(x)
			r.rec.Streamed(t.Stream)
		}
		c.rec.Turns = append(c.rec.Turns, t)
		return ending{transcript.Failed, transcript.ReasonReplyTimeout, noReply.Detail()}, true
	case errors.Is(err, protocol.ErrStreamIncomplete) && ctx.Err() == nil: // failed, the partial reply kept
		return c.broken(t, x, transcript.ReasonStreamIncomplete, err), true
	case errors.As(err, new(*protocol.ReplyError)) && ctx.Err() == nil: // the reply broke (connection lost, a bad frame)
		re, _ := errors.AsType[*protocol.ReplyError](err)
		return c.broken(t, x, re.Reason, err), true
	case err != nil: // cut by the run: what came of the reply is kept, so every callback taken is in a transcript
		t.Messages, t.Callbacks, t.Duplicates = append(t.Messages, x.Messages...), x.Callbacks, x.Duplicates
		c.rec.Turns = append(c.rec.Turns, t)
		return ending{outcome: transcript.Interrupted}, true
	}
	r.rec.Reply(x.Reply, true)
	t.Stream = streamOf(x)
	r.rec.Streamed(t.Stream)
	ms := transcript.Ms(x.Reply)
	t.ReplyMS, t.Messages, t.Callbacks, t.Duplicates = &ms, x.Messages, x.Callbacks, x.Duplicates
	if !x.ReplySentAt.IsZero() {
		simSentAt := x.ReplySentAt // a copy: a pointer into x would keep all of x with the turn's record
		t.SimSentAt = &simSentAt
	}
	t.AssistantUsage = x.Usage
	t.Crosstalk = c.crosstalk(ctx, n, x.Messages) // crosstalk.go
	t.Replay = c.judgeReplay(ctx, n, x.Messages)  // replay.go
	c.appendTurn(t)
	return c.judge(n, x.Messages)
}

// appendTurn adds t, a turn answered, to the record. The first turn's
// slice holds it alone (a conversation waiting on its second reply holds no
// more); the second makes room for every turn the conversation may take,
// up to maxTurnsRoom, rather than doubling the slice four times on the way
// (issue 16: ~0.7 KiB of garbage a turn). A turn that ends the
// conversation otherwise (cut, failed) is appended as it is: when a run
// ends, every conversation in flight records one at once, and room for
// max_turns each was the memory run's peak (+10 MiB at 10,000).
func (c *conversation) appendTurn(t transcript.Turn) {
	if ts := c.rec.Turns; len(ts) == 1 && cap(ts) == 1 {
		if m := c.r.plan.Conversation.MaxTurns; m > 2 && m <= maxTurnsRoom {
			c.rec.Turns = append(make([]transcript.Turn, 0, m), ts[0])
		}
	}
	c.rec.Turns = append(c.rec.Turns, t)
}

// maxTurnsRoom is the most turns appendTurn makes room for at once.
const maxTurnsRoom = 64

// broken ends a turn whose reply broke after the message was sent (a
// stream cut, a connection lost, a bad frame): failed for reason, the
// partial reply kept in the transcript.
func (c *conversation) broken(t transcript.Turn, x protocol.Turn, reason string, err error) ending {
	r := c.r
	r.rec.Reply(x.Reply, false)
	t.Messages, t.Stream = append(t.Messages, x.Messages...), streamOf(x)
	r.rec.Streamed(t.Stream)
	c.rec.Turns = append(c.rec.Turns, t)
	return ending{transcript.Failed, reason, err.Error()}
}

// recordSend hands a send to the metrics: one that timed out is timed at
// the time it waited (censored), one that failed otherwise (refused, HTTP
// 500) is counted, not timed.
func (c *conversation) recordSend(d time.Duration, sent bool, err error) {
	if !sent && timedOut(err) {
		c.r.rec.SendTimedOut(d)
		return
	}
	c.r.rec.Send(d, sent)
}

// timedOut reports an operation that ran out of its own time (a client
// timeout, a deadline), not one the run cut: callers have ruled that out.
func timedOut(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

// judge evaluates complete_when on a reply.
func (c *conversation) judge(n int, msgs []transcript.Message) (ending, bool) {
	pred := c.r.plan.Conversation.CompleteWhen
	env := c.user.BorrowTurnEnv(msgs, n)
	out, err := expr.Run(pred.Program, env)
	plan.ReturnTurnEnv(env)
	if err != nil {
		return ending{transcript.Failed, transcript.ReasonPredicateError, err.Error()}, true
	}
	if ok, _ := out.(bool); ok {
		return ending{outcome: transcript.Completed}, true
	}
	return ending{}, false
}

// finalize closes the record: outcome, late callbacks, totals.
func (c *conversation) finalize(outcome transcript.Outcome, reason, detail string) {
	for turn, msgs := range c.session.Late() {
		if turn >= 1 && turn <= len(c.rec.Turns) {
			t := &c.rec.Turns[turn-1]
			t.Late = append(t.Late, msgs...)
		}
	}
	rec := c.rec
	rec.Outcome, rec.Reason, rec.Error = outcome, reason, c.r.plan.Redact(detail) // a sensitive value in a URL reaches error texts
	rec.EndedAt = time.Now()
	rec.DurationMS = transcript.Ms(rec.EndedAt.Sub(rec.StartedAt))
	rec.AssistantTokens = assistantTokens(rec.Turns)
	for _, t := range rec.Turns {
		if t.LLM != nil {
			rec.AddLLM(t.LLM)
		}
	}
}

// finish hands a conversation to the metrics and the sink, off the
// user's stack (see converse).
//
//go:noinline
func (r *Runner) finish(c *transcript.Conversation) {
	_, _ = offstack.Run(func() (struct{}, error) { r.sink(c); return struct{}{}, nil })
}

func (r *Runner) sink(c *transcript.Conversation) {
	r.rec.ConversationEnded(c)
	if r.log.Enabled(context.Background(), slog.LevelDebug) { // the attributes cost allocations a turn's CPU would pay
		r.log.Debug("conversation ended", "id", c.ID, "user", c.User, "persona", c.Persona,
			"outcome", c.Outcome, "reason", c.Reason, "turns", len(c.Turns), "ms", c.DurationMS)
	}
	if r.opts.Sink == nil {
		return
	}
	if err := r.opts.Sink.Write(c); err != nil {
		r.sinkFailed(err)
	}
}
