package plan

import "github.com/hashicorp/hcl/v2"

// The schemas of the plan language. Decoding against them lets HCL report
// unknown blocks and arguments itself, with "Did you mean" suggestions.

var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "plan", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "target", LabelNames: []string{"name"}},
		{Type: "webhook"},
		{Type: "simulator"},
		{Type: "llm", LabelNames: []string{"name"}},
		{Type: "data", LabelNames: []string{"name"}},
		{Type: "persona", LabelNames: []string{"name"}},
		{Type: "conversation"},
		{Type: "stage", LabelNames: []string{"name"}},
		{Type: "threshold", LabelNames: []string{"name"}},
		{Type: "output", LabelNames: []string{"kind"}},
		{Type: "capacity"},
		{Type: "assistant"},
	},
}

var planSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "description"}, {Name: "seed"}},
}

var targetSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "url"}, {Name: "channel_id"}, {Name: "client_domain"}, {Name: "timeout"},
		{Name: "retries"}, {Name: "protocol"},
	},
}

var webhookSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "listen"}, {Name: "tunnel"}, {Name: "public_url"},
		{Name: "authtoken"}, {Name: "domain"}, {Name: "start_timeout"},
		{Name: "signature_header"}, {Name: "signature_secret"},
	},
}

var simulatorSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "listen"}, {Name: "latency"}, {Name: "jitter"}, {Name: "latency_per_inflight"}, {Name: "payment_domain"},
		{Name: "image_every"}, {Name: "split_every"}, {Name: "reword_from"}, {Name: "fail_rate"}, {Name: "drop_rate"},
		{Name: "fail_status"}, {Name: "duplicate_rate"}, {Name: "late_rate"}, {Name: "late_delay"},
		{Name: "malformed_rate"}, {Name: "slow_post"}, {Name: "sign_secret"}, {Name: "crosstalk_rate"},
		{Name: "first_chunk"}, {Name: "chunk_interval"}, {Name: "chunk_size"}, {Name: "stall_every"},
		{Name: "stall"}, {Name: "cut_rate"}, {Name: "close_rate"},
		{Name: "wa_no_token"}, {Name: "wa_not_idempotent"}, {Name: "wa_no_mark_read"}, {Name: "not_idempotent"},
		{Name: "debounce"}, {Name: "answers_each_fragment"},
	},
}

var llmSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "model", Required: true}, {Name: "api_key"}, {Name: "base_url"},
		{Name: "price_input"}, {Name: "price_output"}, {Name: "temperature"},
		{Name: "max_output_tokens"}, {Name: "thinking_budget"}, {Name: "timeout"},
		{Name: "max_retries"}, {Name: "requests_per_minute"}, {Name: "tokens_per_minute"},
	},
}

var personaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "weight"}, {Name: "llm"}, {Name: "prompt"}, {Name: "script"}, {Name: "fallback"},
		{Name: "replay"}, {Name: "on_divergence"}, {Name: "divergence"}},
	Blocks: []hcl.BlockHeaderSchema{{Type: "rule"}},
}

var conversationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "opening"}, {Name: "max_turns"}, {Name: "reply_timeout"}, {Name: "reply_settle"},
		{Name: "think_time"}, {Name: "conversations_per_user"}, {Name: "pacing"}, {Name: "complete_when"},
		{Name: "turn_slo"}, {Name: "burst"}, {Name: "burst_gap"}, {Name: "double_text_rate"},
	},
}

// stageSchema covers both models: users and spawn_rate (closed) or
// arrival_rate and max_users (open); decodeStage requires what each needs.
var stageSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "users"}, {Name: "spawn_rate"}, {Name: "duration", Required: true},
		{Name: "arrival_rate"}, {Name: "max_users"}, {Name: "ramp"},
	},
}

var thresholdSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "check", Required: true}, {Name: "abort"}, {Name: "on_no_data"}, {Name: "window"}},
}
