package live

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	prompb "buf.build/gen/go/prometheus/prometheus/protocolbuffers/go"
	"github.com/klauspost/compress/snappy"
	"google.golang.org/protobuf/proto"
)

// receiver is a loopback remote-write receiver that decodes what it gets
// (snappy, then the protocol's WriteRequest) and keeps every request.
type receiver struct {
	mu      sync.Mutex
	reqs    []*prompb.WriteRequest
	headers []http.Header
	status  int // 0: 204
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	raw, err := snappy.Decode(nil, body)
	if err != nil {
		http.Error(w, "not snappy: "+err.Error(), http.StatusBadRequest)
		return
	}
	var req prompb.WriteRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		http.Error(w, "not a WriteRequest: "+err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.reqs = append(rc.reqs, &req)
	rc.headers = append(rc.headers, r.Header.Clone())
	if rc.status != 0 {
		http.Error(w, "refused", rc.status)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// sample finds the series of name whose labels include match, in req.
func sample(req *prompb.WriteRequest, name string, match map[string]string) (*prompb.Sample, bool) {
	for _, ts := range req.Timeseries {
		ls := map[string]string{}
		for _, l := range ts.Labels {
			ls[l.Name] = l.Value
		}
		if ls["__name__"] != name {
			continue
		}
		ok := true
		for k, v := range match {
			ok = ok && ls[k] == v
		}
		if ok {
			return ts.Samples[0], true
		}
	}
	return nil, false
}

func TestPusherSendsTheProtocolWithHeadersAndSortedLabels(t *testing.T) {
	t.Parallel()
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	stage := "ramp"
	reg := NewRegistry(NewCollector(Source{Recorder: recorded(), Stage: func() string { return stage }}, testID))
	p, err := NewPusher(RemoteWrite{URL: srv.URL + "/receive", Headers: map[string]string{"Authorization": "Bearer fake-test-secret-1"}}, reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Push(ctx); err != nil {
		t.Fatal(err)
	}
	stage = "steady"
	if err := p.Push(ctx); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.reqs) != 2 {
		t.Fatalf("%d requests; want 2", len(rc.reqs))
	}
	h := rc.headers[0]
	if h.Get("Authorization") != "Bearer fake-test-secret-1" || h.Get("Content-Encoding") != "snappy" ||
		h.Get("X-Prometheus-Remote-Write-Version") != "0.1.0" {
		t.Errorf("headers %v; want the configured Authorization and remote write 1.0's", h)
	}
	first, second := rc.reqs[0], rc.reqs[1]
	for _, ts := range first.Timeseries {
		for i := 1; i < len(ts.Labels); i++ {
			if ts.Labels[i-1].Name >= ts.Labels[i].Name {
				t.Fatalf("labels not sorted by name: %v", ts.Labels)
			}
		}
	}
	started, ok := sample(first, "voyplan_conversations_started_total", map[string]string{"persona": "a", "run_id": "run-1"})
	if !ok || started.Value != 3 {
		t.Errorf("started{persona=a} = %v (%v); want 3", started, ok)
	}
	if b, ok := sample(first, "voyplan_reply_duration_seconds_bucket", map[string]string{"le": "+Inf"}); !ok || b.Value != 2 {
		t.Errorf("reply +Inf bucket = %v (%v); want 2", b, ok)
	}
	if b, ok := sample(first, "voyplan_send_duration_seconds_bucket", map[string]string{"le": "0.005"}); !ok || b.Value != 1 {
		t.Errorf("send le=0.005 bucket = %v (%v); want 1", b, ok)
	}
	// The stage changed: the first push's users series ends with a
	// staleness marker, the new one starts, both at the second push's time.
	old, ok := sample(second, "voyplan_users", map[string]string{"stage": "ramp"})
	if !ok || math.Float64bits(old.Value) != math.Float64bits(staleNaN) {
		t.Errorf("users{stage=ramp} in the second push = %v (%v); want the staleness marker", old, ok)
	}
	cur, ok := sample(second, "voyplan_users", map[string]string{"stage": "steady"})
	if !ok || cur.Value != 2 {
		t.Errorf("users{stage=steady} = %v (%v); want 2", cur, ok)
	}
	if ok && cur.Timestamp <= started.Timestamp {
		t.Errorf("the second push's timestamp %d is not after the first's %d", cur.Timestamp, started.Timestamp)
	}
}

func TestPusherErrorsNeverShowTheHeaders(t *testing.T) {
	t.Parallel()
	rc := &receiver{status: http.StatusBadRequest}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	reg := NewRegistry(NewCollector(Source{Recorder: recorded()}, testID))
	p, err := NewPusher(RemoteWrite{URL: srv.URL, Headers: map[string]string{"X-Scope-OrgID": "fake-test-secret-2"}}, reg)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Push(context.Background())
	if err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("err = %v; want the receiver's 400", err)
	}
	if strings.Contains(err.Error(), "fake-test-secret-2") {
		t.Errorf("the error shows a header value: %v", err)
	}
}

func TestPusherRunPushesEveryInterval(t *testing.T) {
	t.Parallel()
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	reg := NewRegistry(NewCollector(Source{Recorder: recorded()}, testID))
	p, err := NewPusher(RemoteWrite{URL: srv.URL, Interval: 20 * time.Millisecond}, reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx, func(err error) { t.Error(err) }) }()
	deadline := time.After(30 * time.Second)
	for n := 0; n < 3; {
		select {
		case <-deadline:
			t.Fatalf("%d pushes in 30s; want 3 at 20ms apart", n)
		case <-time.After(10 * time.Millisecond):
		}
		rc.mu.Lock()
		n = len(rc.reqs)
		rc.mu.Unlock()
	}
	cancel()
	<-done
}

func TestNewPusherRefusesABadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "localhost:9090", "ftp://x/y", "http://"} {
		if _, err := NewPusher(RemoteWrite{URL: u}, NewRegistry(NewCollector(Source{Recorder: recorded()}, testID))); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}
