// Package llmtest is a loopback stand-in for the Gemini REST API, for
// tests: an httptest server that answers POST
// /v1beta/models/{model}:generateContent the way the real service does —
// candidates[].content.parts[].text and usageMetadata (promptTokenCount,
// candidatesTokenCount, thoughtsTokenCount) on success; a google.rpc error
// body (429 RESOURCE_EXHAUSTED with a RetryInfo retryDelay detail, 500
// INTERNAL, ...) on failure; or no answer at all, until the client gives
// up. What to answer is the test's handler's choice; every request is kept,
// decoded, for the test to inspect.
//
// It is test support, used with the real genai SDK pointed at it through
// HTTPOptions.BaseURL (plan: base_url); nothing in a run depends on it.
package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Request is one generateContent request as the server received it.
type Request struct {
	Model    string
	APIKey   string // the x-goog-api-key header
	System   string // the system instruction's text
	Contents []Content
	Config   map[string]any // generationConfig as sent
	Arrived  time.Time
}

// Last is the text of the request's last content: the message to answer.
func (r Request) Last() string {
	if len(r.Contents) == 0 {
		return ""
	}
	return r.Contents[len(r.Contents)-1].Text
}

// Content is one turn of the history: role "user" or "model", its text
// parts joined.
type Content struct {
	Role string
	Text string
}

// Reply is what the server answers to one request.
type Reply struct {
	// Status is the HTTP status; 0 means 200 with Text and the usage below.
	Status int
	Text   string
	// Usage metadata of a 200; all zero leaves usageMetadata out.
	Prompt, Candidates, Thoughts int
	// FinishReason of a 200; "" means STOP.
	FinishReason string
	// Message and RPCStatus describe an error (Status ≥ 400); RPCStatus
	// defaults from the HTTP status (429 RESOURCE_EXHAUSTED, 500 INTERNAL, ...).
	Message   string
	RPCStatus string
	// RetryDelay, on an error, adds a google.rpc.RetryInfo detail with this
	// retryDelay (e.g. "1.5s"); RetryAfter sets the Retry-After header.
	RetryDelay string
	RetryAfter string
	// Hang answers nothing until the client gives up (or the server closes).
	Hang bool
}

// Handler chooses the reply to a request.
type Handler func(Request) Reply

// Server is the stand-in. URL is its base URL, for base_url.
type Server struct {
	URL string

	srv     *httptest.Server
	handler Handler
	closing chan struct{}
	once    sync.Once

	mu   sync.Mutex // guards reqs: requests are appended in arrival order
	reqs []Request
}

// New starts a stand-in on a loopback port.
func New(h Handler) *Server {
	s := &Server{handler: h, closing: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server, releasing any hanging request first.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closing) })
	s.srv.Close()
}

// Requests returns a copy of every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	req, err := decode(r)
	if err != nil {
		writeError(w, Reply{Status: http.StatusBadRequest, Message: err.Error()})
		return
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	reply := s.handler(req)
	switch {
	case reply.Hang:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
	case reply.Status >= 400:
		writeError(w, reply)
	default:
		writeAnswer(w, reply)
	}
}

// wire types of the Gemini REST API, as much as the stand-in reads.
type wireContent struct {
	Role  string `json:"role,omitempty"`
	Parts []struct {
		Text    string `json:"text,omitempty"`
		Thought bool   `json:"thought,omitempty"`
	} `json:"parts"`
}

type wireRequest struct {
	Contents          []wireContent  `json:"contents"`
	SystemInstruction *wireContent   `json:"systemInstruction"`
	GenerationConfig  map[string]any `json:"generationConfig"`
}

func decode(r *http.Request) (Request, error) {
	model, ok := modelOf(r)
	if r.Method != http.MethodPost || !ok {
		return Request{}, fmt.Errorf("want POST /v1beta/models/{model}:generateContent, got %s %s", r.Method, r.URL.Path)
	}
	var wr wireRequest
	if err := json.NewDecoder(r.Body).Decode(&wr); err != nil {
		return Request{}, fmt.Errorf("invalid JSON body: %v", err)
	}
	req := Request{Model: model, APIKey: r.Header.Get("x-goog-api-key"), Config: wr.GenerationConfig, Arrived: time.Now()}
	if wr.SystemInstruction != nil {
		req.System = textOf(*wr.SystemInstruction)
	}
	for _, c := range wr.Contents {
		req.Contents = append(req.Contents, Content{Role: c.Role, Text: textOf(c)})
	}
	return req, nil
}

func modelOf(r *http.Request) (string, bool) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1beta/models/")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, ":generateContent")
}

func textOf(c wireContent) string {
	var parts []string
	for _, p := range c.Parts {
		parts = append(parts, p.Text)
	}
	return strings.Join(parts, "")
}

func writeAnswer(w http.ResponseWriter, reply Reply) {
	finish := reply.FinishReason
	if finish == "" {
		finish = "STOP"
	}
	body := map[string]any{
		"candidates": []any{map[string]any{
			"content":      map[string]any{"role": "model", "parts": []any{map[string]any{"text": reply.Text}}},
			"finishReason": finish,
			"index":        0,
		}},
		"modelVersion": "stand-in",
	}
	if reply.Prompt+reply.Candidates+reply.Thoughts > 0 {
		usage := map[string]any{
			"promptTokenCount":     reply.Prompt,
			"candidatesTokenCount": reply.Candidates,
			"totalTokenCount":      reply.Prompt + reply.Candidates + reply.Thoughts,
		}
		if reply.Thoughts > 0 {
			usage["thoughtsTokenCount"] = reply.Thoughts
		}
		body["usageMetadata"] = usage
	}
	writeJSON(w, http.StatusOK, body)
}

func writeError(w http.ResponseWriter, reply Reply) {
	status := reply.RPCStatus
	if status == "" {
		status = rpcStatus(reply.Status)
	}
	e := map[string]any{"code": reply.Status, "message": reply.Message, "status": status}
	if reply.RetryDelay != "" {
		e["details"] = []any{map[string]any{
			"@type":      "type.googleapis.com/google.rpc.RetryInfo",
			"retryDelay": reply.RetryDelay,
		}}
	}
	if reply.RetryAfter != "" {
		w.Header().Set("Retry-After", reply.RetryAfter)
	}
	writeJSON(w, reply.Status, map[string]any{"error": e})
}

func rpcStatus(code int) string {
	switch {
	case code == http.StatusTooManyRequests:
		return "RESOURCE_EXHAUSTED"
	case code == http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	case code == http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case code == http.StatusForbidden:
		return "PERMISSION_DENIED"
	case code == http.StatusServiceUnavailable:
		return "UNAVAILABLE"
	case code >= 500:
		return "INTERNAL"
	}
	return "UNKNOWN"
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body) // the client hanging up is the client's business
}
