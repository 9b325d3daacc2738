package webhook

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkRoundTrip posts one callback over loopback HTTP and waits for it,
// sequentially. It reports the p99 of First minus the POST's start: an
// upper bound on how late the arrival is read, since it also holds the
// client's own write.
func BenchmarkRoundTrip(b *testing.B) {
	r, c := listen(b), newClient()
	m := r.Open("bench")
	body := textBody("Bom dia! Como posso ajudar?")
	arrival := make([]time.Duration, 0, b.N)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for turn := range b.N {
		start := time.Now()
		post(b, c, m.URL(turn), body)
		reply, err := m.Wait(ctx, turn, 5*time.Second, 0)
		if err != nil {
			b.Fatal(err)
		}
		arrival = append(arrival, reply.First.Sub(start))
	}
	b.StopTimer()
	b.ReportMetric(p99(arrival), "arrival-p99-µs")
}

// BenchmarkRoundTripParallel is the same with a mailbox per goroutine: the
// receiver's throughput, and the arrival p99, when many conversations are
// answered at once.
func BenchmarkRoundTripParallel(b *testing.B) {
	r, c := listen(b), newClient()
	body := textBody("Bom dia! Como posso ajudar?")
	var (
		ids     atomic.Int64
		mu      sync.Mutex
		arrival []time.Duration
	)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		m := r.Open(fmt.Sprint("bench-", ids.Add(1)))
		defer m.Close()
		var mine []time.Duration
		for turn := 0; pb.Next(); turn++ {
			start := time.Now()
			if err := send(c, m.URL(turn), body); err != nil {
				b.Error(err)
				return
			}
			reply, err := m.Wait(ctx, turn, 5*time.Second, 0)
			if err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, reply.First.Sub(start))
		}
		mu.Lock()
		arrival = append(arrival, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	b.ReportMetric(p99(arrival), "arrival-p99-µs")
}

// BenchmarkHandler is the receiver's own cost per callback, without the
// network: ServeHTTP on a recorded request, then Wait.
func BenchmarkHandler(b *testing.B) {
	r := withWidget(newReceiver())
	m := r.Open("bench")
	body := textBody("Bom dia! Como posso ajudar?")
	ctx := context.Background()
	b.ReportAllocs()
	for turn := 0; b.Loop(); turn++ {
		req := httptest.NewRequest(http.MethodPost, m.URL(turn), strings.NewReader(body))
		r.ServeHTTP(httptest.NewRecorder(), req)
		if _, err := m.Wait(ctx, turn, time.Second, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func p99(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return float64(ds[len(ds)*99/100].Nanoseconds()) / 1e3
}

// simCallbacks are real reply callbacks (engine/protocol/widget's
// testdata: a conversation's bodies as the built-in simulator sends them,
// and VOYAGER.md's shapes), one per line.
func simCallbacks(tb testing.TB) []string {
	tb.Helper()
	raw, err := os.ReadFile("../protocol/widget/testdata/callbacks.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(raw)), "\n")
}

// BenchmarkRoundTripCallbacks posts the real callbacks in turn over
// loopback HTTP to a listening receiver and waits for each: the receiver's
// whole path per callback (the client's allocations are in allocs/op too).
func BenchmarkRoundTripCallbacks(b *testing.B) {
	r, c := listen(b), newClient()
	m := r.Open("bench")
	bodies := simCallbacks(b)
	ctx := context.Background()
	b.ReportAllocs()
	for turn := 0; b.Loop(); turn++ {
		post(b, c, m.URL(turn), bodies[turn%len(bodies)])
		if _, err := m.Wait(ctx, turn, 5*time.Second, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandlerCallbacks is ServeHTTP on the real callbacks, without
// the network: the receiver's own allocations per callback.
func BenchmarkHandlerCallbacks(b *testing.B) {
	r := withWidget(newReceiver())
	m := r.Open("bench")
	bodies := simCallbacks(b)
	reqs := make([]*http.Request, len(bodies))
	readers := make([]*strings.Reader, len(bodies))
	for i, body := range bodies {
		readers[i] = strings.NewReader(body)
		reqs[i] = httptest.NewRequest(http.MethodPost, m.URL(0), readers[i])
	}
	w := httptest.NewRecorder()
	ctx := context.Background()
	path := strings.TrimSuffix(reqs[0].URL.Path, "0") // the mailbox's path, without the turn
	b.ReportAllocs()
	for turn := 0; b.Loop(); turn++ {
		i := turn % len(bodies)
		readers[i].Reset(bodies[i])
		req := reqs[i]
		req.URL.Path = path + strconv.Itoa(turn)
		r.ServeHTTP(w, req)
		if _, err := m.Wait(ctx, turn, time.Second, 0); err != nil {
			b.Fatal(err)
		}
	}
}
