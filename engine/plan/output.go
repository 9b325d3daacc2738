package plan

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"go.opentelemetry.io/otel/trace"

	"github.com/voyplan/voyplan/engine/plan/decode"
)

// The output block's kinds.
const (
	OutputPrometheus = "prometheus" // Prometheus remote write
	OutputOTLP       = "otlp"       // OpenTelemetry traces over OTLP/HTTP
)

// outputKinds are the labels an output block may have.
var outputKinds = []string{OutputPrometheus, OutputOTLP}

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
		if kind == OutputOTLP {
			l.plan.OTLP = l.decodeOTLP(b)
			continue
		}
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

// OTLP is where a run exports its traces (an output "otlp" block): one
// OpenTelemetry trace per conversation, over OTLP/HTTP. The environment's
// OTEL_EXPORTER_OTLP_* variables fill what it leaves out (engine/tracing).
type OTLP struct {
	// Endpoint is the OTLP/HTTP base URL (/v1/traces is appended); "":
	// OTEL_EXPORTER_OTLP_ENDPOINT's.
	Endpoint string
	// Headers go on every export (e.g. Authorization). Their values are
	// secret: never printed, never written to results.
	Headers map[string]string
	// TraceState is the W3C tracestate every conversation's trace starts
	// with, sent to the assistant beside traceparent; "": none.
	TraceState string
	Range      hcl.Range // the block, for diagnostics
}

var otlpSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "endpoint"}, {Name: "headers"}, {Name: "tracestate"}},
}

// decodeOTLP decodes an output "otlp" block.
func (l *loader) decodeOTLP(b *hcl.Block) *OTLP {
	o := &OTLP{Range: b.DefRange}
	a := l.content(b, otlpSchema)
	if a.Str("endpoint", &o.Endpoint) {
		a.HTTPURL("endpoint", o.Endpoint)
	}
	if a.Str("tracestate", &o.TraceState) {
		a.Invalid("tracestate", validTraceState(o.TraceState), "Invalid tracestate",
			`A W3C tracestate is up to 32 comma-separated key=value members, e.g. "vendor=value"; keys lower-case letters, digits and _-*/ (and one @).`)
	}
	o.Headers = outputHeaders(a)
	return o
}

// validTraceState reports a W3C tracestate, as the OpenTelemetry API
// parses it.
func validTraceState(s string) bool {
	_, err := trace.ParseTraceState(s)
	return err == nil
}
