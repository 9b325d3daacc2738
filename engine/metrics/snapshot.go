package metrics

import "time"

// Snapshot is every figure of a run at one instant. Its field tags are the
// names thresholds see (`expr`) and the names summary.json carries (`json`):
// one vocabulary. Durations are time.Duration for expressions
// (reply.p95 < duration('30s')) and milliseconds (floats) in JSON.
type Snapshot struct {
	Elapsed       time.Duration `expr:"elapsed" json:"-"`
	Users         int64         `expr:"users" json:"users"` // active virtual users
	Conversations Conversations `expr:"conversations" json:"conversations"`
	// Goodput is the conversations per minute that completed with every
	// turn's reply within the conversation block's turn_slo (all completed
	// ones when it sets none): conversations.within_slo over the elapsed
	// time (of the run, or of a threshold's window).
	Goodput float64 `expr:"goodput" json:"goodput"`
	Send    Latency `expr:"send" json:"send"`   // the POST of a customer message
	Reply   Latency `expr:"reply" json:"reply"` // POST start to the reply's first callback
	LLM     Latency `expr:"llm" json:"llm"`     // one persona generation, retries included, limiter waits excluded
	// SendOK, ReplyOK and LLMOK are Send, Reply and LLM with their
	// timed-out operations left out of the timings (counted in failed, not
	// timed): the latency of the successful operations only.
	SendOK       Latency `expr:"send_ok" json:"send_ok"`
	ReplyOK      Latency `expr:"reply_ok" json:"reply_ok"`
	LLMOK        Latency `expr:"llm_ok" json:"llm_ok"`
	LLMWait      Latency `expr:"llm_wait" json:"llm_wait"`         // a generation's wait for the client-side rate limits
	Conversation Latency `expr:"conversation" json:"conversation"` // a whole conversation
	// FirstToken and Stall time streamed replies (openai with stream =
	// true, sse): request start to the first chunk carrying content, and
	// the longest gap between two content chunks of a reply. A streamed
	// reply with no content chunk is counted failed in first_token.
	FirstToken Latency                  `expr:"first_token" json:"first_token"`
	Stall      Latency                  `expr:"stall" json:"stall"`
	Stream     Stream                   `expr:"stream" json:"stream"` // how streamed replies arrived
	Cost       Cost                     `expr:"cost" json:"cost"`
	Personas   map[string]Conversations `expr:"personas" json:"personas"`
	Webhook    Webhook                  `expr:"webhook" json:"webhook"` // what reached the webhook receiver
	// WhatsApp counts a whatsapp target's deliveries and Graph API calls.
	WhatsApp WhatsApp `expr:"whatsapp" json:"whatsapp"`
	// Channel counts the faults made on the customer's side of the channel.
	Channel Channel `expr:"channel" json:"channel"`
	// Assistant is the token usage the assistant under test reported of
	// itself (openai targets), apart from the simulated customers' Cost.
	Assistant Assistant `expr:"assistant" json:"assistant"`
	// Replay counts the replayed conversations and where they diverged
	// from their recording (a persona with replay).
	Replay Replay `expr:"replay" json:"replay"`
	// Errors lists the run's distinct errors (kind and message) with their
	// counts, most frequent first; empty when nothing failed.
	Errors []ErrorCount `expr:"errors" json:"errors"`
	// ReplyFromFirst times a customer thought's reply from its first
	// message (reply times it from the last): for a thought typed as
	// several messages (conversation.burst), what the customer waited
	// since they began; for a message sent whole, the same as reply.
	ReplyFromFirst Latency `expr:"reply_from_first" json:"reply_from_first"`
	// DoubleAnswers counts the thoughts the bot answered more than once
	// (a reply after one of a burst's messages and another after a later
	// one); Burst how the bursts went.
	DoubleAnswers int64 `expr:"double_answers" json:"double_answers"`
	Burst         Burst `expr:"burst" json:"burst"`
	// Unrecorded names the figures this snapshot could not know, as a
	// check names them ("webhook", "conversations.late_starts"): a run
	// rebuilt from its journal after a crash has no receiver counters, no
	// late starts and no dropped arrivals. They read 0 in a check, and a
	// check that reads one has no data (engine/verdict).
	Unrecorded []string `expr:"-" json:"unrecorded,omitempty"`
}

// Assistant totals the token usage the assistant under test reported in its
// replies, over the ended conversations. Conversations counts those that
// reported any; all zero when its protocol reports none.
type Assistant struct {
	Conversations int64 `expr:"conversations" json:"conversations"`
	InputTokens   int64 `expr:"input_tokens" json:"input_tokens"`
	OutputTokens  int64 `expr:"output_tokens" json:"output_tokens"`
}

// Conversations counts conversations by outcome. SuccessRate is
// succeeded / (succeeded + failed + abandoned): conversations the run
// interrupted were never judged and do not count for or against it.
type Conversations struct {
	Started     int64            `expr:"started" json:"started"`
	Succeeded   int64            `expr:"succeeded" json:"succeeded"`
	Failed      int64            `expr:"failed" json:"failed"`
	Abandoned   int64            `expr:"abandoned" json:"abandoned"`
	Interrupted int64            `expr:"interrupted" json:"interrupted"`
	InFlight    int64            `expr:"in_flight" json:"in_flight"`
	SuccessRate float64          `expr:"success_rate" json:"success_rate"`
	Turns       int64            `expr:"turns" json:"turns"` // customer messages sent
	TurnsAvg    float64          `expr:"turns_avg" json:"turns_avg"`
	Reasons     map[string]int64 `expr:"reasons" json:"reasons"` // failures by reason
	// LateStarts counts the conversations that began more than
	// LateStartSlack after they were due: a user's first at its schedule
	// step, each next one pacing after the previous one ended. Non-zero
	// means the engine (CPU, spawning) fell behind the plan's schedule and
	// the offered load was lower than planned — the latencies beside it
	// were measured under less load than asked for.
	LateStarts int64 `expr:"late_starts" json:"late_starts"`
	// Dropped counts the arrivals of open stages (arrival_rate) that were
	// not started because max_users conversations were in flight (k6's
	// dropped_iterations): load the plan asked for and the run did not
	// offer. Closed stages never drop.
	Dropped int64 `expr:"dropped" json:"dropped"`
	// SimulatorDrift counts the customer messages that acted as the
	// assistant, DataMismatch those that disclosed personal data other than
	// the user's (transcript.Turn.Drift, DataMismatch).
	SimulatorDrift int64 `expr:"simulator_drift" json:"simulator_drift"`
	DataMismatch   int64 `expr:"data_mismatch" json:"data_mismatch"`
	// Crosstalk counts the assistant's replies that carried another
	// customer's data or payment link (transcript.Turn.Crosstalk): a bot
	// mixing sessions. Any is an incident.
	Crosstalk int64 `expr:"crosstalk" json:"crosstalk"`
	// WithinSLO counts the completed conversations every turn of which had
	// its reply within turn_slo (goodput's numerator).
	WithinSLO int64 `expr:"within_slo" json:"within_slo"`
	// Cost is what the ended conversations' generations cost.
	Cost Cost `expr:"cost" json:"cost"`
	// PassK (personas only) is pass^k for k = 1..min(n, 8): the chance
	// that k conversations of the persona all succeed, estimated from its n
	// judged conversations, c of them successful, as C(c,k)/C(n,k).
	// personas["edman"].pass_k[4]; a k past n is absent and reads 0 in a
	// check, so a check on it fails until there are k conversations.
	PassK map[int]float64 `expr:"pass_k" json:"pass_k,omitempty"`
}

// Latency is the distribution of one timed operation. Failed operations are
// counted in Count and Failed. An operation that timed out (send, reply,
// llm) is also Censored: it is in the timings at the time it waited — its
// true duration was at least that — as k6 and Locust count a timed-out
// request, so a run whose replies time out cannot show a healthy p95.
// Other failures (a refused connection, an HTTP 500) are counted but not
// timed. The timings are of Count - Failed + Censored operations.
// ErrorRate is Failed / Count. The _ok variants (send_ok, reply_ok, llm_ok)
// time the successful operations only: Censored is 0 there.
type Latency struct {
	Count     int64         `expr:"count" json:"count"`
	Failed    int64         `expr:"failed" json:"failed"`
	Censored  int64         `expr:"censored" json:"censored"` // timed out: failed, timed at the time waited
	ErrorRate float64       `expr:"error_rate" json:"error_rate"`
	Min       time.Duration `expr:"min" json:"min"`
	Avg       time.Duration `expr:"avg" json:"avg"`
	P50       time.Duration `expr:"p50" json:"p50"`
	P90       time.Duration `expr:"p90" json:"p90"`
	P95       time.Duration `expr:"p95" json:"p95"`
	P99       time.Duration `expr:"p99" json:"p99"`
	Max       time.Duration `expr:"max" json:"max"`
	// Attempts is the requests made, retries included (send only: a
	// message retried twice is one Count and three Attempts).
	Attempts int64 `expr:"attempts" json:"attempts,omitempty"`
}

// Cost is what the simulated customers' LLM calls cost (USD) and what the
// assistant's own reported tokens cost at the plan's prices (Assistant,
// the assistant block: 0 without one). PerSuccess is the two together
// divided by the conversations that succeeded (0 when none did: a check
// on it has no data then).
type Cost struct {
	USD            float64 `expr:"usd" json:"usd"`
	Assistant      float64 `expr:"assistant" json:"assistant"`
	PerSuccess     float64 `expr:"per_success" json:"per_success"`
	InputTokens    int64   `expr:"input_tokens" json:"input_tokens"`
	OutputTokens   int64   `expr:"output_tokens" json:"output_tokens"`
	ThinkingTokens int64   `expr:"thinking_tokens" json:"thinking_tokens"`
}

// SetElapsed stamps s with the time its figures cover and derives what is
// a rate over it (goodput).
func (s *Snapshot) SetElapsed(d time.Duration) {
	s.Elapsed = d
	s.Goodput = 0
	if d > 0 {
		s.Goodput = float64(s.Conversations.WithinSLO) / d.Minutes()
	}
}

// perSuccess sets Cost.PerSuccess from the run's cost and successes.
func (s *Snapshot) perSuccess() {
	s.Cost.PerSuccess = 0
	if n := s.Conversations.Succeeded; n > 0 {
		s.Cost.PerSuccess = (s.Cost.USD + s.Cost.Assistant) / float64(n)
	}
}

// Timer is the timed operation of that name as thresholds know it (send,
// reply, llm, llm_wait, conversation, the _ok variants, first_token,
// stall); the zero Latency for any other name.
func (s Snapshot) Timer(name string) Latency {
	if l, ok := s.latencies()[name]; ok {
		return *l
	}
	return Latency{}
}
