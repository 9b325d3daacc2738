package sim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// item is one element of a callback's "messages" array.
type item struct {
	Role  string `json:"role"`
	Type  string `json:"type"`
	Text  string `json:"text,omitempty"`
	Media *media `json:"media,omitempty"`
}

type media struct {
	Type string `json:"type"`
	Link string `json:"link"`
}

type payload struct {
	Messages []item `json:"messages"`
}

// delivery is one reply waiting to be sent: its callback bodies in order,
// sent copies times (2 for a duplicated reply).
type delivery struct {
	webhook string
	auth    string // the Authorization header, "" for none (WhatsApp bot mode: the Graph API's bearer token)
	due     time.Time
	bodies  [][]byte
	copies  int
}

// items turns the n-th reply's texts into callback items, with a park
// image appended on every ImageEvery-th reply.
func (s *Server) items(n int, texts []string) []item {
	out := make([]item, 0, len(texts)+1)
	for _, t := range texts {
		if from := s.opts.RewordFrom; from > 0 && n >= from {
			t = Reworded(t)
		}
		out = append(out, item{Role: "assistant", Type: "text", Text: t})
	}
	if every := s.opts.ImageEvery; every > 0 && n%every == 0 {
		link := fmt.Sprintf("%s%d.jpg", imageBase, (n/every-1)%images+1)
		out = append(out, item{Role: "assistant", Type: "media", Media: &media{Type: "image", Link: link}})
	}
	return out
}

// enqueue draws the reply's faults and queues it behind the conversation's
// earlier replies. The caller holds sh.mu.
func (s *Server) enqueue(sh *shard, c *conversation, webhook string, items []item, now time.Time) {
	if s.rng.hit(s.opts.DropRate) {
		s.stats.dropped.Add(1)
		return
	}
	parts := [][]item{items}
	if every := s.opts.SplitEvery; every > 0 && c.replies%every == 0 {
		parts = splitItems(items)
	}
	d := &delivery{webhook: webhook}
	for _, p := range parts {
		d.bodies = append(d.bodies, s.body(p))
	}
	s.queue(sh, c, d, now)
}

// queue draws a delivery's latency and duplication and queues it behind
// the conversation's earlier replies. The caller holds sh.mu.
func (s *Server) queue(sh *shard, c *conversation, d *delivery, now time.Time) {
	inflight := s.pending.Add(1) // taken back when it is taken for delivery
	d.due, d.copies = now.Add(s.delay()+time.Duration(inflight)*s.opts.LatencyPerInflight), 1
	if s.rng.hit(s.opts.DuplicateRate) {
		d.copies = 2
	}
	c.queue = append(c.queue, d)
	s.arm(sh, c)
}

// delay is Latency plus jitter, plus LateDelay for a late reply.
func (s *Server) delay() time.Duration {
	d := s.opts.Latency + s.rng.upTo(s.opts.Jitter)
	if s.rng.hit(s.opts.LateRate) {
		d += s.opts.LateDelay
	}
	return d
}

// body encodes one callback; a malformed one is cut in half, and a proper
// prefix of a JSON object is never valid JSON.
func (s *Server) body(items []item) []byte {
	b, err := json.Marshal(payload{Messages: items})
	if err != nil {
		panic("sim: cannot encode a reply: " + err.Error()) // items are plain strings
	}
	if s.rng.hit(s.opts.MalformedRate) {
		b = b[:len(b)/2]
	}
	return b
}

// splitItems halves a reply: the first half of the items, then the rest. A
// one-item reply has its text cut at the line break (or else the space)
// nearest the middle.
func splitItems(items []item) [][]item {
	if len(items) >= 2 {
		return [][]item{items[:len(items)/2], items[len(items)/2:]}
	}
	if len(items) == 1 && items[0].Type == "text" {
		if a, b, ok := splitText(items[0].Text); ok {
			first, second := items[0], items[0]
			first.Text, second.Text = a, b
			return [][]item{{first}, {second}}
		}
	}
	return [][]item{items}
}

func splitText(t string) (string, string, bool) {
	for _, sep := range []string{"\n", ". ", " "} {
		if i := nearestMiddle(t, sep); i > 0 {
			a, b := strings.TrimSpace(t[:i+len(sep)]), strings.TrimSpace(t[i+len(sep):])
			if a != "" && b != "" {
				return a, b, true
			}
		}
	}
	return "", "", false
}

// nearestMiddle returns the index of the occurrence of sep closest to the
// middle of t, -1 when there is none.
func nearestMiddle(t, sep string) int {
	best, mid := -1, len(t)/2
	for off := 0; off < len(t); {
		i := strings.Index(t[off:], sep)
		if i < 0 {
			break
		}
		i += off
		if best < 0 || abs(i-mid) < abs(best-mid) {
			best = i
		}
		off = i + len(sep)
	}
	return best
}

func abs(n int) int { return max(n, -n) }

// arm starts the timer for the conversation's oldest pending reply unless
// one is armed or being delivered. The caller holds sh.mu.
func (s *Server) arm(sh *shard, c *conversation) {
	if c.timer != nil || c.busy || len(c.queue) == 0 {
		return
	}
	if !s.track.add() {
		c.queue = nil // closing: nothing more goes out
		return
	}
	c.timer = time.AfterFunc(time.Until(c.queue[0].due), func() { s.fire(sh, c) })
}

// fire delivers the oldest pending reply, then arms the next one.
func (s *Server) fire(sh *shard, c *conversation) {
	defer s.track.done()
	d := s.take(sh, c)
	if d == nil {
		return
	}
	s.deliver(d)
	sh.mu.Lock()
	c.busy = false
	s.arm(sh, c)
	sh.mu.Unlock()
}

// take removes the oldest pending reply and marks the conversation busy;
// nil when the server is closing or nothing is left.
func (s *Server) take(sh *shard, c *conversation) *delivery {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	c.timer = nil
	if s.ctx.Err() != nil || len(c.queue) == 0 {
		return nil
	}
	d := c.queue[0]
	c.queue[0] = nil
	c.queue = c.queue[1:]
	s.pending.Add(-1)
	c.busy = true
	return d
}

// deliver sends a reply's callbacks, splitGap apart, once or twice.
func (s *Server) deliver(d *delivery) {
	for n := range d.copies {
		if n > 0 {
			s.stats.duplicated.Add(1)
		}
		for i, b := range d.bodies {
			if i > 0 && !s.pause(s.ctx, splitGap) {
				return
			}
			if s.ctx.Err() != nil {
				return
			}
			s.post(d, b)
		}
	}
}

// post sends one callback; its failure is counted, not returned.
func (s *Server) post(d *delivery, body []byte) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, d.webhook, bytes.NewReader(body))
	if err != nil {
		s.stats.deliveryErrors.Add(1)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if d.auth != "" {
		req.Header.Set("Authorization", d.auth)
	} else {
		// A callback is replayable, as webhook senders resend: when the
		// receiver closes a kept-alive connection just as the callback
		// goes out on it, Go's transport sends it again on a new one
		// instead of losing the reply (a copy the receiver already had is
		// a duplicate it counts). A nil Idempotency-Key is not sent. (The
		// Graph API calls of the WhatsApp bot are not: a bot that sends
		// twice is what channel faults look for.)
		req.Header["Idempotency-Key"] = nil
	}
	if s.opts.SignSecret != "" {
		req.Header.Set(SignatureHeader, sign(s.opts.SignSecret, body))
	}
	if s.owned != nil { // the default client: its connections stamp as they write (stamp.go)
		req.Header[SentAtHeader] = []string{string(stampPlaceholder)}
	} else {
		req.Header.Set(SentAtHeader, strconv.FormatInt(time.Now().UnixNano(), 10))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.stats.deliveryErrors.Add(1)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // drain for keep-alive
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		s.stats.deliveryErrors.Add(1)
		return
	}
	s.stats.delivered.Add(1)
}

// SignatureHeader carries a callback's signature when Options.SignSecret
// is set.
const SignatureHeader = "X-Hub-Signature-256"

// sign is body's signature under secret, as SignatureHeader carries it.
func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
