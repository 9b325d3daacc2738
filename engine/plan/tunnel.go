package plan

import (
	"github.com/hashicorp/hcl/v2"
)

// NgrokTokenEnv is the environment variable the ngrok tunnel reads its token
// from when the webhook block has no authtoken attribute.
const NgrokTokenEnv = "NGROK_AUTHTOKEN"

// decodeTunnel decodes the webhook block's tunnel settings: the ngrok token
// (the authtoken attribute, else NGROK_AUTHTOKEN), a fixed domain and the
// start-up timeout. A missing token is not a load error — validate and plan
// must work without secrets; apply refuses to start instead.
func (l *loader) decodeTunnel(a attrs, w *Webhook) {
	if !a.str("authtoken", &w.Authtoken) && w.Tunnel == "ngrok" {
		w.Authtoken = l.opts.Env[NgrokTokenEnv]
	}
	a.str("domain", &w.Domain)
	a.duration("start_timeout", &w.StartTimeout)
	a.require("start_timeout", w.StartTimeout > 0, `a positive duration, e.g. "20s"`)
	if w.Tunnel == "ngrok" {
		return // with public_url set too, replies go there and no tunnel opens (the plans/ use a variable for it)
	}
	for _, name := range []string{"authtoken", "domain"} {
		l.warnUnused(a, name, `it is used only with tunnel = "ngrok".`)
	}
}

// warnUnused warns about an attribute that has no effect; why completes
// "Remove it: ...".
func (l *loader) warnUnused(a attrs, name, why string) {
	attr, ok := a.m[name]
	if !ok {
		return
	}
	l.add(hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "Argument ignored",
		Detail:   "The argument \"" + name + "\" has no effect here. Remove it: " + why,
		Subject:  attr.Expr.Range().Ptr(),
	}})
}

// decodeSimulatorFaults decodes the simulator's misbehaviour knobs beyond
// fail_rate and drop_rate.
func (l *loader) decodeSimulatorFaults(a attrs, s *Simulator) {
	s.FailStatus = 500
	a.integer("fail_status", &s.FailStatus)
	a.require("fail_status", s.FailStatus >= 400 && s.FailStatus <= 599,
		"an HTTP error status from 400 to 599, e.g. 503")
	a.rate("duplicate_rate", &s.DuplicateRate)
	a.rate("late_rate", &s.LateRate)
	a.duration("late_delay", &s.LateDelay)
	a.require("late_delay", s.LateDelay >= 0, `a duration of 0 or more, e.g. "5s"`)
	a.rate("malformed_rate", &s.MalformedRate)
	a.duration("slow_post", &s.SlowPost)
	a.require("slow_post", s.SlowPost >= 0, `a duration of 0 or more, e.g. "2s"`)
}
