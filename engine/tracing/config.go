package tracing

import (
	"fmt"
	"net/url"
	"strings"
)

// The standard variables Resolve reads (the OpenTelemetry SDK's
// environment specification).
const (
	EnvEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"        // base URL: /v1/traces is appended
	EnvTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" // the traces URL as is
	EnvHeaders        = "OTEL_EXPORTER_OTLP_HEADERS"         // k=v,k2=v2 (values URL-encoded)
	EnvTracesHeaders  = "OTEL_EXPORTER_OTLP_TRACES_HEADERS"  // the same, for traces only; wins per key
	EnvSDKDisabled    = "OTEL_SDK_DISABLED"                  // "true": no tracing at all
	EnvTracesExporter = "OTEL_TRACES_EXPORTER"               // "none": no tracing at all
)

// TracesPath is what an OTLP/HTTP base URL is followed by for traces.
const TracesPath = "/v1/traces"

// Settings are what a plan's output "otlp" block says; the zero value is
// no block.
type Settings struct {
	Block      bool              // the plan has the block: tracing is on
	Endpoint   string            // the OTLP/HTTP base URL ("" : the environment's)
	Headers    map[string]string // secret values; win over the environment's per name
	TraceState string            // W3C tracestate put on every conversation's trace
}

// Config is where and how a run exports its traces.
type Config struct {
	// URL is where spans are POSTed (OTLP/HTTP, protobuf): the traces
	// URL, path included.
	URL string
	// Headers go on every export request (e.g. Authorization). Their
	// values are secret: never printed, never written to results.
	Headers map[string]string
	// TraceState is the W3C tracestate every trace starts with ("":
	// none); it goes to the assistant with traceparent.
	TraceState string
	// Resource says which run the spans come from.
	Resource Resource
}

// Resource names the run in every span's resource.
type Resource struct {
	Plan, RunID, Segment, Version string
}

// Resolve is the configuration a run exports with, from the plan's block
// and the environment (getenv): on when the plan has an output "otlp"
// block or OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set, and neither
// OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none says otherwise. The
// block's endpoint wins over the environment's; headers merge, the
// block's winning per name. A block with no endpoint anywhere is an
// error: on was asked for and cannot be had.
func Resolve(s Settings, getenv func(string) string) (_ Config, on bool, _ error) {
	if strings.EqualFold(strings.TrimSpace(getenv(EnvSDKDisabled)), "true") ||
		strings.EqualFold(strings.TrimSpace(getenv(EnvTracesExporter)), "none") {
		return Config{}, false, nil
	}
	cfg := Config{TraceState: s.TraceState}
	switch {
	case s.Endpoint != "":
		cfg.URL = tracesURL(s.Endpoint)
	case getenv(EnvTracesEndpoint) != "":
		cfg.URL = getenv(EnvTracesEndpoint)
	case getenv(EnvEndpoint) != "":
		cfg.URL = tracesURL(getenv(EnvEndpoint))
	case s.Block:
		return Config{}, false, fmt.Errorf("the output \"otlp\" block names no endpoint and %s is not set", EnvEndpoint)
	default:
		return Config{}, false, nil
	}
	if err := checkURL(cfg.URL); err != nil {
		return Config{}, false, err
	}
	headers, err := envHeaders(getenv)
	if err != nil {
		return Config{}, false, err
	}
	for k, v := range s.Headers {
		headers[k] = v
	}
	if len(headers) > 0 {
		cfg.Headers = headers
	}
	return cfg, true, nil
}

// tracesURL is base followed by /v1/traces, unless it already ends so.
func tracesURL(base string) string {
	base = strings.TrimRight(base, "/")
	if strings.HasSuffix(base, TracesPath) {
		return base
	}
	return base + TracesPath
}

// checkURL refuses what the exporter cannot POST to.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("the OTLP endpoint %q is not an http:// or https:// URL", Redact(raw))
	}
	return nil
}

// envHeaders reads OTEL_EXPORTER_OTLP_HEADERS, then
// OTEL_EXPORTER_OTLP_TRACES_HEADERS over it: comma-separated name=value
// pairs, values URL-encoded. An error names the variable, never a value.
func envHeaders(getenv func(string) string) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range []string{EnvHeaders, EnvTracesHeaders} {
		for pair := range strings.SplitSeq(getenv(name), ",") {
			if strings.TrimSpace(pair) == "" {
				continue
			}
			k, v, ok := strings.Cut(pair, "=")
			k = strings.TrimSpace(k)
			val, err := url.PathUnescape(strings.TrimSpace(v))
			if !ok || k == "" || err != nil {
				return nil, fmt.Errorf("%s: every entry must be name=value, separated by commas (values URL-encoded)", name)
			}
			out[k] = val
		}
	}
	return out, nil
}

// Redact is a URL without its user info, query and fragment, for
// messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unreadable URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	return u.String()
}
