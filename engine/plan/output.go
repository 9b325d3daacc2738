package plan

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// OutputPrometheus is the output block's only kind today: Prometheus
// remote write.
const OutputPrometheus = "prometheus"

// outputKinds are the labels an output block may have.
var outputKinds = []string{OutputPrometheus}

// DefaultOutputInterval is how often a run's metrics are pushed when the
// output block does not say.
const DefaultOutputInterval = 5 * time.Second

// Prometheus is where a run pushes its live metrics (an output
// "prometheus" block): Prometheus remote write, every Interval and once
// at the end.
type Prometheus struct {
	URL      string
	Interval time.Duration
	// Headers go on every push (e.g. Authorization, X-Scope-OrgID). Their
	// values are secret: never printed, never written to results.
	Headers map[string]string
	Range   hcl.Range // the block, for diagnostics
}

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "url", Required: true}, {Name: "interval"}, {Name: "headers"}},
}

// decodeOutputs decodes the output blocks: at most one of each kind.
func (l *loader) decodeOutputs(blocks hcl.Blocks) {
	for _, b := range l.uniqueLabels("output", blocks) {
		kind := b.Labels[0]
		if kind != OutputPrometheus {
			l.add(hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Unsupported output",
				Detail: fmt.Sprintf("%q is not an output.%s Outputs: %s.", kind,
					decode.DidYouMean(kind, outputKinds), decode.QuotedList(outputKinds)),
				Subject: b.LabelRanges[0].Ptr(),
			}})
			continue
		}
		l.plan.Prometheus = l.decodePrometheus(b)
	}
}

// decodePrometheus decodes an output "prometheus" block.
func (l *loader) decodePrometheus(b *hcl.Block) *Prometheus {
	p := &Prometheus{Interval: DefaultOutputInterval, Range: b.DefRange}
	a := l.content(b, outputSchema)
	if a.Str("url", &p.URL) {
		a.HTTPURL("url", p.URL)
	}
	if a.Duration("interval", &p.Interval) {
		a.Require("interval", p.Interval >= 100*time.Millisecond, `a duration of 100ms or more, e.g. "5s"`)
	}
	p.Headers = outputHeaders(a)
	return p
}

// outputHeaders decodes the headers attribute: a map of header names to
// strings.
func outputHeaders(a *decode.Attrs) map[string]string {
	v, ok := a.Value("headers", cty.Map(cty.String), `an object of header names to strings, e.g. { Authorization = "Bearer ..." }`)
	if !ok {
		return nil
	}
	out := make(map[string]string, v.LengthInt())
	for k, val := range v.AsValueMap() {
		a.Invalid("headers", validHeaderName(k), "Invalid header name",
			fmt.Sprintf("%q is not an HTTP header name: use letters, digits and - (e.g. \"X-Scope-OrgID\").", k))
		if !val.IsNull() {
			out[k] = val.AsString()
		}
	}
	return out
}
