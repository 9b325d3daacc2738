package llm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genai"

	"github.com/voyplan/voyplan/engine/llm/llmtest"
	"github.com/voyplan/voyplan/engine/plan"
)

const testKey = "test-key-do-not-print"

// fastBackoff keeps the tests' own backoff short, so a wait the test
// measures is the one the server asked for.
var fastBackoff = Backoff{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond, MaxServerDelay: 10 * time.Second}

func newClient(t *testing.T, srv *llmtest.Server, tweak func(*plan.LLM)) *Client {
	t.Helper()
	m := &plan.LLM{Name: "gemini", Model: "gemini-2.5-flash", APIKey: testKey, BaseURL: srv.URL, PriceInput: 0.30, PriceOutput: 2.50}
	if tweak != nil {
		tweak(m)
	}
	c, err := New(context.Background(), m, Options{Backoff: fastBackoff})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func newChat(t *testing.T, c *Client, system string) *Chat {
	t.Helper()
	ch, err := c.NewChat(system)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func answer(text string) llmtest.Reply {
	return llmtest.Reply{Text: text, Prompt: 100, Candidates: 10}
}

func TestChatSendsSystemInstructionAndGrowingHistory(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(func(r llmtest.Request) llmtest.Reply {
		return answer(fmt.Sprintf("resposta %d", len(r.Contents)))
	})
	defer srv.Close()
	temp, budget := 0.7, 0
	c := newClient(t, srv, func(m *plan.LLM) {
		m.Temperature, m.ThinkingBudget, m.MaxOutputTokens = &temp, &budget, 256
	})
	system := "Você é Kataryna. CPF: 529.982.247-25"
	ch := newChat(t, c, system)
	sent := []string{"Olá! Como posso te chamar?", "Você aceita receber mensagens?", "Como posso te ajudar?"}
	for i, msg := range sent {
		got, _, err := ch.Send(context.Background(), msg)
		if err != nil {
			t.Fatalf("Send #%d: %v", i+1, err)
		}
		if want := fmt.Sprintf("resposta %d", 2*i+1); got != want {
			t.Errorf("Send #%d = %q, want %q", i+1, got, want)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != len(sent) {
		t.Fatalf("%d requests, want %d", len(reqs), len(sent))
	}
	for i, r := range reqs {
		if r.System != system || r.Model != "gemini-2.5-flash" || r.APIKey != testKey {
			t.Errorf("request %d: system %q, model %q, key sent %v", i+1, r.System, r.Model, r.APIKey == testKey)
		}
		if len(r.Contents) != 2*i+1 {
			t.Errorf("request %d carries %d contents, want %d (two per earlier turn, plus the new message)", i+1, len(r.Contents), 2*i+1)
		}
		for j, ct := range r.Contents {
			if want := []string{"user", "model"}[j%2]; ct.Role != want {
				t.Errorf("request %d content %d: role %q, want %q", i+1, j, ct.Role, want)
			}
		}
		if r.Last() != sent[i] {
			t.Errorf("request %d ends with %q, want %q", i+1, r.Last(), sent[i])
		}
	}
	last := reqs[2]
	if last.Contents[1].Text != "resposta 1" || last.Contents[3].Text != "resposta 3" {
		t.Errorf("history does not hold the model's answers: %+v", last.Contents)
	}
	cfg := last.Config
	thinking, _ := cfg["thinkingConfig"].(map[string]any)
	if cfg["temperature"] != 0.7 || cfg["maxOutputTokens"] != 256.0 || thinking == nil || thinking["thinkingBudget"] != 0.0 {
		t.Errorf("generationConfig = %v; want temperature 0.7, maxOutputTokens 256, thinkingBudget 0", cfg)
	}
	if n := len(ch.History()); n != 6 {
		t.Errorf("history after 3 turns holds %d contents, want 6", n)
	}
}

func TestCostCountsThinkingTokens(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(func(llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Text: "Sim, pode enviar", Prompt: 13678, Candidates: 226, Thoughts: 1000}
	})
	defer srv.Close()
	ch := newChat(t, newClient(t, srv, nil), "persona")
	_, call, err := ch.Send(context.Background(), "Você aceita?")
	if err != nil {
		t.Fatal(err)
	}
	// 13678 × 0.30 + (226 + 1000) × 2.50 = 4103.4 + 3065 = 7168.4 USD per 1M tokens.
	const want = 0.0071684
	if math.Abs(call.CostUSD-want) > 1e-12 {
		t.Errorf("cost = %.10f, want %.10f", call.CostUSD, want)
	}
	if call.InputTokens != 13678 || call.OutputTokens != 226 || call.ThinkingTokens != 1000 || call.Attempts != 1 {
		t.Errorf("call = %+v", call)
	}
	if call.MS <= 0 {
		t.Errorf("latency %v ms, want > 0", call.MS)
	}
}

func TestRetriesHonourTheServersDelay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		first llmtest.Reply
		delay time.Duration
	}{
		{"RetryInfo in the body", llmtest.Reply{Status: 429, Message: "Resource has been exhausted (e.g. check quota).", RetryDelay: "1.2s"}, 1200 * time.Millisecond},
		{"Retry-After header", llmtest.Reply{Status: 503, Message: "The model is overloaded.", RetryAfter: "1"}, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			n := 0
			srv := llmtest.New(func(llmtest.Request) llmtest.Reply {
				mu.Lock()
				defer mu.Unlock()
				if n++; n == 1 {
					return tt.first
				}
				return answer("ok")
			})
			defer srv.Close()
			ch := newChat(t, newClient(t, srv, nil), "persona")
			got, call, err := ch.Send(context.Background(), "Olá")
			if err != nil || got != "ok" {
				t.Fatalf("Send = %q, %v", got, err)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 || call.Attempts != 2 {
				t.Fatalf("%d requests, %d attempts; want 2 and 2", len(reqs), call.Attempts)
			}
			if gap := reqs[1].Arrived.Sub(reqs[0].Arrived); gap < tt.delay || gap > tt.delay+2*time.Second {
				t.Errorf("retried after %v; the server asked for %v", gap, tt.delay)
			}
			if call.MS < float64(tt.delay/time.Millisecond) {
				t.Errorf("latency %.1f ms does not include the retry delay %v", call.MS, tt.delay)
			}
		})
	}
}

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		replies      []llmtest.Reply // by request number; the last repeats
		maxRetries   int
		wantAttempts int
		wantErr      string
	}{
		{"500 then success", []llmtest.Reply{{Status: 500, Message: "Internal error"}, answer("ok")}, 3, 2, ""},
		{"500 until retries run out", []llmtest.Reply{{Status: 500, Message: "Internal error"}}, 2, 3, "HTTP 500 INTERNAL: Internal error"},
		{"400 is not retried", []llmtest.Reply{{Status: 400, Message: "Invalid argument"}}, 3, 1, "HTTP 400 INVALID_ARGUMENT"},
		{"a delay past the cap fails at once", []llmtest.Reply{{Status: 429, Message: "Quota exceeded for the day", RetryDelay: "86400s"}}, 3, 1, "HTTP 429 RESOURCE_EXHAUSTED"},
		{"an empty answer is billed, not retried", []llmtest.Reply{{Text: "", FinishReason: "MAX_TOKENS", Prompt: 50, Thoughts: 64}}, 3, 1, "no text (finish reason MAX_TOKENS)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			n := 0
			srv := llmtest.New(func(llmtest.Request) llmtest.Reply {
				mu.Lock()
				defer mu.Unlock()
				n++
				return tt.replies[min(n, len(tt.replies))-1]
			})
			defer srv.Close()
			ch := newChat(t, newClient(t, srv, func(m *plan.LLM) { m.MaxRetries = tt.maxRetries }), "persona")
			_, call, err := ch.Send(context.Background(), "Olá")
			if call.Attempts != tt.wantAttempts || len(srv.Requests()) != tt.wantAttempts {
				t.Errorf("attempts %d, requests %d; want %d", call.Attempts, len(srv.Requests()), tt.wantAttempts)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v; want it to contain %q", err, tt.wantErr)
			}
			if tt.name == "an empty answer is billed, not retried" && (!errors.Is(err, ErrEmpty) || call.ThinkingTokens != 64 || call.CostUSD <= 0) {
				t.Errorf("empty answer: err %v, call %+v; want ErrEmpty with its tokens billed", err, call)
			}
		})
	}
}

func TestAHangingAttemptTimesOutAndIsRetried(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	hung := 0
	srv := llmtest.New(func(llmtest.Request) llmtest.Reply {
		mu.Lock()
		defer mu.Unlock()
		if hung < 1 {
			hung++
			return llmtest.Reply{Hang: true}
		}
		return answer("ok")
	})
	defer srv.Close()
	ch := newChat(t, newClient(t, srv, func(m *plan.LLM) { m.Timeout = 300 * time.Millisecond }), "persona")
	start := time.Now()
	got, call, err := ch.Send(context.Background(), "Olá")
	// 2 attempts: the hung one cut, then the answer — or more when a
	// loaded machine makes the answering attempt outlast 300 ms too (cut
	// and retried as well): the hung attempt never holds the call.
	if err != nil || got != "ok" || call.Attempts < 2 {
		t.Fatalf("Send = %q, %+v, %v; want ok after at least 2 attempts", got, call, err)
	}
	if el := time.Since(start); el < 300*time.Millisecond || el > 10*time.Second {
		t.Errorf("took %v; the first attempt should have been cut at 300ms", el)
	}
}

func TestEveryAttemptHangingFailsWithTheTimeout(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(func(llmtest.Request) llmtest.Reply { return llmtest.Reply{Hang: true} })
	defer srv.Close()
	ch := newChat(t, newClient(t, srv, func(m *plan.LLM) { m.Timeout, m.MaxRetries = 100*time.Millisecond, 1 }), "persona")
	_, call, err := ch.Send(context.Background(), "Olá")
	var e *Error
	if !errors.As(err, &e) || e.Attempts != 2 || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Fatalf("err = %v; want an *Error after 2 attempts naming the timeout", err)
	}
	if call.Attempts != 2 {
		t.Errorf("attempts = %d", call.Attempts)
	}
}

func TestCancelledContextStopsRetrying(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(func(llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Status: 429, Message: "slow down", RetryDelay: "5s"}
	})
	defer srv.Close()
	ch := newChat(t, newClient(t, srv, nil), "persona")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := ch.Send(ctx, "Olá")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Errorf("err = %v after %v; want the context's error, promptly", err, time.Since(start))
	}
}

func TestTheKeyNeverAppearsInErrors(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(func(r llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Status: 401, Message: "API key not valid: " + r.APIKey}
	})
	defer srv.Close()
	ch := newChat(t, newClient(t, srv, nil), "persona")
	_, _, err := ch.Send(context.Background(), "Olá")
	if err == nil || strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("err = %v; want the key redacted", err)
	}
}

func TestNewRefusesAnEmptyKey(t *testing.T) {
	t.Parallel()
	_, err := New(context.Background(), &plan.LLM{Name: "gemini", Model: "gemini-2.5-flash"}, Options{})
	if !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), `llm "gemini"`) {
		t.Errorf("err = %v; want ErrNoKey naming the block", err)
	}
}

func TestServerDelay(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	retryInfo := genai.APIError{Code: 429, Details: []map[string]any{
		{"@type": "type.googleapis.com/google.rpc.QuotaFailure"},
		{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"},
	}}
	tests := []struct {
		name       string
		err        error
		retryAfter string
		want       time.Duration
	}{
		{"RetryInfo", fmt.Errorf("wrapped: %w", retryInfo), "", 37 * time.Second},
		{"RetryInfo wins over the header", retryInfo, "3", 37 * time.Second},
		{"fractional RetryInfo", genai.APIError{Details: []map[string]any{{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.25s"}}}, "", 250 * time.Millisecond},
		{"Retry-After seconds", genai.APIError{Code: 503}, "2", 2 * time.Second},
		{"Retry-After date", genai.APIError{Code: 503}, now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"nothing", errors.New("connection reset"), "", 0},
		{"garbage", genai.APIError{Details: []map[string]any{{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "soon"}}}, "later", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := serverDelay(tt.err, tt.retryAfter, now); got != tt.want {
				t.Errorf("serverDelay = %v, want %v", got, tt.want)
			}
		})
	}
}
