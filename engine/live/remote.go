package live

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	prompb "buf.build/gen/go/prometheus/prometheus/protocolbuffers/go"
	"github.com/prometheus/client_golang/exp/api/remote"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// DefaultInterval is how often a run's metrics are pushed when the plan or
// the flag does not say.
const DefaultInterval = 5 * time.Second

// staleNaN is Prometheus's staleness marker (its value.StaleNaN): a sample
// of this value ends a series at once, as a scrape that no longer finds it
// does, so a gauge left behind (users of the previous stage) stops being
// summed with its successor.
var staleNaN = math.Float64frombits(0x7ff0000000000002)

// minPushTimeout bounds one push of Run (retries included) when the
// interval is shorter: a push may then delay the next, never overlap it.
const minPushTimeout = 10 * time.Second

// RemoteWrite is where and how often the pusher sends.
type RemoteWrite struct {
	URL      string            // the receiver's full URL, e.g. http://prometheus:9090/api/v1/write
	Interval time.Duration     // 0: DefaultInterval
	Headers  map[string]string // on every request (e.g. Authorization); the values are secret
}

// Pusher sends a registry's metrics to a Prometheus remote-write receiver
// (protocol 1.0, which every receiver takes, Prometheus 2.x included).
type Pusher struct {
	api   *remote.API
	g     prometheus.Gatherer
	every time.Duration
	// mu serialises pushes: last is the timestamp (ms) of the previous
	// push, sent the label sets it carried, by key.
	mu   sync.Mutex
	last int64
	sent map[string][]*prompb.Label
}

// NewPusher checks cfg and returns a pusher of g's metrics.
func NewPusher(cfg RemoteWrite, g prometheus.Gatherer) (*Pusher, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("remote write: %q is not an http(s) URL, e.g. http://localhost:9090/api/v1/write", u.Redacted())
	}
	if cfg.Interval < 0 {
		return nil, errors.New("remote write: the interval must be positive")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: headerTransport{base: http.DefaultTransport, h: headerOf(cfg.Headers)}}
	api, err := remote.NewAPI(cfg.URL, remote.WithAPIHTTPClient(client), remote.WithAPIPath(""),
		remote.WithAPIBackoff(remote.BackoffConfig{Min: 250 * time.Millisecond, Max: 2 * time.Second, MaxRetries: 3}))
	if err != nil {
		return nil, fmt.Errorf("remote write: %w", err)
	}
	every := cfg.Interval
	if every == 0 {
		every = DefaultInterval
	}
	return &Pusher{api: api, g: g, every: every, sent: map[string][]*prompb.Label{}}, nil
}

// Run pushes every interval until ctx ends, handing each failure to
// onError (from this goroutine); a failed push is retried by the next one,
// which carries the figures as they are then.
func (p *Pusher) Run(ctx context.Context, onError func(error)) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, max(p.every, minPushTimeout))
		err := p.Push(pctx)
		cancel()
		if err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
	}
}

// Push sends the metrics as they are now, and a staleness marker for each
// series the previous push had and this one has not.
func (p *Pusher) Push(ctx context.Context) error {
	mfs, err := p.g.Gather()
	if err != nil {
		return fmt.Errorf("remote write: cannot read the metrics: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ts := max(time.Now().UnixMilli(), p.last+1) // a series takes one sample per millisecond
	req := &prompb.WriteRequest{Timeseries: toSeries(mfs, ts)}
	now := make(map[string][]*prompb.Label, len(req.Timeseries))
	for _, s := range req.Timeseries {
		now[key(s.Labels)] = s.Labels
	}
	for k, ls := range p.sent {
		if _, ok := now[k]; !ok {
			req.Timeseries = append(req.Timeseries, &prompb.TimeSeries{Labels: ls, Samples: []*prompb.Sample{{Value: staleNaN, Timestamp: ts}}})
		}
	}
	if _, err := p.api.Write(ctx, remote.WriteV1MessageType, req); err != nil {
		return fmt.Errorf("remote write: %w", err)
	}
	p.last, p.sent = ts, now
	return nil
}

// toSeries turns gathered metric families into remote-write series, one
// sample each at ts; a histogram becomes its _bucket (with le), _sum and
// _count series, as a scrape stores it. Labels are sorted by name, as the
// protocol requires. Summaries and untyped metrics are not exported here.
func toSeries(mfs []*dto.MetricFamily, ts int64) []*prompb.TimeSeries {
	var out []*prompb.TimeSeries
	add := func(name string, base []*dto.LabelPair, v float64, extra ...*prompb.Label) {
		ls := append([]*prompb.Label{{Name: "__name__", Value: name}}, extra...)
		for _, l := range base {
			ls = append(ls, &prompb.Label{Name: l.GetName(), Value: l.GetValue()})
		}
		slices.SortFunc(ls, func(a, b *prompb.Label) int { return strings.Compare(a.Name, b.Name) })
		out = append(out, &prompb.TimeSeries{Labels: ls, Samples: []*prompb.Sample{{Value: v, Timestamp: ts}}})
	}
	for _, mf := range mfs {
		name := mf.GetName()
		for _, m := range mf.GetMetric() {
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				add(name, m.GetLabel(), m.GetCounter().GetValue())
			case dto.MetricType_GAUGE:
				add(name, m.GetLabel(), m.GetGauge().GetValue())
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				for _, b := range h.GetBucket() {
					add(name+"_bucket", m.GetLabel(), float64(b.GetCumulativeCount()), &prompb.Label{Name: "le", Value: formatBound(b.GetUpperBound())})
				}
				add(name+"_bucket", m.GetLabel(), float64(h.GetSampleCount()), &prompb.Label{Name: "le", Value: "+Inf"})
				add(name+"_sum", m.GetLabel(), h.GetSampleSum())
				add(name+"_count", m.GetLabel(), float64(h.GetSampleCount()))
			}
		}
	}
	return out
}

// formatBound writes a bucket bound as the exposition format does.
func formatBound(f float64) string {
	if math.IsInf(f, +1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// key identifies a series by its sorted labels.
func key(ls []*prompb.Label) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Name)
		b.WriteByte(0)
		b.WriteString(l.Value)
		b.WriteByte(0)
	}
	return b.String()
}

// headerOf makes the configured headers an http.Header.
func headerOf(m map[string]string) http.Header {
	h := make(http.Header, len(m))
	for k, v := range m {
		h.Set(k, v)
	}
	return h
}

// headerTransport adds the configured headers to every request. Their
// values never reach an error or a log: the http client's errors name the
// URL (its password removed), not the headers.
type headerTransport struct {
	base http.RoundTripper
	h    http.Header
}

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range t.h {
		r.Header[k] = v
	}
	return t.base.RoundTrip(r)
}
