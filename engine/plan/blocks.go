package plan

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/plan/schedule"
	"github.com/voyplan/voyplan/engine/plan/target"
)

// Defaults of the plan language.
const (
	defaultTargetTimeout = target.DefaultTimeout
	defaultClientDomain  = "@stw.ai"
	defaultChannelID     = "68e4464832ec9940d9993a12"
	defaultListen        = "127.0.0.1:0"
	defaultTunnel        = "none"
	defaultTunnelStart   = 20 * time.Second
	defaultSimLatency    = 50 * time.Millisecond
	defaultPaymentDomain = "smarttalks.ai"
	defaultOpening       = "Olá"
	defaultMaxTurns      = 15
	defaultReplyTimeout  = 120 * time.Second
	defaultReplySettle   = 200 * time.Millisecond
	defaultCompleteWhen  = "reply matches 'https://pay[.]'"
)

// decodePlanBlock decodes the optional plan block and settles the seed. It
// is evaluated before the seed is known, so its generators draw from seed 0.
func (l *loader) decodePlanBlock(b *hcl.Block) {
	var seed uint64
	if b != nil {
		l.plan.Name = b.Labels[0]
		a := l.content(b, planSchema)
		a.Ctx = l.scopeContext(l.rootCtx, 0, -1)
		if a.Str("description", &l.plan.Description) { // shown on screens and in summary.json
			l.plan.Description = l.plan.secrets.redact(l.plan.Description)
		}
		seed = seedOf(a)
	}
	l.plan.Seed, l.plan.SeedFromFile = seed, seed != 0
	if seed == 0 {
		l.plan.Seed = randomSeed()
	}
}

// seedOf decodes `seed`: a whole number in [0, 2^64).
func seedOf(a *decode.Attrs) uint64 {
	v, ok := a.Value("seed", cty.Number, "a whole number")
	if !ok {
		return 0
	}
	bf := v.AsBigFloat()
	u, acc := bf.Uint64()
	a.Require("seed", bf.IsInt() && acc == big.Exact,
		"a whole number between 0 and 18446744073709551615 (0 draws a random seed at every run)")
	if !bf.IsInt() || acc != big.Exact {
		return 0
	}
	return u
}

// randomSeed draws a non-zero seed from the operating system.
func randomSeed() uint64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
		if s := binary.LittleEndian.Uint64(b[:]); s != 0 {
			return s
		}
	}
}

// decodeWebhook decodes the optional webhook block.
func (l *loader) decodeWebhook(b *hcl.Block) (Webhook, hcl.Diagnostics) {
	w := Webhook{Listen: defaultListen, Tunnel: defaultTunnel, StartTimeout: defaultTunnelStart}
	if b == nil {
		return w, nil
	}
	var diags hcl.Diagnostics
	a, _ := decode.Content(b, webhookSchema, l.scope(), &diags)
	if a.Str("listen", &w.Listen) {
		a.Listen("listen", w.Listen)
	}
	if a.Str("tunnel", &w.Tunnel) {
		a.Invalid("tunnel", w.Tunnel == "none" || w.Tunnel == "ngrok", "Unsupported tunnel", fmt.Sprintf(
			"%q is not a tunnel. Use \"none\" (the assistant reaches listen, or public_url, directly) or \"ngrok\" (token from NGROK_AUTHTOKEN).", w.Tunnel))
	}
	// public_url, when set, is where the assistant delivers replies and no
	// tunnel is opened; "" (the default) means derive it from the listener
	// or the tunnel.
	if a.Str("public_url", &w.PublicURL) && w.PublicURL != "" {
		a.HTTPURL("public_url", w.PublicURL)
	}
	decodeTunnel(a, &w, l.opts.Env)
	decodeSignature(a, &w)
	return w, diags
}

// decodeSignature decodes signature_secret and signature_header: callbacks
// signed with an HMAC, verified by the receiver.
func decodeSignature(a *decode.Attrs, w *Webhook) {
	a.Str("signature_secret", &w.SignatureSecret)
	if a.Str("signature_header", &w.SignatureHeader) {
		a.Invalid("signature_header", validHeaderName(w.SignatureHeader), "Invalid header name",
			fmt.Sprintf("%q is not an HTTP header name, e.g. %q.", w.SignatureHeader, DefaultSignatureHeader))
		a.Invalid("signature_header", w.SignatureSecret != "", "Signature header without a secret",
			"signature_header names where callbacks carry their HMAC; set signature_secret too (e.g. env(\"HOOK_SECRET\")), or remove it.")
	}
	if w.SignatureHeader == "" && w.SignatureSecret != "" {
		w.SignatureHeader = DefaultSignatureHeader
	}
}

// validHeaderName reports whether s is an HTTP header name (an RFC 9110
// token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c > 126 || c <= 32 || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}

// decodeSimulator decodes the optional simulator block; nil when there is
// none.
func (l *loader) decodeSimulator(b *hcl.Block) (*Simulator, hcl.Diagnostics) {
	if b == nil {
		return nil, nil
	}
	s := &Simulator{Listen: defaultListen, Latency: defaultSimLatency, PaymentDomain: defaultPaymentDomain}
	var diags hcl.Diagnostics
	a, _ := decode.Content(b, simulatorSchema, l.scope(), &diags)
	if a.Str("listen", &s.Listen) {
		a.Listen("listen", s.Listen)
	}
	a.Duration("latency", &s.Latency)
	a.Require("latency", s.Latency >= 0, `a duration of 0 or more, e.g. "50ms"`)
	a.Duration("latency_per_inflight", &s.LatencyPerInflight)
	a.Require("latency_per_inflight", s.LatencyPerInflight >= 0, `a duration of 0 or more, e.g. "20ms"`)
	a.Duration("jitter", &s.Jitter)
	a.Require("jitter", s.Jitter >= 0, `a duration of 0 or more, e.g. "20ms"`)
	a.Str("payment_domain", &s.PaymentDomain)
	a.Invalid("payment_domain", s.PaymentDomain != "", "Invalid payment domain",
		`payment_domain must be a domain name, e.g. "smarttalks.ai": links are https://pay.<payment_domain>/<id>.`)
	a.Integer("image_every", &s.ImageEvery)
	a.Require("image_every", s.ImageEvery >= 0, "0 (never) or more: an image with every n-th reply")
	a.Integer("split_every", &s.SplitEvery)
	a.Require("split_every", s.SplitEvery >= 0, "0 (never) or more: every n-th reply split in two callbacks")
	a.Integer("reword_from", &s.RewordFrom)
	a.Require("reword_from", s.RewordFrom >= 0, "0 (never) or more: from the n-th reply of each conversation on, the replies are reworded")
	a.Rate("fail_rate", &s.FailRate)
	a.Rate("drop_rate", &s.DropRate)
	decodeSimulatorFaults(a, s)
	a.Str("sign_secret", &s.SignSecret)
	a.Bool("wa_no_token", &s.WANoToken)
	a.Bool("wa_not_idempotent", &s.WANotIdempotent)
	a.Bool("wa_no_mark_read", &s.WANoMarkRead)
	a.Bool("not_idempotent", &s.NotIdempotent)
	if s.DebounceSet = a.Duration("debounce", &s.Debounce); s.DebounceSet {
		a.Require("debounce", s.Debounce >= 0, `a duration of 0 or more, e.g. "2s"`)
	}
	a.Bool("answers_each_fragment", &s.AnswersEachFragment)
	return s, diags
}

// decodeLLMs decodes the llm blocks, by name.
func (l *loader) decodeLLMs(blocks hcl.Blocks) {
	for _, b := range blocks {
		name := b.Labels[0]
		if prev, dup := l.plan.LLMs[name]; dup {
			l.add(hcl.Diagnostics{decode.DuplicateAt("llm", name, prev.DeclRange, b)})
			continue
		}
		m, diags := l.decodeLLM(b)
		l.plan.LLMs[name] = m
		l.add(diags)
	}
}

// decodeLLM decodes one llm block.
func (l *loader) decodeLLM(b *hcl.Block) (*LLM, hcl.Diagnostics) {
	m := &LLM{Name: b.Labels[0], DeclRange: b.DefRange}
	var diags hcl.Diagnostics
	a, _ := decode.Content(b, llmSchema, l.scope(), &diags)
	a.Str("model", &m.Model)
	a.Invalid("model", m.Model != "", "Invalid model", `model must name a model, e.g. "gemini-2.5-flash".`)
	a.Str("api_key", &m.APIKey) // may be empty here: apply checks it (CheckKeys), validate must not
	m.APIKeyEnv, m.APIKeyVar = keySource(a.Attributes["api_key"])
	if a.Str("base_url", &m.BaseURL) {
		a.HTTPURL("base_url", m.BaseURL)
	}
	a.NonNegative("price_input", &m.PriceInput, "USD per 1M input tokens")
	a.NonNegative("price_output", &m.PriceOutput, "USD per 1M output and thinking tokens")
	decodeLLMTuning(a, m)
	return m, diags
}

// decodeLLMTuning decodes the Gemini driver's knobs; zero means its default.
func decodeLLMTuning(a *decode.Attrs, m *LLM) {
	var temp float64
	if a.Number("temperature", &temp) {
		m.Temperature = &temp
		a.Require("temperature", temp >= 0 && temp <= 2, "between 0 and 2")
	}
	var budget int
	if a.Integer("thinking_budget", &budget) {
		m.ThinkingBudget = &budget
		a.Require("thinking_budget", budget >= -1, "-1 (the model decides), 0 (no thinking) or a number of tokens")
	}
	a.Count("max_output_tokens", &m.MaxOutputTokens)
	a.Duration("timeout", &m.Timeout)
	a.Require("timeout", m.Timeout >= 0, `a positive duration, e.g. "60s"`)
	a.Count("max_retries", &m.MaxRetries)
	a.Count("requests_per_minute", &m.RequestsPerMinute)
	a.Count("tokens_per_minute", &m.TokensPerMinute)
}

func (l *loader) decodeConversation(b *hcl.Block) {
	c := &l.plan.Conversation
	c.Opening, c.MaxTurns, c.ReplyTimeout, c.ReplySettle, c.ConversationsPerUser =
		defaultOpening, defaultMaxTurns, defaultReplyTimeout, defaultReplySettle, 1
	src, rng := defaultCompleteWhen, l.fileStart()
	a := decode.New(nil, l.scope(), &l.diags) // no block: every default
	if b != nil {
		rng = b.DefRange
		a = l.content(b, conversationSchema)
		l.convAttrs = a.Attributes
		l.decodeConversationAttrs(a, c)
	}
	c.CompleteWhen = l.completeWhen(a, src, rng)
}

func (l *loader) decodeConversationAttrs(a *decode.Attrs, c *Conversation) {
	a.Str("opening", &c.Opening)
	a.Integer("max_turns", &c.MaxTurns)
	a.Require("max_turns", c.MaxTurns >= 1, "1 or more")
	a.Duration("reply_timeout", &c.ReplyTimeout)
	a.Require("reply_timeout", c.ReplyTimeout > 0, `a positive duration, e.g. "120s"`)
	a.Duration("reply_settle", &c.ReplySettle)
	a.Require("reply_settle", c.ReplySettle >= 0, `a duration of 0 or more, e.g. "200ms"`)
	decodeWait(a, "think_time", &c.ThinkTime, "500ms") // a duration or a range (wait.go)
	a.Integer("conversations_per_user", &c.ConversationsPerUser)
	a.Require("conversations_per_user", c.ConversationsPerUser >= 0, "0 (repeat until the stages end) or more")
	decodeWait(a, "pacing", &c.Pacing, "3s")
	if a.Duration("turn_slo", &c.TurnSLO) {
		a.Require("turn_slo", c.TurnSLO > 0, `a positive duration, e.g. "5s"`)
	}
	decodeBurst(a, &c.Burst) // burst.go
}

func (l *loader) decodeStages(blocks hcl.Blocks) {
	if len(blocks) == 0 {
		l.add(hcl.Diagnostics{l.missingBlock("stage")})
	}
	kept := l.uniqueLabels("stage", blocks)
	for _, b := range kept {
		s, diags := l.decodeStage(b)
		l.plan.Stages = append(l.plan.Stages, s)
		l.add(diags)
	}
	l.checkStageModels(kept) // open.go
}

// decodeStage decodes a closed stage (users, spawn_rate), or an open one
// (arrival_rate: open.go).
func (l *loader) decodeStage(b *hcl.Block) (schedule.Stage, hcl.Diagnostics) {
	s := schedule.Stage{Name: b.Labels[0]}
	var diags hcl.Diagnostics
	a, _ := decode.Content(b, stageSchema, l.scope(), &diags)
	if a.Duration("duration", &s.Duration) {
		a.Require("duration", s.Duration > 0, `a positive duration, e.g. "10m"`)
	}
	if _, open := a.Attributes["arrival_rate"]; open {
		decodeOpenStage(a, &s)
		return s, diags
	}
	requireClosed(a, b)
	a.Integer("users", &s.Users)
	a.Require("users", s.Users >= 0, "a whole number of 0 or more (the concurrent users to reach)")
	if a.Number("spawn_rate", &s.SpawnRate) {
		a.Require("spawn_rate", s.SpawnRate > 0, "more than 0 (users started or retired per second)")
	}
	return s, diags
}

func (l *loader) decodeThresholds(blocks hcl.Blocks) {
	for _, b := range l.uniqueLabels("threshold", blocks) {
		t, diags := l.decodeThreshold(b)
		l.add(diags)
		if t != nil {
			l.plan.Thresholds = append(l.plan.Thresholds, t)
		}
	}
}

// decodeThreshold decodes one threshold; nil when it has no usable check.
func (l *loader) decodeThreshold(b *hcl.Block) (*Threshold, hcl.Diagnostics) {
	t := &Threshold{Name: b.Labels[0], Range: b.DefRange, OnNoData: NoDataFail}
	var diags hcl.Diagnostics
	a, _ := decode.Content(b, thresholdSchema, l.scope(), &diags)
	a.Bool("abort", &t.Abort)
	if a.Duration("window", &t.Window) {
		a.Require("window", t.Window >= MinWindow, `a duration of 1s or more, e.g. "1m"`)
	}
	if a.Str("on_no_data", &t.OnNoData) {
		a.Require("on_no_data", ValidOnNoData(t.OnNoData),
			`"fail" (the default: a threshold that judged nothing fails) or "pass" (it holds)`)
	}
	if !a.Str("check", &t.Check) {
		return nil, diags
	}
	attr := a.Attributes["check"]
	t.Range = attr.Expr.Range()
	prog, reads, cdiags := l.compileCheck(attr, t.Check, l.personaNames())
	t.Program, t.Reads = prog, reads
	return t, append(diags, cdiags...)
}

// MinWindow is the shortest window a threshold may be judged over.
const MinWindow = time.Second

// uniqueLabels returns blocks less those whose label an earlier block of
// the kind already took, each of which it reports as a duplicate.
func (l *loader) uniqueLabels(kind string, blocks hcl.Blocks) hcl.Blocks {
	seen := make(map[string]hcl.Range, len(blocks))
	kept := make(hcl.Blocks, 0, len(blocks))
	for _, b := range blocks {
		name := b.Labels[0]
		if first, dup := seen[name]; dup {
			l.add(hcl.Diagnostics{decode.DuplicateAt(kind, name, first, b)})
			continue
		}
		seen[name] = b.DefRange
		kept = append(kept, b)
	}
	return kept
}
