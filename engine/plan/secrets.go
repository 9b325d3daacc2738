package plan

import (
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// minSecret is the shortest sensitive value Redact hides: a shorter one
// ("1", "no") would mangle every text and protect nothing.
const minSecret = 4

// redactedValue replaces a sensitive value in text.
const redactedValue = "(sensitive value)"

// secrets are a plan's sensitive values (variables declared with
// sensitive = true), matched case-insensitively.
type secrets struct {
	re     *regexp.Regexp // nil: none
	values []string
}

// with is s hiding values too: the secrets a target block names (a
// whatsapp target's app secret and tokens), sensitive or not.
func (s secrets) with(values ...string) secrets {
	return newSecrets(append(append([]string(nil), s.values...), values...))
}

func newSecrets(values []string) secrets {
	var alts []string
	for _, v := range values {
		if len(v) >= minSecret {
			alts = append(alts, regexp.QuoteMeta(v))
		}
	}
	if len(alts) == 0 {
		return secrets{}
	}
	return secrets{re: regexp.MustCompile("(?i)" + strings.Join(alts, "|")), values: values}
}

func (s secrets) redact(text string) string {
	if s.re == nil {
		return text
	}
	return s.re.ReplaceAllLiteralString(text, redactedValue)
}

// Redact returns s with every value of the plan's sensitive variables
// (sensitive = true), and of the secrets a target names (a whatsapp
// target's app_secret, access_token and verify_token), replaced, in any
// letter case: what prints a plan's values (voyplan plan, run.log) passes
// them through it.
func (p *Plan) Redact(s string) string { return p.secrets.redact(s) }

// redactDiags hides sensitive values from diagnostics: their text is
// redacted, and when the plan has any, the expression and context that
// make hcl's text writer print the values of the variables an expression
// reads ("with var.key as ...") are dropped.
func (s secrets) redactDiags(diags hcl.Diagnostics) {
	if s.re == nil {
		return
	}
	for _, d := range diags {
		d.Summary, d.Detail = s.redact(d.Summary), s.redact(d.Detail)
		d.Expression, d.EvalContext = nil, nil
	}
}
