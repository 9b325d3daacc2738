package tracing

import (
	"net"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Transport wraps base (the HTTP client's transport to the assistant): a
// request whose context carries a turn's span gets a "send" span of its
// own under it, and that span's W3C traceparent (and tracestate) headers.
// Requests without one (a check before the run) go as they are. For a nil
// Tracer it is base itself.
//
// Hand-written rather than otelhttp's: otelhttp records the full URL,
// query included, where a target's secrets may live; this span carries
// only the method, the host and the status.
func (t *Tracer) Transport(base http.RoundTripper) http.RoundTripper {
	if t == nil {
		return base
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{t: t, base: base}
}

type transport struct {
	t    *Tracer
	base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !trace.SpanContextFromContext(req.Context()).IsValid() {
		return tr.base.RoundTrip(req)
	}
	ctx, span := tr.t.tracer.Start(req.Context(), SpanSend, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(hostAttrs(req)...))
	defer span.End()
	req = req.Clone(ctx) // a RoundTripper must not change the request it was given
	tr.t.prop.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := tr.base.RoundTrip(req)
	if err != nil {
		span.SetStatus(codes.Error, "transport error")
		return resp, err
	}
	span.SetAttributes(attribute.Int(AttrStatus, resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetStatus(codes.Error, resp.Status)
	}
	return resp, nil
}

// hostAttrs are the request's method and the assistant's host and port.
func hostAttrs(req *http.Request) []attribute.KeyValue {
	attrs := []attribute.KeyValue{attribute.String("http.request.method", req.Method)}
	host, port, err := net.SplitHostPort(req.URL.Host)
	if err != nil {
		host = req.URL.Host
	}
	attrs = append(attrs, attribute.String("server.address", host))
	if p, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, attribute.Int("server.port", p))
	}
	return attrs
}
