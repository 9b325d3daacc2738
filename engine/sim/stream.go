package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const (
	// CompletionsPath serves the dialogue as an OpenAI-compatible chat
	// completions endpoint, streamed ("stream": true) or not.
	CompletionsPath = "/v1/chat/completions"
	// SSEPath serves the dialogue as a plain Server-Sent-Events chat API.
	SSEPath = "/v1/sse"
	// StampField is the field of the first content chunk (openai) or event
	// (sse) that carries the simulator's wall clock, in Unix nanoseconds,
	// taken right before the chunk was written: the true time to first
	// token, for the benchmarks.
	StampField = "x_voyplan_sent_at"

	defaultChunkSize = 24 // runes of text per chunk
)

// completionRequest is the part of a chat completion request the
// simulator reads.
type completionRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	Stream        bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

// serveCompletions answers POST CompletionsPath. It is stateless, as the
// API is: the user messages of the request are replayed through a fresh
// dialogue and the reply to the last one is sent.
func (s *Server) serveCompletions(w http.ResponseWriter, r *http.Request) {
	var req completionRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&req); err != nil {
		s.stats.invalid.Add(1)
		writeJSON(w, http.StatusBadRequest, errorBody("invalid JSON body"))
		return
	}
	var users []string
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(strings.Fields(m.Content))
		if m.Role == "user" {
			users = append(users, m.Content)
		}
	}
	if len(users) == 0 {
		s.stats.invalid.Add(1)
		writeJSON(w, http.StatusBadRequest, errorBody("no user message"))
		return
	}
	d := s.NewDialogue()
	var reply []ChatItem
	for _, u := range users {
		reply = d.Reply(u)
	}
	if s.fault(w) {
		return
	}
	if req.Stream {
		usage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
		s.streamCompletion(w, r, reply, prompt, usage)
		return
	}
	if !s.pause(r.Context(), s.opts.Latency) {
		return
	}
	text := textOf(reply)
	writeJSON(w, http.StatusOK, map[string]any{
		"object":  "chat.completion",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}}},
		"usage":   map[string]int{"prompt_tokens": prompt, "completion_tokens": len(strings.Fields(text))},
	})
}

// fault plays FailRate: true when the request was answered with a
// failure.
func (s *Server) fault(w http.ResponseWriter) bool {
	if s.rng.hit(s.opts.FailRate) {
		s.stats.failed.Add(1)
		writeJSON(w, s.opts.FailStatus, errorBody("simulated failure"))
		return true
	}
	return false
}

// textOf joins a reply's text items with newlines.
func textOf(items []ChatItem) string {
	var texts []string
	for _, it := range items {
		if it.Type == "text" {
			texts = append(texts, it.Text)
		}
	}
	return strings.Join(texts, "\n")
}

// streamCompletion sends a reply as chat completion chunks: a role-only
// chunk at once, the text in chunks (FirstChunk, then ChunkInterval apart,
// Stall every StallEvery chunks), each image as a content part, the usage
// when asked for, and data: [DONE] — or, at CutRate, nothing after the
// first half of the chunks.
func (s *Server) streamCompletion(w http.ResponseWriter, r *http.Request, reply []ChatItem, prompt int, usage bool) {
	st, ok := s.newStreamer(w, r)
	if !ok {
		return
	}
	st.event("", `{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`)
	parts := s.parts(reply)
	cut := s.rng.hit(s.opts.CutRate)
	for i, p := range parts {
		if cut && i >= max(len(parts)/2, 1) {
			return
		}
		var delta any = p.text
		if p.link != "" {
			delta = []any{map[string]any{"type": "image_url", "image_url": map[string]string{"url": p.link}}}
		}
		body := map[string]any{"object": "chat.completion.chunk", "choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": delta}}}}
		if !st.contentEvent(i, "", body) {
			return
		}
	}
	if usage {
		text := textOf(reply)
		st.json("", map[string]any{"object": "chat.completion.chunk", "choices": []any{},
			"usage": map[string]int{"prompt_tokens": prompt, "completion_tokens": len(strings.Fields(text)), "total_tokens": prompt + len(strings.Fields(text))}})
	}
	st.event("", "[DONE]")
	s.stats.delivered.Add(1)
}

// part is one content chunk: a piece of text, or an image.
type part struct{ text, link string }

// parts cuts a reply into its content chunks: the text items (joined by
// newlines) in ChunkSize runes, then each image.
func (s *Server) parts(reply []ChatItem) []part {
	text := textOf(reply)
	size := s.opts.ChunkSize
	var out []part
	for text != "" {
		n, i := 0, 0
		for i < len(text) && n < size {
			_, w := utf8.DecodeRuneInString(text[i:])
			i += w
			n++
		}
		out = append(out, part{text: text[:i]})
		text = text[i:]
	}
	for _, it := range reply {
		if it.Type == "media" {
			out = append(out, part{link: it.Link})
		}
	}
	return out
}

// streamer writes one event stream, flushing every event.
type streamer struct {
	s *Server
	w http.ResponseWriter
	r *http.Request
	f http.Flusher
}

func (s *Server) newStreamer(w http.ResponseWriter, r *http.Request) (*streamer, bool) {
	f, ok := w.(http.Flusher)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, errorBody("streaming unsupported"))
		return nil, false
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	f.Flush()
	return &streamer{s: s, w: w, r: r, f: f}, true
}

// event writes one event (typ "": no event field) and flushes it.
func (st *streamer) event(typ, data string) bool {
	var b strings.Builder
	if typ != "" {
		b.WriteString("event: " + typ + "\n")
	}
	b.WriteString("data: " + data + "\n\n")
	if _, err := st.w.Write([]byte(b.String())); err != nil {
		return false
	}
	st.f.Flush()
	return true
}

// json writes body as one event's data.
func (st *streamer) json(typ string, body any) bool {
	raw, err := json.Marshal(body)
	if err != nil {
		return false
	}
	return st.event(typ, string(raw))
}

// sseRequest is the SSE endpoint's request body.
type sseRequest struct {
	ConversationID string `json:"conversation_id"`
	Message        string `json:"message"`
}

// chunkWait is how long the i-th content chunk of a streamed reply
// waits: FirstChunk for the first, then ChunkInterval, or Stall on every
// StallEvery-th.
func (s *Server) chunkWait(i int) time.Duration {
	o := s.opts
	switch {
	case i == 0:
		return o.FirstChunk
	case o.StallEvery > 0 && i%o.StallEvery == 0:
		return o.Stall
	}
	return o.ChunkInterval
}

// sseConversations holds the SSE endpoint's dialogues by conversation id;
// each dialogue's mutex keeps its messages in order.
type sseConversations struct{ m sync.Map }

type sseDialogue struct {
	mu   sync.Mutex
	d    *Dialogue
	turn int        // WebSocket: the turn last answered
	last []ChatItem // and its reply, sent again for the same turn
}

// serveSSE answers POST SSEPath {"conversation_id","message"} with an
// event stream: `event: delta` {"text"} per chunk of text, `event: media`
// {"link"} per image, then `event: done` {"usage":{"output_tokens"}} — or,
// at CutRate, nothing after half of the chunks.
func (s *Server) serveSSE(w http.ResponseWriter, r *http.Request) {
	var req sseRequest
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&req)
	if err == nil && (req.ConversationID == "" || strings.TrimSpace(req.Message) == "") {
		err = errors.New("conversation_id and message are required")
	}
	if err != nil {
		s.stats.invalid.Add(1)
		writeJSON(w, http.StatusBadRequest, errorBody(fmt.Sprintf("want {\"conversation_id\", \"message\"}: %v", err)))
		return
	}
	v, _ := s.sse.m.LoadOrStore(req.ConversationID, &sseDialogue{})
	sd := v.(*sseDialogue)
	sd.mu.Lock()
	if sd.d == nil {
		sd.d = s.NewDialogue()
	}
	reply := sd.d.Reply(req.Message)
	sd.mu.Unlock()
	if s.fault(w) {
		return
	}
	st, ok := s.newStreamer(w, r)
	if !ok {
		return
	}
	parts := s.parts(reply)
	cut := s.rng.hit(s.opts.CutRate)
	for i, p := range parts {
		if cut && i >= max(len(parts)/2, 1) {
			return
		}
		typ, body := "delta", map[string]any{"text": p.text}
		if p.link != "" {
			typ, body = "media", map[string]any{"link": p.link}
		}
		if !st.contentEvent(i, typ, body) {
			return
		}
	}
	st.json("done", map[string]any{"usage": map[string]int{"output_tokens": len(strings.Fields(textOf(reply)))}})
	s.stats.delivered.Add(1)
}

// contentEvent waits for the i-th content chunk's time — FirstChunk for
// the first, then ChunkInterval, or Stall on every StallEvery-th — and
// writes body as an event of type typ ("": none), the first stamped with
// the wall clock (StampField) as it is written.
func (st *streamer) contentEvent(i int, typ string, body map[string]any) bool {
	if !st.s.pause(st.r.Context(), st.s.chunkWait(i)) {
		return false
	}
	if i == 0 {
		body[StampField] = time.Now().UnixNano()
	}
	return st.json(typ, body)
}
