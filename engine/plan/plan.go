package plan

import (
	"time"

	"github.com/expr-lang/expr/vm"
	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/names"
	"github.com/voyplan/voyplan/engine/plan/peruser"
	"github.com/voyplan/voyplan/engine/plan/schedule"
	"github.com/voyplan/voyplan/engine/plan/target"
)

// Plan is a loaded, validated plan: plain data the engine runs. Everything a
// run needs is here or reachable from here; nothing in it refers back to the
// file except the hcl.Range fields kept for diagnostics and the expressions
// evaluated per virtual user (data blocks, persona prompts and scripts).
type Plan struct {
	Name        string
	Description string
	// Seed drives every random choice of the run (persona mix, generated
	// data). When the file says 0, Load draws one and records it here, so a
	// run can always be reproduced from its summary.
	Seed uint64
	// SeedFromFile is false when Seed was drawn at load time.
	SeedFromFile bool
	// File is the plan's path as given; Dir the directory relative paths are
	// resolved against; Hash the SHA-256 (hex) of the file's bytes.
	File string
	Dir  string
	Hash string

	Target       Target
	Webhook      Webhook
	Simulator    *Simulator // nil: no built-in simulator is started
	LLMs         map[string]*LLM
	Personas     []*Persona // in file order; weights > 0 sum > 0
	Conversation Conversation
	Stages       []schedule.Stage
	Thresholds   []*Threshold
	Prometheus   *Prometheus // an output "prometheus" block; nil: none
	OTLP         *OTLP       // an output "otlp" block; nil: none (the environment may still turn tracing on)
	// Capacity, when the plan has a capacity block, is the search the run
	// makes instead of walking stages; Stages then hold its worst case
	// (schedule.Capacity.WorstStages) for what prints and estimates them.
	Capacity *schedule.Capacity
	// AssistantPrice, when the plan has an assistant block, prices the
	// token usage the assistant reports of itself (cost.assistant).
	AssistantPrice *AssistantPrice

	// eval holds what NewUser needs to evaluate the per-user expressions.
	eval *peruser.Evaluator
	// secrets are the sensitive variables' values, for Redact.
	secrets secrets
}

// Target is the assistant under test (VOYAGER.md §1).
type Target struct {
	Name         string
	URL          string // the widget endpoint; filled from the simulator when the plan starts one
	ChannelID    string
	ClientDomain string        // e.g. "@stw.ai": appended to the conversation id
	Timeout      time.Duration // the POST itself
	// Retries is how many times a failed send (HTTP 5xx, a connection reset
	// or another transport error) is tried again, with backoff; 4xx is never
	// retried. 0: no retry.
	Retries int
	// Protocol is how the assistant is spoken to (target.ProtocolHTTP, ...); ""
	// is voyager, the widget API (see ProtocolName). Only voyager uses URL,
	// ChannelID and ClientDomain; http and openai targets have no Timeout
	// (the conversation's reply_timeout bounds each request).
	Protocol  string
	API       *target.API       // protocol http, webhook or sse
	OpenAI    *target.OpenAI    // protocol openai
	WebSocket *target.WebSocket // protocol websocket
	WhatsApp  *target.WhatsApp  // protocol whatsapp
}

// Webhook is where the assistant's replies arrive.
type Webhook struct {
	Listen    string // host:port; ":0" / "127.0.0.1:0" picks a free port
	Tunnel    string // "none" (the only one before the tunnel issue) | "ngrok"
	PublicURL string // an address that already reaches Listen; "" = derive from the listener or the tunnel
	// Authtoken is the ngrok token (secret: never printed, never written to
	// results): the authtoken attribute, else NGROK_AUTHTOKEN from the
	// environment; "" when neither is set (apply refuses to start then).
	Authtoken string
	// Domain is a fixed ngrok domain, e.g. "voyplan.ngrok.app"; "" asks
	// ngrok for one.
	Domain string
	// StartTimeout bounds opening the tunnel (the ngrok agent retries
	// forever when offline or unauthorised).
	StartTimeout time.Duration
	// SignatureSecret, when set, makes the receiver accept only callbacks
	// that carry the hex HMAC-SHA256 of their raw body under it in
	// SignatureHeader ("sha256=<hex>" or bare hex); the others are refused
	// and counted (webhook.refused_by.signature). Secret: never printed,
	// never written to results.
	SignatureSecret string
	SignatureHeader string // DefaultSignatureHeader when a secret is set
}

// DefaultSignatureHeader is where signed callbacks carry their HMAC, as
// Meta's webhooks do.
const DefaultSignatureHeader = "X-Hub-Signature-256"

// Simulator configures the built-in Voyager-compatible assistant started in
// process by a `simulator` block. Target.URL then points at it.
type Simulator struct {
	Listen  string        // default 127.0.0.1:0
	Latency time.Duration // delay before a reply is delivered
	Jitter  time.Duration // up to this much is added to Latency, uniformly
	// LatencyPerInflight is added to a reply's delay for each reply in
	// flight (sim.Options.LatencyPerInflight): latency that grows with load.
	LatencyPerInflight time.Duration
	PaymentDomain      string        // payment links are https://pay.<PaymentDomain>/<24 hex>
	ImageEvery         int           // send a park image with every n-th reply (0: never)
	SplitEvery         int           // split every n-th reply over two callbacks (0: never)
	RewordFrom         int           // from the n-th reply of each conversation on, answer in other words (0: never)
	FailRate           float64       // fraction of sends answered with FailStatus
	FailStatus         int           // HTTP status of a failed send, 400–599 (default 500)
	DropRate           float64       // fraction of replies never delivered
	DuplicateRate      float64       // fraction of replies delivered twice, byte-identical
	LateRate           float64       // fraction of replies delayed by LateDelay on top of Latency
	LateDelay          time.Duration // extra delay of a late reply
	MalformedRate      float64       // fraction of callbacks whose body is not valid JSON
	CrosstalkRate      float64       // fraction of replies that also carry another conversation's name or payment link
	SlowPost           time.Duration // how long each send takes before it is answered
	// SignSecret, when set, signs every callback with an HMAC as Meta's
	// webhooks are (X-Hub-Signature-256); secret.
	SignSecret string
	// Streaming (openai with stream = true, sse): the first content chunk
	// FirstChunk after the request, the next ChunkInterval apart,
	// ChunkSize runes each; every StallEvery-th chunk waits Stall; a
	// CutRate fraction of the streams end half way, without their end
	// marker.
	FirstChunk    time.Duration
	ChunkInterval time.Duration
	ChunkSize     int
	StallEvery    int
	Stall         time.Duration
	CutRate       float64
	// CloseRate: the fraction of WebSocket replies whose connection the
	// simulator closes half way (1011).
	CloseRate float64
	// WhatsApp bot mode (a whatsapp target): the bugs a Cloud API bot can
	// have. WANoToken calls the Graph API without the bearer token;
	// WANotIdempotent answers a re-delivered message (same id) again;
	// WANoMarkRead never marks a message read.
	WANoToken       bool
	WANotIdempotent bool
	WANoMarkRead    bool
	// NotIdempotent makes the widget endpoint answer a message that comes
	// again with an Idempotency-Key it took before (a webhook target's
	// channel_faults re-delivery); without it the repeat is not answered.
	NotIdempotent bool
	// Debounce is how long the simulator waits after a customer's message
	// for another before it answers them together, once (debounce);
	// DebounceSet says the plan set it. Unset, it is the conversation's
	// burst_gap maximum and a margin when bursts are on (SimDebounce), 0
	// otherwise. AnswersEachFragment (answers_each_fragment) is the bug of
	// answering every message at once instead.
	Debounce            time.Duration
	DebounceSet         bool
	AnswersEachFragment bool
}

// debounceMargin is what SimDebounce adds to the longest burst gap.
const debounceMargin = 500 * time.Millisecond

// SimDebounce is how long the plan's simulator waits for a customer's next
// message before answering: its debounce, or by default, when the
// conversation sends bursts, the longest burst gap and a margin, so the
// default simulator answers each thought once.
func (p *Plan) SimDebounce() time.Duration {
	s := p.Simulator
	switch {
	case s == nil:
		return 0
	case s.DebounceSet:
		return s.Debounce
	case p.Conversation.Burst.Max > 1:
		return p.Conversation.Burst.Gap.Max + debounceMargin
	}
	return 0
}

// LLM is an `llm "name"` block: the model that plays llm personas
// (engine/llm builds its client).
type LLM struct {
	Name   string
	Model  string
	APIKey string // secret: never printed, never written to results
	// APIKeyEnv and APIKeyVar say where api_key reads the key — the
	// environment variable of env("NAME"), the variable of var.NAME — so
	// a missing key is reported with what to set (CheckKeys).
	APIKeyEnv   string
	APIKeyVar   string
	BaseURL     string
	PriceInput  float64 // USD per 1M input tokens
	PriceOutput float64 // USD per 1M output + thinking tokens
	// Tuning for the Gemini driver; zero means the default (engine/llm).
	Temperature       *float64
	MaxOutputTokens   int
	ThinkingBudget    *int
	Timeout           time.Duration
	MaxRetries        int
	RequestsPerMinute int
	TokensPerMinute   int
	DeclRange         hcl.Range
}

// DriverKind says what produces a persona's messages.
type DriverKind string

const (
	DriverScript DriverKind = "script" // fixed lines, the old tool's no-LLM mode
	DriverLLM    DriverKind = "llm"    // a Gemini chat
	DriverRules  DriverKind = "rules"  // `rule` blocks: free, deterministic, reacting to each reply
	DriverReplay DriverKind = "replay" // a recorded run's customers said again (replay.go)
)

// Persona is a `persona "name"` block.
type Persona struct {
	Name   string
	Weight float64
	Driver DriverKind
	LLM    string // name of the llm block, when Driver == DriverLLM
	// Rules are the persona's `rule` blocks in file order (DriverRules);
	// Fallback says whether it has a fallback line. See rules.go.
	Rules    []*Rule
	Fallback bool
	// Replay is the recording a replay persona (DriverReplay) says again,
	// and what happens when the assistant's replies diverge (replay.go).
	Replay    *Replay
	DeclRange hcl.Range
}

// Conversation is the `conversation` block: how one conversation is held and
// when it is done.
type Conversation struct {
	Opening              string
	MaxTurns             int
	ReplyTimeout         time.Duration
	ReplySettle          time.Duration // quiet period after a reply's first callback, gathering split replies
	ThinkTime            Wait          // between a reply and the next message: fixed or a range (wait.go)
	ConversationsPerUser int           // 0: repeat until the stages end
	Pacing               Wait          // between one user's conversations: fixed or a range
	CompleteWhen         *Predicate
	// TurnSLO is the reply latency every turn of a completed conversation
	// must stay within for it to count in goodput; 0: none (every
	// completed conversation counts).
	TurnSLO time.Duration
	// Burst is how a customer message is typed: burst, burst_gap,
	// double_text_rate (burst.go).
	Burst Burst
}

// Predicate is an expr-lang program over one turn, compiled at load time.
// Its environment is TurnEnv (see turnenv.go).
type Predicate struct {
	Source  string
	Program *vm.Program
	Range   hcl.Range
}

// Threshold is a `threshold "name"` block: an expr-lang check over the run's
// metrics (metrics.Snapshot), compiled at load time.
type Threshold struct {
	Name    string
	Check   string
	Program *vm.Program
	Abort   bool // also checked during the run; stops it when it fails
	// Reads is every figure the check reads (its syntax tree walked at
	// load time): when one of them has no samples the check judged
	// nothing, and verdict says NO DATA instead of judging it on zeros.
	Reads []names.Read
	// OnNoData is the threshold's outcome when it has no data: NoDataFail
	// (the default) or NoDataPass.
	OnNoData string
	// Window, when set, makes the check hold in every window of this
	// length of the run (from its start; the last one may be shorter),
	// each judged on what happened in it, instead of once on the whole
	// run. An abort threshold then stops the run at its first failing
	// window.
	Window time.Duration
	Range  hcl.Range
}

// Values of Threshold.OnNoData (on_no_data).
const (
	NoDataFail = "fail"
	NoDataPass = "pass"
)

// User is one virtual user's instantiation of the plan: its persona and the
// values of the per-user expressions, all drawn from the user's own seeded
// source (datagen.ForUser(plan.Seed, n)).
type User struct {
	N       int
	Persona *Persona
	// Data holds each data block's attributes as strings:
	// Data["customer"]["cpf"].
	Data map[string]map[string]string
	// Script is the persona's fixed lines (DriverScript), first message
	// included. A script that reads nothing of the user (no data, no
	// generator) is evaluated once and shared by every user: read-only.
	Script []string
	// Prompt is the rendered persona prompt (DriverLLM), "" otherwise.
	Prompt string
	// Says are the rendered say lines of the persona's rules, aligned with
	// Persona.Rules, and Fallback its rendered fallback line (DriverRules).
	Says     []string
	Fallback string
}

// Schedule compiles the plan's stages (schedule.CompileStages).
func (p *Plan) Schedule() schedule.Schedule { return schedule.CompileStages(p.Stages) }
