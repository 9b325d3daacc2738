package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"google.golang.org/genai"

	"github.com/voyplan/voyplan/engine/plan"
)

// Defaults of an llm block's tuning (zero in the plan means these).
const (
	DefaultTimeout    = 60 * time.Second // one attempt
	DefaultMaxRetries = 3                // attempts after the first
	// expectedOutput is the token estimate of an answer when the block sets
	// no max_output_tokens: a customer's WhatsApp message is short.
	expectedOutput = 64
)

// ErrNoKey is returned by New for a block whose api_key is empty.
var ErrNoKey = errors.New("api_key is empty")

// Options tune a Client beyond its llm block; the zero value is what a run
// uses. Tests shorten the backoff.
type Options struct {
	Backoff Backoff // zero: DefaultBackoff()
	// Transport is the HTTP transport under the client; nil: a clone of
	// http.DefaultTransport sized for many concurrent users.
	Transport http.RoundTripper
}

// Client talks to the model of one llm block. It is shared by every virtual
// user of a run — its limiters are what keeps them within the quota — and
// is safe for concurrent use.
type Client struct {
	name    string
	model   string
	key     string // secret: only ever sent in the x-goog-api-key header
	price   Price
	timeout time.Duration
	retries int
	backoff Backoff
	config  genai.GenerateContentConfig // per chat, with its system instruction added
	genai   *genai.Client
	http    *http.Client
	limits  *limits
}

// New builds the client of llm block m. It fails when the block has no key
// (ErrNoKey) or the SDK refuses its settings; nothing is sent yet.
func New(ctx context.Context, m *plan.LLM, opts Options) (*Client, error) {
	if strings.TrimSpace(m.APIKey) == "" {
		return nil, fmt.Errorf("llm %q: %w", m.Name, ErrNoKey)
	}
	c := &Client{
		name:    m.Name,
		model:   m.Model,
		key:     m.APIKey,
		price:   PriceOf(m),
		timeout: cmpOr(m.Timeout, DefaultTimeout),
		retries: cmpOr(m.MaxRetries, DefaultMaxRetries),
		backoff: opts.Backoff,
		config:  generationConfig(m),
		limits:  newLimits(m.RequestsPerMinute, m.TokensPerMinute),
	}
	if c.backoff == (Backoff{}) {
		c.backoff = DefaultBackoff()
	}
	c.http = &http.Client{Transport: retryAfterTransport{base: transport(opts.Transport)}}
	cc := &genai.ClientConfig{
		APIKey:      m.APIKey,
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  c.http,
		HTTPOptions: genai.HTTPOptions{BaseURL: m.BaseURL},
	}
	g, err := genai.NewClient(ctx, cc)
	if err != nil {
		return nil, fmt.Errorf("llm %q: cannot create the Gemini client: %s", m.Name, c.redact(err.Error()))
	}
	c.genai = g
	return c, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func transport(t http.RoundTripper) http.RoundTripper {
	if t != nil {
		return t
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256 // every user of a run talks to the same host
	return tr
}

// generationConfig is the block's tuning as a genai config. Automatic
// continuation is off: every billed request is one the Chat sees and counts.
func generationConfig(m *plan.LLM) genai.GenerateContentConfig {
	cfg := genai.GenerateContentConfig{AutomaticContinuation: genai.Ptr(false)}
	if m.Temperature != nil {
		cfg.Temperature = genai.Ptr(float32(*m.Temperature))
	}
	if m.MaxOutputTokens > 0 {
		cfg.MaxOutputTokens = int32(m.MaxOutputTokens)
	}
	if m.ThinkingBudget != nil {
		cfg.ThinkingConfig = &genai.ThinkingConfig{ThinkingBudget: genai.Ptr(int32(*m.ThinkingBudget))}
	}
	return cfg
}

// Name is the llm block's name.
func (c *Client) Name() string { return c.name }

// Price is what the block's model costs.
func (c *Client) Price() Price { return c.price }

// Close releases the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// redact removes the key from text meant for a log or a result file.
func (c *Client) redact(s string) string {
	if c.key == "" {
		return s
	}
	return strings.ReplaceAll(s, c.key, "[redacted]")
}
