package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/run"
	"github.com/voyplan/voyplan/engine/tracing"
)

// traceShutdownTimeout bounds the export of the spans still queued when
// the run ends, retries included.
const traceShutdownTimeout = 30 * time.Second

// startTracing starts the export of one trace per conversation when the
// plan's output "otlp" block or the OTEL_EXPORTER_OTLP_* variables ask
// for it; nil (tracing off) otherwise. A failed export is a warning on
// the terminal, said once per distinct failure: the run goes on.
func (a *app) startTracing(p *plan.Plan, dir *results.Dir, seg run.Segment, log *slog.Logger) (*tracing.Tracer, error) {
	var s tracing.Settings
	if o := p.OTLP; o != nil {
		s = tracing.Settings{Block: true, Endpoint: o.Endpoint, Headers: o.Headers, TraceState: o.TraceState}
	}
	cfg, on, err := tracing.Resolve(s, a.getenv)
	if err != nil || !on {
		return nil, err
	}
	cfg.Resource = tracing.Resource{Plan: p.Name, RunID: a.runIDFromEnv(), Segment: seg.String(), Version: voyplanVersion()}
	if cfg.Resource.RunID == "" {
		cfg.Resource.RunID = filepath.Base(dir.Path())
	}
	var (
		mu   sync.Mutex // guards said: the exporter calls from its own goroutine
		said string
	)
	tr, err := tracing.New(cfg, func(err error) {
		log.Warn("cannot export traces", "err", err)
		mu.Lock()
		defer mu.Unlock()
		if err.Error() != said {
			said = err.Error()
			fmt.Fprintf(a.stderr, "\nvoyplan: warning: cannot export traces: %v (the run goes on)\n", err)
		}
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(a.stderr, "voyplan: tracing every conversation to %s (OTLP/HTTP%s)\n", tr.URL(), headerNames(cfg.Headers))
	return tr, nil
}

// endTracing sends the spans still queued and says on the terminal how
// many could not be sent.
func (a *app) endTracing(tr *tracing.Tracer, log *slog.Logger) {
	if tr == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), traceShutdownTimeout)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		log.Warn("traces not exported", "err", err)
		fmt.Fprintf(a.stderr, "voyplan: warning: %v; the conversations' trace ids are still in conversations.jsonl\n", err)
		return
	}
	log.Info("traces exported", "spans", tr.Stats().Exported)
}
