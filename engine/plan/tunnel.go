package plan

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// NgrokTokenEnv is the environment variable the ngrok tunnel reads its token
// from when the webhook block has no authtoken attribute.
const NgrokTokenEnv = "NGROK_AUTHTOKEN"

// decodeTunnel decodes the webhook block's tunnel settings: the ngrok token
// (the authtoken attribute, else NGROK_AUTHTOKEN), a fixed domain and the
// start-up timeout. A missing token is not a load error — validate and plan
// must work without secrets; apply refuses to start instead.
func decodeTunnel(a *decode.Attrs, w *Webhook, env map[string]string) {
	if !a.Str("authtoken", &w.Authtoken) && w.Tunnel == "ngrok" {
		w.Authtoken = env[NgrokTokenEnv]
	}
	a.Str("domain", &w.Domain)
	a.Duration("start_timeout", &w.StartTimeout)
	a.Require("start_timeout", w.StartTimeout > 0, `a positive duration, e.g. "20s"`)
	if w.Tunnel == "ngrok" {
		return // with public_url set too, replies go there and no tunnel opens (the plans/ use a variable for it)
	}
	for _, name := range []string{"authtoken", "domain"} {
		warnUnused(a, name, `it is used only with tunnel = "ngrok".`)
	}
}

// warnUnused warns about an attribute that has no effect; why completes
// "Remove it: ...".
func warnUnused(a *decode.Attrs, name, why string) {
	attr, ok := a.Attributes[name]
	if !ok {
		return
	}
	a.Add(&hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "Argument ignored",
		Detail:   "The argument \"" + name + "\" has no effect here. Remove it: " + why,
		Subject:  attr.Expr.Range().Ptr(),
	})
}

// decodeSimulatorFaults decodes the simulator's misbehaviour knobs beyond
// fail_rate and drop_rate.
func decodeSimulatorFaults(a *decode.Attrs, s *Simulator) {
	s.FailStatus = 500
	a.Integer("fail_status", &s.FailStatus)
	a.Require("fail_status", s.FailStatus >= 400 && s.FailStatus <= 599,
		"an HTTP error status from 400 to 599, e.g. 503")
	a.Rate("duplicate_rate", &s.DuplicateRate)
	a.Rate("late_rate", &s.LateRate)
	a.Duration("late_delay", &s.LateDelay)
	a.Require("late_delay", s.LateDelay >= 0, `a duration of 0 or more, e.g. "5s"`)
	a.Rate("malformed_rate", &s.MalformedRate)
	a.Rate("crosstalk_rate", &s.CrosstalkRate)
	a.Duration("slow_post", &s.SlowPost)
	a.Require("slow_post", s.SlowPost >= 0, `a duration of 0 or more, e.g. "2s"`)
	decodeSimulatorStream(a, s)
}

// decodeSimulatorStream decodes the knobs of the simulator's streamed
// replies.
func decodeSimulatorStream(a *decode.Attrs, s *Simulator) {
	durations := []struct {
		name string
		d    *time.Duration
	}{{"first_chunk", &s.FirstChunk}, {"chunk_interval", &s.ChunkInterval}, {"stall", &s.Stall}}
	for _, x := range durations {
		a.Duration(x.name, x.d)
		a.Require(x.name, *x.d >= 0, `a duration of 0 or more, e.g. "150ms"`)
	}
	a.Integer("chunk_size", &s.ChunkSize)
	a.Require("chunk_size", s.ChunkSize >= 0, "the characters of text in each streamed chunk, 1 or more (0: the default, 24)")
	a.Integer("stall_every", &s.StallEvery)
	a.Require("stall_every", s.StallEvery >= 0, "0 (never) or more: every n-th streamed chunk waits stall")
	a.Rate("cut_rate", &s.CutRate)
	a.Rate("close_rate", &s.CloseRate)
}
