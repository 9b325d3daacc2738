package dashboard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/run"
	"github.com/voyplan/voyplan/engine/webhook"
)

// DefaultAddr is where the dashboard listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8089"

// InspectorSize is how many callbacks the webhook inspector keeps.
const InspectorSize = 200

// maxStreams bounds the pages following the run at once.
const maxStreams = 8

// Options say what the dashboard shows and steers.
type Options struct {
	Addr      string             // host:port; "" is DefaultAddr
	Listener  net.Listener       // when set, served instead of listening on Addr; Close closes it
	Plan      *plan.Plan         // the plan being run
	Runner    *run.Runner        // the run; it must have been made with Live and Inspector
	Inspector *webhook.Inspector // the callbacks to show; nil: no inspector
	// Stop stops the run when the page asks, as Ctrl-C does; nil:
	// Runner.StopByHand("dashboard").
	Stop func() error
	Log  *slog.Logger // nil: discard
}

// Final is how the run ended, for the pages still open.
type Final struct {
	Verdict     string `json:"verdict"` // "pass" or "fail"
	Line        string `json:"line"`    // the verdict line, uncoloured
	Interrupted bool   `json:"interrupted"`
	Results     string `json:"results"` // the results directory
}

// Server is a running dashboard.
type Server struct {
	opts    Options
	token   string
	ln      net.Listener
	srv     *http.Server
	hist    *metrics.History
	every   time.Duration // how often hist is sampled
	planned time.Duration // the schedule's length

	streams chan struct{} // a slot per page following the run
	stop    chan struct{} // closed by Close: streams end
	wg      sync.WaitGroup

	// mu guards final: nil until Finish.
	mu    sync.Mutex
	final *Final
	ended chan struct{} // closed by Finish
}

// Start listens on o.Addr and serves the dashboard until Close.
func Start(o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Stop == nil {
		o.Stop = func() error {
			_, err := o.Runner.StopByHand("dashboard")
			return err
		}
	}
	ln := o.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", o.Addr); err != nil {
			return nil, fmt.Errorf("cannot serve the dashboard on %s: %w", o.Addr, err)
		}
	}
	planned := o.Plan.Schedule().Duration
	s := &Server{
		opts:    o,
		token:   newToken(),
		ln:      ln,
		hist:    metrics.NewHistory(o.Runner.Recorder()),
		every:   sampleEvery(planned),
		planned: planned,
		streams: make(chan struct{}, maxStreams),
		stop:    make(chan struct{}),
		ended:   make(chan struct{}),
	}
	s.srv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	s.wg.Go(func() { _ = s.srv.Serve(ln) }) // ErrServerClosed after Close
	s.wg.Go(s.sample)
	return s, nil
}

// sampleEvery is the charts' resolution: a second, or coarser for long
// plans so a page gets about 600 points.
func sampleEvery(planned time.Duration) time.Duration {
	return max(time.Second, (planned / 600).Round(time.Second))
}

// newToken returns 128 random bits in hex. crypto/rand.Read never fails.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// URL is the page's address, token included: what to print.
func (s *Server) URL() string {
	return "http://" + s.ln.Addr().String() + "/?token=" + url.QueryEscape(s.token)
}

// Addr is the address actually bound.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Loopback reports whether the dashboard listens on a loopback address
// only.
func (s *Server) Loopback() bool {
	a, ok := s.ln.Addr().(*net.TCPAddr)
	return ok && a.IP.IsLoopback()
}

// sample takes the charts' samples once the run has started, until Close.
func (s *Server) sample() {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		if el := s.opts.Runner.Elapsed(); el > 0 && !s.isFinished() {
			s.hist.Sample(el)
		}
	}
}

// Finish tells the pages still open how the run ended; their streams send
// it and end.
func (s *Server) Finish(f Final) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.final != nil {
		return
	}
	s.final = &f
	close(s.ended)
}

func (s *Server) finished() *Final {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.final
}

func (s *Server) isFinished() bool { return s.finished() != nil }

// Close stops serving, giving the streams up to ctx to send their last
// event, and waits for the goroutines it started.
func (s *Server) Close(ctx context.Context) error {
	close(s.stop)
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	s.wg.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("cannot close the dashboard: %w", err)
	}
	return nil
}
