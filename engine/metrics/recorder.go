package metrics

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// Recorder is a run's aggregator. Every method is safe for concurrent use by
// any number of virtual users; none blocks on I/O. Counters are atomics, and
// each timed operation has its own histogram under its own mutex, so
// unrelated operations never contend.
//
// A Snapshot taken while users are still recording is exact figure by figure
// and never shows more conversations ended than started; figures of different
// operations may differ by the operations in flight at that instant. The
// Snapshot taken after every user has stopped is exact.
type Recorder struct {
	send         pair // each with its successful operations apart (send_ok, …)
	reply        pair
	llm          pair
	llmWait      *timer // time generations waited for the client-side rate limits
	conversation *timer
	firstToken   *timer // streamed replies: request start to the first content chunk
	stall        *timer // streamed replies: the longest gap between two content chunks
	stream       streams
	// replyFromFirst times a thought's reply from its first message
	// (bursts, burst.go); burst counts how bursts were answered.
	replyFromFirst *timer
	burst          bursts
	llmAttempts    atomic.Int64 // model requests, retries included

	users    atomic.Int64
	attempts atomic.Int64                    // send requests, retries included
	webhook  atomic.Pointer[func() Webhook]  // the receiver's counters, once WatchWebhook is called
	whatsapp atomic.Pointer[func() WhatsApp] // the whatsapp protocol's counters, once WatchWhatsApp is called
	channel  atomic.Pointer[func() Channel]  // the channel's faults, once WatchChannel is called
	cost     costs
	total    tally
	replays  replays    // replayed conversations (replay.go)
	errors   errorTally // distinct errors, counted
	// assistant totals the assistant's own token usage (openai targets).
	assistant struct{ conversations, input, output atomic.Int64 }
	// assistantPrice prices that usage (SetAssistantPrice); nil: free.
	assistantPrice atomic.Pointer[Price]
	// personas maps a persona name to its *tally. It is preloaded with the
	// plan's personas, so they appear in every snapshot even before their
	// first conversation; a name not in the plan is added on first use.
	personas sync.Map
	// turnSLO is goodput's bar for each turn's reply (SetTurnSLO); 0: none.
	turnSLO atomic.Int64
}

// SetTurnSLO sets the reply latency every turn of a completed conversation
// must stay within for it to count in goodput; 0 (the default) counts every
// completed conversation. Call it before the first conversation ends.
func (r *Recorder) SetTurnSLO(d time.Duration) { r.turnSLO.Store(int64(d)) }

// NewRecorder returns a Recorder for a run of the given personas.
func NewRecorder(personas []string) *Recorder {
	r := &Recorder{
		send:         newPair(),
		reply:        newPair(),
		llm:          newPair(),
		llmWait:      newTimer(),
		conversation: newTimer(),
		firstToken:   newTimer(),
		stall:        newTimer(),

		replyFromFirst: newTimer(),
	}
	for _, p := range personas {
		r.personas.Store(p, new(tally))
	}
	return r
}

// Send records the POST of one customer message; ok is false when it failed
// (counted, not timed). A POST that timed out is SendTimedOut.
func (r *Recorder) Send(d time.Duration, ok bool) { r.send.add(d, ok) }

// SendTimedOut records a POST that ran out of time after d: failed, and
// timed at d in send (censored: it would have taken at least that), not in
// send_ok.
func (r *Recorder) SendTimedOut(d time.Duration) { r.send.timedOut(d) }

// Reply records the wait from the start of a POST to the reply's first
// callback; ok is false when it failed otherwise than by timing out
// (counted, not timed). A wait that ran out of time is ReplyTimedOut.
func (r *Recorder) Reply(d time.Duration, ok bool) { r.reply.add(d, ok) }

// ReplyTimedOut records a wait for a reply that gave up after d, from the
// start of the POST (reply_timeout or more): failed, and timed at d in
// reply (censored: the reply would have taken at least that), not in
// reply_ok.
func (r *Recorder) ReplyTimedOut(d time.Duration) { r.reply.timedOut(d) }

// LLM records one persona generation and adds its tokens and cost, whether
// it succeeded or not: a failed call may still have been billed. The time
// it waited for the rate limits (call.WaitMS) goes to llm_wait, its
// requests (call.Attempts) to llm.attempts.
func (r *Recorder) LLM(d time.Duration, ok bool, call transcript.LLMCall) {
	r.llm.add(d, ok)
	r.llmCall(call)
}

// LLMTimedOut records a generation that gave up after d because its last
// attempt ran out of time: failed, and timed at d in llm (censored), not in
// llm_ok; its tokens and cost as LLM.
func (r *Recorder) LLMTimedOut(d time.Duration, call transcript.LLMCall) {
	r.llm.timedOut(d)
	r.llmCall(call)
}

// llmCall records what a generation waited for and cost.
func (r *Recorder) llmCall(call transcript.LLMCall) {
	r.llmWait.add(fromMs(call.WaitMS), true)
	r.llmAttempts.Add(int64(call.Attempts))
	r.cost.add(call)
}

// UserStarted and UserStopped move the active users gauge.
func (r *Recorder) UserStarted() { r.users.Add(1) }

// UserStopped is UserStarted's counterpart.
func (r *Recorder) UserStopped() { r.users.Add(-1) }

// ConversationStarted counts a conversation as started. It must happen before
// the ConversationEnded of the same conversation.
func (r *Recorder) ConversationStarted(persona string) {
	r.total.started.Add(1)
	r.persona(persona).started.Add(1)
}

// LateStartSlack is how far behind its due time a conversation may start
// before it counts in conversations.late_starts: timer and scheduler jitter
// stay under it on a healthy machine.
const LateStartSlack = 10 * time.Millisecond

// ConversationDue records how late a conversation started against its due
// time; lateness above LateStartSlack counts as a late start, overall and
// for its persona.
func (r *Recorder) ConversationDue(persona string, lateness time.Duration) {
	if lateness <= LateStartSlack {
		return
	}
	r.total.lateStarts.Add(1)
	r.persona(persona).lateStarts.Add(1)
}

// ConversationDropped counts an arrival of an open stage that was not
// started because max_users conversations were in flight, overall and for
// the persona its user would have played.
func (r *Recorder) ConversationDropped(persona string) {
	r.total.dropped.Add(1)
	r.persona(persona).dropped.Add(1)
}

// ConversationEnded records how a conversation ended, overall and for its
// persona, and times it. The "conversation" timing covers the conversations
// that were judged: a completed one is timed; a failed or abandoned one is
// counted in conversation.failed (it did not complete); an interrupted one
// was cut short by the run and is left out.
func (r *Recorder) ConversationEnded(c *transcript.Conversation) {
	if u := c.AssistantTokens; u != nil {
		r.assistant.conversations.Add(1)
		r.assistant.input.Add(u.InputTokens)
		r.assistant.output.Add(u.OutputTokens)
		if usd := r.assistantPrice.Load().of(*u); usd > 0 {
			r.cost.assistant.add(usd)
			r.persona(c.Persona).cost.assistant.add(usd)
		}
	}
	good := withinSLO(c, time.Duration(r.turnSLO.Load()))
	r.total.end(c, good)
	r.persona(c.Persona).end(c, good)
	r.replays.end(c)
	if c.Outcome == transcript.Interrupted {
		return
	}
	d := time.Duration(math.Round(c.DurationMS * float64(time.Millisecond)))
	r.conversation.add(d, c.Outcome == transcript.Completed)
}

// withinSLO reports whether c completed with every turn's reply within
// slo (0: no bar).
func withinSLO(c *transcript.Conversation, slo time.Duration) bool {
	if c.Outcome != transcript.Completed {
		return false
	}
	for _, t := range c.Turns {
		if slo > 0 && (t.ReplyMS == nil || *t.ReplyMS > transcript.Ms(slo)) {
			return false
		}
	}
	return true
}

// persona returns the tally of the named persona, creating it if needed.
func (r *Recorder) persona(name string) *tally {
	if t, ok := r.personas.Load(name); ok {
		return t.(*tally)
	}
	t, _ := r.personas.LoadOrStore(name, new(tally))
	return t.(*tally)
}

// Snapshot returns a copy of every figure, sharing no memory with r, stamped
// with the run's elapsed time.
func (r *Recorder) Snapshot(elapsed time.Duration) Snapshot {
	s := Snapshot{
		Users:         r.users.Load(),
		Conversations: r.total.snapshot(),
		Send:          r.sendLatency(r.send.all),
		SendOK:        r.sendLatency(r.send.ok),
		Reply:         r.reply.all.latency(),
		ReplyOK:       r.reply.ok.latency(),
		LLM:           r.llmLatency(r.llm.all),
		LLMOK:         r.llmLatency(r.llm.ok),
		LLMWait:       r.llmWait.latency(),
		Conversation:  r.conversation.latency(),
		FirstToken:    r.firstToken.latency(),
		Stall:         r.stall.latency(),
		Stream:        r.stream.snapshot(),
		Assistant: Assistant{Conversations: r.assistant.conversations.Load(),
			InputTokens: r.assistant.input.Load(), OutputTokens: r.assistant.output.Load()},
		Cost:     r.cost.snapshot(),
		Personas: r.personaSnapshots(),
		Webhook:  r.webhookCounts(),
		WhatsApp: r.whatsappCounts(),
		Channel:  r.channelCounts(),
		Replay:   r.replays.snapshot(),
		Errors:   r.errors.snapshot(),

		ReplyFromFirst: r.replyFromFirst.latency(),
	}
	s.Burst, s.DoubleAnswers = r.burst.snapshot()
	s.SetElapsed(elapsed)
	s.perSuccess()
	return s
}

func (r *Recorder) personaSnapshots() map[string]Conversations {
	out := make(map[string]Conversations)
	r.personas.Range(func(name, t any) bool {
		c := t.(*tally).snapshot()
		c.derivePassK()
		out[name.(string)] = c
		return true
	})
	return out
}
