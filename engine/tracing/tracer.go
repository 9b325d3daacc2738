package tracing

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of voyplan's spans.
const ScopeName = "github.com/voyplan/voyplan/engine/tracing"

// ServiceName is the service.name of voyplan's spans.
const ServiceName = "voyplan"

// Export bounds: one export request may take exportTimeout, and a failed
// one (429, 502, 503, 504) is tried again for up to retryFor — an
// unreachable collector must not hold the end of a run for the SDK's
// default minute.
const (
	exportTimeout = 10 * time.Second
	retryFor      = 15 * time.Second
	queueSize     = 16384 // spans waiting for export; beyond, spans are dropped, never the run slowed
	batchSize     = 1024
	batchEvery    = 2 * time.Second
)

// Tracer starts a run's spans and exports them. A nil *Tracer is tracing
// off: its methods do nothing and return the context they were given.
type Tracer struct {
	tp     *sdktrace.TracerProvider
	tracer trace.Tracer
	prop   propagation.TraceContext
	exp    *exporter
	url    string
}

// New starts the export cfg describes; nothing is sent until a span
// ends. onError, when set, is called (from the exporting goroutine) with
// every failed export.
func New(cfg Config, onError func(error)) (*Tracer, error) {
	var ts trace.TraceState
	if cfg.TraceState != "" {
		var err error
		if ts, err = trace.ParseTraceState(cfg.TraceState); err != nil {
			return nil, fmt.Errorf("tracestate %q: %w", cfg.TraceState, err)
		}
	}
	otlp, err := otlptracehttp.New(context.Background(),
		otlptracehttp.WithEndpointURL(cfg.URL),
		otlptracehttp.WithHeaders(cfg.Headers),
		otlptracehttp.WithTimeout(exportTimeout),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{
			Enabled: true, InitialInterval: 500 * time.Millisecond, MaxInterval: 5 * time.Second, MaxElapsedTime: retryFor,
		}))
	if err != nil {
		return nil, fmt.Errorf("cannot set up the OTLP exporter for %s: %w", Redact(cfg.URL), err)
	}
	exp := &exporter{SpanExporter: otlp, url: Redact(cfg.URL), onError: onError}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithMaxQueueSize(queueSize), sdktrace.WithMaxExportBatchSize(batchSize),
			sdktrace.WithBatchTimeout(batchEvery), sdktrace.WithExportTimeout(exportTimeout+retryFor)),
		sdktrace.WithSampler(sampler{state: ts}),
		sdktrace.WithResource(resourceOf(cfg.Resource)),
	)
	return &Tracer{tp: tp, tracer: tp.Tracer(ScopeName), exp: exp, url: Redact(cfg.URL)}, nil
}

// resourceOf is the resource every span of the run carries.
func resourceOf(r Resource) *resource.Resource {
	attrs := []attribute.KeyValue{attribute.String("service.name", ServiceName)}
	add := func(k, v string) {
		if v != "" {
			attrs = append(attrs, attribute.String(k, v))
		}
	}
	add("service.version", r.Version)
	add("voyplan.plan", r.Plan)
	add("voyplan.run_id", r.RunID)
	add("voyplan.segment", r.Segment)
	return resource.NewSchemaless(attrs...)
}

// URL is where the spans go, without user info or query.
func (t *Tracer) URL() string { return t.url }

// Shutdown ends the export: the spans still queued are sent (bounded by
// ctx), and the error says how many spans could not be, with the last
// failure. Call it once, after the run.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	err := t.tp.Shutdown(ctx)
	s := t.Stats()
	switch {
	case s.Failed > 0:
		return fmt.Errorf("%d of %d spans could not be exported to %s: %w", s.Failed, s.Failed+s.Exported, t.url, s.Last)
	case err != nil:
		return fmt.Errorf("cannot finish exporting the traces to %s: %w", t.url, err)
	}
	return nil
}

// Stats says how the export went.
type Stats struct {
	Exported, Failed int64
	Last             error // the last failure; nil when none
}

// Stats is the export's counts so far.
func (t *Tracer) Stats() Stats {
	if t == nil {
		return Stats{}
	}
	return t.exp.stats()
}

// exporter is the OTLP exporter counting what it sent and what failed:
// a failure is handed to onError and not returned, so the SDK does not
// also print it through its global error handler. The SDK's messages
// quote the URL it builds from scheme, host and path: no user info, query
// or header value.
type exporter struct {
	sdktrace.SpanExporter
	url      string
	onError  func(error)
	exported atomic.Int64
	failed   atomic.Int64
	mu       sync.Mutex // guards last
	last     error
}

// ExportSpans implements sdktrace.SpanExporter.
func (e *exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := e.SpanExporter.ExportSpans(ctx, spans)
	if err == nil {
		e.exported.Add(int64(len(spans)))
		return nil
	}
	e.failed.Add(int64(len(spans)))
	e.mu.Lock()
	e.last = err
	e.mu.Unlock()
	if e.onError != nil {
		e.onError(err)
	}
	return nil
}

func (e *exporter) stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Stats{Exported: e.exported.Load(), Failed: e.failed.Load(), Last: e.last}
}

// sampler records every span, and puts the configured tracestate on
// every trace it starts; a span with a parent keeps its parent's.
type sampler struct{ state trace.TraceState }

// ShouldSample implements sdktrace.Sampler.
func (s sampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	state := s.state
	if parent := trace.SpanContextFromContext(p.ParentContext); parent.IsValid() {
		state = parent.TraceState()
	}
	return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample, Tracestate: state}
}

// Description implements sdktrace.Sampler.
func (s sampler) Description() string { return "voyplan: every conversation" }
