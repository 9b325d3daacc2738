package tracing_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voyplan/voyplan/engine/tracing"
	"github.com/voyplan/voyplan/engine/tracing/tracingtest"
)

// assistant is a loopback assistant recording the traceparent and
// tracestate of every request.
type assistant struct {
	mu     sync.Mutex
	parent []string
	state  []string
}

func (a *assistant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.parent = append(a.parent, r.Header.Get("traceparent"))
	a.state = append(a.state, r.Header.Get("tracestate"))
	a.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func TestSpansReachTheReceiverAndTheAssistant(t *testing.T) {
	t.Parallel()
	rcv := tracingtest.NewReceiver(t)
	cfg, on, err := tracing.Resolve(tracing.Settings{Block: true, Endpoint: rcv.URL(),
		Headers: map[string]string{"Authorization": "Bearer fake-test-secret-1"}, TraceState: "voyplan=t1"},
		func(string) string { return "" })
	if err != nil || !on {
		t.Fatalf("Resolve = %v, %v", on, err)
	}
	cfg.Resource = tracing.Resource{Plan: "p", RunID: "run-1"}
	tr, err := tracing.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &assistant{}
	srv := httptest.NewServer(a)
	defer srv.Close()
	client := &http.Client{Transport: tr.Transport(http.DefaultTransport)}

	ctx, conv := tr.StartConversation(context.Background(), tracing.Conversation{ID: "c1", User: 3, Persona: "edman"})
	tctx, turn := tr.StartTurn(ctx, 1, "edman")
	tr.LLM(tctx, time.Now().Add(-time.Millisecond), tracing.LLM{MS: 1, InputTokens: 10, OutputTokens: 2})
	req, _ := http.NewRequestWithContext(tctx, http.MethodPost, srv.URL+"/chat?key=fake-test-secret-2", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.Header.Get("traceparent") != "" {
		t.Error("Transport changed the caller's request")
	}
	turn.EndTurn(tracing.TurnEnd{Outcome: "completed", SendMS: 2, ReplyMS: 5, LLMMS: 1, Status: 202, Attempts: 1})
	conv.EndConversation("completed", "", 1)
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	spans := rcv.Spans()
	byName := map[string]tracingtest.Span{}
	for _, s := range spans {
		byName[s.Name] = s
		if s.TraceID != conv.TraceID() {
			t.Errorf("span %s in trace %s; want the conversation's %s", s.Name, s.TraceID, conv.TraceID())
		}
		if s.TraceState != "voyplan=t1" {
			t.Errorf("span %s tracestate %q", s.Name, s.TraceState)
		}
		if s.Resource["voyplan.run_id"] != "run-1" || s.Resource["service.name"] != "voyplan" {
			t.Errorf("span %s resource %v", s.Name, s.Resource)
		}
		for k, v := range s.Attrs {
			if str, ok := v.(string); ok && strings.Contains(str, "fake-test-secret") {
				t.Errorf("span %s attribute %s carries a secret: %q", s.Name, k, str)
			}
		}
	}
	if len(spans) != 4 {
		t.Fatalf("%d spans; want conversation, turn, llm, send: %+v", len(spans), spans)
	}
	root, tu, send := byName["conversation"], byName["turn"], byName["send"]
	if root.ParentID != "" || tu.ParentID != root.SpanID || byName["llm"].ParentID != tu.SpanID || send.ParentID != tu.SpanID {
		t.Errorf("parents: root %q, turn %q (root %s), llm %q, send %q (turn %s)", root.ParentID, tu.ParentID, root.SpanID, byName["llm"].ParentID, send.ParentID, tu.SpanID)
	}
	if tu.Attrs["voyplan.turn"] != int64(1) || tu.Attrs["voyplan.persona"] != "edman" || tu.Attrs["voyplan.outcome"] != "completed" ||
		tu.Attrs["voyplan.reply_ms"] != 5.0 || tu.Attrs["http.response.status_code"] != int64(202) {
		t.Errorf("turn attributes %v", tu.Attrs)
	}
	if send.Attrs["server.address"] != "127.0.0.1" || send.Attrs["http.response.status_code"] != int64(202) {
		t.Errorf("send attributes %v", send.Attrs)
	}
	if want := "00-" + conv.TraceID() + "-" + send.SpanID + "-01"; len(a.parent) != 1 || a.parent[0] != want {
		t.Errorf("the assistant got traceparent %q; want %q", a.parent, want)
	}
	if len(a.state) != 1 || a.state[0] != "voyplan=t1" {
		t.Errorf("the assistant got tracestate %q", a.state)
	}
	if h := rcv.Headers(); len(h) == 0 || h[0].Get("Authorization") != "Bearer fake-test-secret-1" {
		t.Errorf("the export did not carry the configured header")
	}
}

func TestUnreachableEndpointIsAnErrorNotAHang(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	var said []error
	var mu sync.Mutex
	tr, err := tracing.New(tracing.Config{URL: "http://" + addr + "/v1/traces", Headers: map[string]string{"X-Key": "fake-test-secret-3"}},
		func(err error) { mu.Lock(); said = append(said, err); mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	_, conv := tr.StartConversation(context.Background(), tracing.Conversation{ID: "c"})
	conv.EndConversation("completed", "", 0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = tr.Shutdown(ctx)
	if err == nil || !strings.Contains(err.Error(), "1 of 1 spans could not be exported to http://"+addr) {
		t.Fatalf("Shutdown = %v; want one span not exported", err)
	}
	if strings.Contains(err.Error(), "fake-test-secret") {
		t.Errorf("the error shows a header value: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(said) != 1 {
		t.Errorf("onError called %d times; want 1", len(said))
	}
}

func TestOffAllocatesNothing(t *testing.T) {
	var tr *tracing.Tracer
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		c, conv := tr.StartConversation(ctx, tracing.Conversation{ID: "c", Persona: "p"})
		tc, turn := tr.StartTurn(c, 1, "p")
		tr.LLM(tc, time.Time{}, tracing.LLM{MS: 1})
		tr.Reply(tc, time.Now(), time.Now(), 1, true)
		turn.EndTurn(tracing.TurnEnd{Outcome: tracing.OutcomeReplied})
		conv.EndConversation("completed", "", 1)
		if conv.TraceID() != "" || turn.SpanID() != "" || tc != ctx {
			t.Fatal("tracing off made a span")
		}
	})
	if allocs != 0 {
		t.Errorf("tracing off allocates %.0f times per turn; want 0", allocs)
	}
	if rt := tr.Transport(http.DefaultTransport); rt != http.DefaultTransport {
		t.Error("tracing off wraps the transport")
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		s       tracing.Settings
		getenv  func(string) string
		on      bool
		url     string
		headers map[string]string
		err     string
	}{
		{name: "off by default", getenv: env()},
		{name: "environment endpoint", getenv: env(tracing.EnvEndpoint, "http://c:4318/"), on: true, url: "http://c:4318/v1/traces"},
		{name: "traces endpoint as is", getenv: env(tracing.EnvEndpoint, "http://c:4318", tracing.EnvTracesEndpoint, "http://t:1/x"), on: true, url: "http://t:1/x"},
		{name: "block wins", s: tracing.Settings{Block: true, Endpoint: "https://b/otlp"}, getenv: env(tracing.EnvEndpoint, "http://c:4318"), on: true, url: "https://b/otlp/v1/traces"},
		{name: "block without endpoint takes the environment's", s: tracing.Settings{Block: true}, getenv: env(tracing.EnvEndpoint, "http://c:4318"), on: true, url: "http://c:4318/v1/traces"},
		{name: "block without any endpoint", s: tracing.Settings{Block: true}, getenv: env(), err: "names no endpoint"},
		{name: "disabled", s: tracing.Settings{Block: true, Endpoint: "http://b"}, getenv: env(tracing.EnvSDKDisabled, "true")},
		{name: "exporter none", getenv: env(tracing.EnvEndpoint, "http://c", tracing.EnvTracesExporter, "none")},
		{name: "headers merge", s: tracing.Settings{Headers: map[string]string{"B": "block"}},
			getenv: env(tracing.EnvEndpoint, "http://c", tracing.EnvHeaders, "A=1,B=env, C = a%20b ", tracing.EnvTracesHeaders, "A=2"),
			on:     true, url: "http://c/v1/traces", headers: map[string]string{"A": "2", "B": "block", "C": "a b"}},
		{name: "bad headers", getenv: env(tracing.EnvEndpoint, "http://c", tracing.EnvHeaders, "fake-test-secret-4"), err: "OTEL_EXPORTER_OTLP_HEADERS: every entry"},
		{name: "not a URL", getenv: env(tracing.EnvEndpoint, "localhost:4318"), err: "not an http:// or https:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, on, err := tracing.Resolve(tt.s, tt.getenv)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "fake-test-secret") {
					t.Fatalf("err = %v; want one saying %q and no value", err, tt.err)
				}
				return
			}
			if err != nil || on != tt.on || cfg.URL != tt.url {
				t.Fatalf("Resolve = %+v, %v, %v; want on %v, URL %q", cfg, on, err, tt.on, tt.url)
			}
			if len(cfg.Headers) != len(tt.headers) {
				t.Fatalf("headers %v; want %v", cfg.Headers, tt.headers)
			}
			for k, v := range tt.headers {
				if cfg.Headers[k] != v {
					t.Errorf("header %s = %q; want %q", k, cfg.Headers[k], v)
				}
			}
		})
	}
}
