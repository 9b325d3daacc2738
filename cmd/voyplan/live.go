package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/voyplan/voyplan/engine/live"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/run"
)

// RunIDEnv names the environment variable that sets the run_id label of
// the live metrics: the segments of one run (one Kubernetes Job) set the
// same value so that they show as one run.
const RunIDEnv = "VOYPLAN_RUN_ID"

// finalPushTimeout bounds the push at the end of a run, retries included.
const finalPushTimeout = 20 * time.Second

// liveFlags are apply's flags for the live metrics.
type liveFlags struct {
	rw     string // --prometheus-rw URL
	listen string // --metrics-listen ADDR
}

func addLiveFlags(fs *pflag.FlagSet) *liveFlags {
	f := &liveFlags{}
	fs.StringVar(&f.rw, "prometheus-rw", "", "push the live metrics to this Prometheus remote-write `URL` every interval and at the end (e.g. http://localhost:9090/api/v1/write)")
	fs.StringVar(&f.listen, "metrics-listen", "", "serve the live metrics for Prometheus to scrape on `ADDR`/metrics (e.g. 127.0.0.1:9464)")
	return f
}

// remoteWrite is where the run pushes: the flag's URL, else the output
// block's. The block's headers go only to the origin the block names, so
// a flag pointing elsewhere never receives its credentials.
func (f *liveFlags) remoteWrite(p *plan.Plan) (live.RemoteWrite, bool) {
	var rw live.RemoteWrite
	if b := p.Prometheus; b != nil {
		rw = live.RemoteWrite{URL: b.URL, Interval: b.Interval, Headers: b.Headers}
	}
	if f.rw != "" {
		if !sameOrigin(f.rw, rw.URL) {
			rw.Headers = nil
		}
		rw.URL = f.rw
	}
	return rw, rw.URL != ""
}

// sameOrigin reports whether two URLs have one scheme and host.
func sameOrigin(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Scheme == ub.Scheme && strings.EqualFold(ua.Host, ub.Host)
}

// liveExport is a run's live metrics while it goes on: the /metrics
// server, the pusher, or both.
type liveExport struct {
	a      *app
	log    *slog.Logger
	server *live.Server
	pusher *live.Pusher
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startLive serves and pushes r's metrics as the flags and the plan ask;
// a port in use or a bad URL is an error before the run starts.
func (a *app) startLive(f *liveFlags, p *plan.Plan, r *run.Runner, dir *results.Dir, seg run.Segment, log *slog.Logger) (*liveExport, error) {
	e := &liveExport{a: a, log: log, cancel: func() {}}
	rw, push := f.remoteWrite(p)
	if f.listen == "" && !push {
		return e, nil
	}
	id := live.Identity{Plan: p.Name, RunID: a.runIDFromEnv(), Segment: seg.String()}
	if id.RunID == "" {
		id.RunID = filepath.Base(dir.Path())
	}
	stage := func() string {
		if i := r.Stage(); i >= 0 && i < len(p.Stages) {
			return p.Stages[i].Name
		}
		return ""
	}
	reg := live.NewRegistry(live.NewCollector(live.Source{Recorder: r.Recorder(), Stage: stage}, id))
	if f.listen != "" {
		s, err := live.Listen(f.listen, reg)
		if err != nil {
			return nil, err
		}
		e.server = s
		fmt.Fprintf(a.stderr, "voyplan: live metrics on http://%s/metrics (run_id %s)\n", s.Addr(), id.RunID)
	}
	if push {
		pu, err := live.NewPusher(rw, reg)
		if err != nil {
			e.close()
			return nil, err
		}
		e.pusher = pu
		fmt.Fprintf(a.stderr, "voyplan: pushing live metrics to %s every %s (run_id %s)\n", redactURL(rw.URL), intervalOf(rw), id.RunID)
		e.run()
	}
	return e, nil
}

// run pushes every interval until end; a failure is logged, and said on
// the terminal when it differs from the last one said.
func (e *liveExport) run() {
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	var said string
	e.wg.Go(func() {
		e.pusher.Run(ctx, func(err error) {
			e.log.Warn("cannot push the live metrics", "err", err)
			if err.Error() != said {
				said = err.Error()
				fmt.Fprintf(e.a.stderr, "\nvoyplan: warning: cannot push the live metrics: %v (the run goes on)\n", err)
			}
		})
	})
}

// end stops the periodic pushes and pushes the run's final figures once.
func (e *liveExport) end() {
	e.cancel()
	e.wg.Wait()
	if e.pusher == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), finalPushTimeout)
	defer cancel()
	if err := e.pusher.Push(ctx); err != nil {
		e.log.Warn("cannot push the final live metrics", "err", err)
		fmt.Fprintf(e.a.stderr, "voyplan: warning: cannot push the final live metrics: %v\n", err)
	}
}

// close stops the pushes (without a final one) and the server.
func (e *liveExport) close() {
	e.cancel()
	e.wg.Wait()
	if e.server != nil {
		_ = e.server.Close()
	}
}

func intervalOf(rw live.RemoteWrite) time.Duration {
	if rw.Interval == 0 {
		return live.DefaultInterval
	}
	return rw.Interval
}

// redactURL hides a password in u.
func redactURL(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Redacted()
	}
	return "(an unreadable URL)"
}

// runIDFromEnv is VOYPLAN_RUN_ID from the app's environment, or "".
func (a *app) runIDFromEnv() string {
	for _, kv := range a.environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == RunIDEnv {
			return v
		}
	}
	return ""
}
