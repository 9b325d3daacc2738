package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/llm"
	"github.com/voyplan/voyplan/engine/llm/llmtest"
	"github.com/voyplan/voyplan/engine/plan"
)

// LLMConfig sizes the LLM-path benchmark.
type LLMConfig struct {
	Calls       int    // generations in each phase
	Concurrency int    // chats generating at once in the throughput phase
	Prompt      string // the persona prompt, sent as the system instruction
	Turns       int    // generations per chat before a new one starts (a conversation)
}

// benchAnswer is the stand-in's reply to every generation: a customer's
// short message, with the usage a real one reports.
var benchAnswer = llmtest.Reply{Text: "Oi! Quero comprar ingressos para o Aqua Park 😊", Prompt: 900, Candidates: 14, Thoughts: 30}

// RunLLM measures persona generations through the engine's Gemini client
// (engine/llm: the genai SDK, limiters, retries, cost) against llmtest, a
// zero-latency Gemini stand-in on loopback, in three phases of c.Calls:
//
//   - one chat at a time: the wall time of a generation;
//   - the same requests, byte for byte, replayed with a bare net/http
//     client: what the stand-in and loopback HTTP cost on their own, so the
//     difference is the engine's (and the SDK's) overhead per call;
//   - c.Concurrency chats at once: generations per second.
func RunLLM(ctx context.Context, c LLMConfig) (*LLM, error) {
	srv := llmtest.New(func(llmtest.Request) llmtest.Reply { return benchAnswer })
	defer srv.Close()
	rec := &recorder{base: http.DefaultTransport.(*http.Transport).Clone(), keep: 256}
	rec.base.MaxIdleConnsPerHost = 256
	client, err := llm.New(ctx, &plan.LLM{Name: "bench", Model: "gemini-2.5-flash", APIKey: "bench-not-a-key",
		BaseURL: srv.URL, PriceInput: 0.30, PriceOutput: 2.50}, llm.Options{Transport: rec})
	if err != nil {
		return nil, err
	}
	defer client.Close()
	out := &LLM{Concurrency: c.Concurrency}
	seq, err := measure(c.Calls, func() error { return generate(ctx, client, c, 0, c.Calls) })
	if err != nil {
		return nil, err
	}
	raw, err := measure(c.Calls, func() error { return replay(ctx, rec.requests(), c.Calls) })
	if err != nil {
		return nil, err
	}
	out.CallUS, out.RawUS = seq.perCall, raw.perCall
	out.OverheadUS = seq.perCall - raw.perCall
	out.AllocsPerCall, out.BytesPerCall = seq.allocs-raw.allocs, seq.bytes-raw.bytes
	par, failed, err := parallel(ctx, client, c)
	if err != nil {
		return nil, err
	}
	out.Generations, out.FailedRequests = c.Calls, failed
	out.PerSec = float64(c.Calls) / par.Seconds()
	return out, nil
}

// cost is what a phase took, per call.
type cost struct {
	perCall       float64 // µs of wall time
	allocs, bytes float64 // heap allocations, the whole process
}

func measure(calls int, f func() error) (cost, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	err := f()
	el := time.Since(start)
	runtime.ReadMemStats(&after)
	n := float64(calls)
	return cost{
		perCall: float64(el.Microseconds()) / n,
		allocs:  float64(after.Mallocs-before.Mallocs) / n,
		bytes:   float64(after.TotalAlloc-before.TotalAlloc) / n,
	}, err
}

// generate makes calls generations, a new chat every c.Turns, as one
// virtual user after another would.
func generate(ctx context.Context, client *llm.Client, c LLMConfig, from, calls int) error {
	var chat *llm.Chat
	for i := from; i < from+calls; i++ {
		if chat == nil || i%c.Turns == 0 {
			var err error
			if chat, err = client.NewChat(c.Prompt); err != nil {
				return err
			}
		}
		if _, _, err := chat.Send(ctx, "Olá! Eu sou a Ana, atendente virtual do Thermas Aqua Park. Como posso te chamar?"); err != nil {
			return fmt.Errorf("generation %d: %w", i+1, err)
		}
	}
	return nil
}

// parallel runs c.Calls generations from c.Concurrency goroutines and
// returns how long they took and how many failed.
func parallel(ctx context.Context, client *llm.Client, c LLMConfig) (time.Duration, int64, error) {
	var (
		wg     sync.WaitGroup
		failed atomic.Int64
		next   atomic.Int64
		first  = make(chan error, 1)
	)
	start := time.Now()
	for range c.Concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(int64(c.Turns))) - c.Turns
				if i >= c.Calls {
					return
				}
				if err := generate(ctx, client, c, i, min(c.Turns, c.Calls-i)); err != nil {
					failed.Add(1)
					select {
					case first <- err:
					default:
					}
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	select {
	case err := <-first:
		return el, failed.Load(), err
	default:
		return el, 0, nil
	}
}

// recorder is the client's transport: it passes requests on and keeps the
// first keep of them (URL, headers, body) for replay.
type recorder struct {
	base *http.Transport
	keep int

	mu   sync.Mutex // guards kept
	kept []recorded
}

type recorded struct {
	url    string
	header http.Header
	body   []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	full := len(r.kept) >= r.keep
	r.mu.Unlock()
	if !full && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		r.mu.Lock()
		r.kept = append(r.kept, recorded{url: req.URL.String(), header: req.Header.Clone(), body: body})
		r.mu.Unlock()
	}
	return r.base.RoundTrip(req)
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.kept...)
}

// replay sends calls of the recorded requests, in turn, with a bare client.
func replay(ctx context.Context, reqs []recorded, calls int) error {
	if len(reqs) == 0 {
		return errors.New("no request was recorded to replay")
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer hc.CloseIdleConnections()
	for i := range calls {
		r := reqs[i%len(reqs)]
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(r.body))
		if err != nil {
			return err
		}
		req.Header = r.header.Clone()
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("replayed request answered HTTP %d", resp.StatusCode)
		}
	}
	return nil
}
