// Package run carries out a plan: on a rig (engine/rig: the simulator, the
// webhook receiver, the tunnel, the protocol and the LLM clients, opened by
// the caller through Options.Rig, or by Run itself), it walks the compiled
// schedule starting and retiring virtual users, and runs each user's
// conversations (send a message and get the reply through the target's
// protocol — see engine/protocol — then judge it) until the
// stages end, every user is done, or the run is stopped. Every conversation
// that starts is handed to the Sink exactly once, with an outcome, and its
// start and turns to the Journal as they happen; the first write either
// cannot take stops the run as Stop does (Options.SinkFailed). Open
// stages (arrival_rate) start conversations at their due times instead,
// each by a fresh user, dropping those that find max_users in flight
// (open.go). A plan with a capacity block is a search instead of stages
// (capacity.go): each step sets the users, and every threshold is judged on
// its hold alone. The windows windowed thresholds are judged on are
// measured from the run's start through its graceful stop (windows.go);
// an abort threshold with a window stops the run at its first failing one.
//
// A conversation waiting holds no goroutine when its turns park
// (conversation.go): on the widget and webhook APIs (protocol.Parker) the
// goroutine that sent a turn's message ends, and the reply's arrival, its
// timeout or the run's end plays on from a goroutine of its own; think
// time is a timer, likewise. The conversation's end hands its record to
// its user, which goes on to its next conversation there (Runner.over).
// Parked waits end with the run through engine/internal/wake.
//
// A run can be steered by hand while it goes on (steer.go): SetTarget
// changes the current stage's target users — the scheduler goroutine, the
// only one to touch the user slots, re-plans the rest of the stage at its
// spawn rate — and StopByHand stops it as Stop does; both are kept in
// Steering and logged. With Options.Live it keeps its conversations in flight
// readable for a live view (live.go: copies, bounded), and with
// Options.Inspector the webhook receiver keeps its last callbacks there.
//
// With conversation.burst or double_text_rate, each message is typed as a
// person types it (burst.go): split into fragments at sentence, clause or
// word breaks, with gaps and a follow-up drawn from the user's seeded
// stream (datagen.StreamBurst), and sent through protocol.SendBurst.
//
// Every reply is checked for other customers' data (crosstalk.go, with
// engine/crosstalk's index, fed each user's data as its first conversation
// starts and each reply's links after its check); the turn keeps whose.
//
// A replay persona's conversations (replay.go) each take the next recording
// of an earlier run, with its customer's data; every reply is judged
// against the recorded one, and the first that diverged hands the
// conversation to the takeover persona, told the conversation so far, or
// ends it.
// With Options.Tracer each conversation is one trace (trace.go, with
// engine/tracing): a root span, a span per turn with its figures, the
// generation and the wait for the reply under it; the requests of the
// turn carry its context, and the record keeps the trace and span ids.
// Without one, nothing of it runs or allocates.
//
// It does not parse plans, open servers, tunnels or clients (engine/rig
// does), render tables or write result files: it emits
// conversations and keeps the metrics.Recorder up to date; the caller decides
// what to do with them.
package run
