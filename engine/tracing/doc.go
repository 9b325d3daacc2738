// Package tracing hands the assistant the key to its own traces: one
// OpenTelemetry trace per conversation, a span per turn (persona, turn,
// outcome, reason, latencies), child spans for the persona's LLM
// generation, every request to the assistant ("send": its W3C
// traceparent, and tracestate when configured, go on the request) and the
// wait for the reply; exported with the OpenTelemetry Go SDK over
// OTLP/HTTP (Config: the output "otlp" block and the standard
// OTEL_EXPORTER_OTLP_* variables).
//
// It owns the spans and their export only: the run (engine/run) starts
// them, the rig wraps the assistant's HTTP client in Transport, and a nil
// *Tracer — tracing off, the default — does nothing and allocates nothing
// per turn. Header values of the exporter are secrets: they go on the
// export requests and nowhere else; the spans carry no URL, header or
// message text, only the assistant's host and the figures of a turn.
//
// tracingtest is a loopback OTLP/HTTP receiver for tests that decodes the
// real protobuf.
package tracing
