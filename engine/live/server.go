package live

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewRegistry returns a registry holding c alone: what /metrics serves and
// the pusher sends.
func NewRegistry(c *Collector) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	return reg
}

// Server serves /metrics for Prometheus to scrape (apply --metrics-listen).
type Server struct {
	srv  *http.Server
	addr string
	wg   sync.WaitGroup
}

// Listen binds addr at once, so that a port in use is an error before the
// run starts, and serves g's metrics on /metrics until Close.
func Listen(addr string, g prometheus.Gatherer) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot serve the metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, addr: ln.Addr().String()}
	s.wg.Go(func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close() // nothing to report it to: Close still succeeds
		}
	})
	return s, nil
}

// Addr is the address the server listens on (with the port the OS picked
// for ":0").
func (s *Server) Addr() string { return s.addr }

// Close stops the server and waits for it.
func (s *Server) Close() error {
	err := s.srv.Close()
	s.wg.Wait()
	return err
}
