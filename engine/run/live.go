package run

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/voyplan/voyplan/engine/transcript"
)

// endedMemory is how many ended conversations the live registry keeps, so
// one that ends while a person reads it stays readable a little longer.
const endedMemory = 50

// LiveConversation is a conversation as a live view shows it: its record
// so far — no outcome while it is in flight — and the turn whose reply it
// is waiting for.
type LiveConversation struct {
	transcript.Conversation
	InFlight bool             `json:"in_flight"`
	Waiting  *transcript.Turn `json:"waiting,omitempty"` // sent, no reply yet
}

// LiveSummary is one line of the list of live conversations.
type LiveSummary struct {
	ID        string             `json:"id"`
	User      int                `json:"user"`
	Persona   string             `json:"persona"`
	StartedAt time.Time          `json:"started_at"`
	Turns     int                `json:"turns"`
	Waiting   bool               `json:"waiting"`
	InFlight  bool               `json:"in_flight"`
	Outcome   transcript.Outcome `json:"outcome,omitempty"`
	Last      string             `json:"last"` // the last message either side sent, trimmed
}

// liveRegistry keeps the conversations in flight readable from other
// goroutines: the conversation loop publishes each turn, readers get
// copies. A nil registry is off: every method does nothing.
type liveRegistry struct {
	limit int
	// mu guards the fields below. Invariant: convs holds the conversations
	// in flight that were registered, at most limit of them (a
	// conversation begun while limit are held is not tracked); ended holds
	// the last endedMemory conversations that ended, oldest first. An
	// entry's turns are copies, never written after they are appended.
	mu    sync.Mutex
	convs map[string]*liveEntry
	ended []*transcript.Conversation
}

type liveEntry struct {
	rec     transcript.Conversation // header fields and the turns so far
	waiting *transcript.Turn
}

func newLiveRegistry(limit int) *liveRegistry {
	if limit <= 0 {
		return nil
	}
	return &liveRegistry{limit: limit, convs: make(map[string]*liveEntry)}
}

// begin registers a conversation that starts.
func (l *liveRegistry) begin(rec *transcript.Conversation) {
	if l == nil {
		return
	}
	e := &liveEntry{rec: *rec}
	e.rec.Turns = nil
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.convs) < l.limit {
		l.convs[rec.ID] = e
	}
}

// sending records that turn n's message goes out now.
func (l *liveRegistry) sending(id string, n int, text string) {
	if l == nil {
		return
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.convs[id]; e != nil {
		e.waiting = &transcript.Turn{N: n, Sent: text, SentAt: now}
	}
}

// turned records a turn that is over, reply or not.
func (l *liveRegistry) turned(id string, t transcript.Turn) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.convs[id]; e != nil {
		e.rec.Turns = append(e.rec.Turns, t)
		e.waiting = nil
	}
}

// end moves a conversation that ended to the ended ones; rec is its final
// record, which nobody writes any more.
func (l *liveRegistry) end(rec *transcript.Conversation) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.convs[rec.ID]; !ok {
		return
	}
	delete(l.convs, rec.ID)
	if len(l.ended) == endedMemory {
		l.ended = slices.Delete(l.ended, 0, 1)
	}
	l.ended = append(l.ended, rec)
}

// latency is when callback for conversation id's turn arrived (at) minus
// when that turn was sent; false when the turn is not known.
func (l *liveRegistry) latency(id string, turn int, at time.Time) (time.Duration, bool) {
	if l == nil {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.convs[id]
	var sent time.Time
	switch {
	case e == nil:
	case e.waiting != nil && e.waiting.N == turn:
		sent = e.waiting.SentAt
	case turn >= 1 && turn <= len(e.rec.Turns):
		sent = e.rec.Turns[turn-1].SentAt
	}
	if sent.IsZero() {
		return 0, false
	}
	return at.Sub(sent), true
}

// LiveConversations lists up to limit conversations — those in flight,
// oldest first, then the ones that ended last, most recent first — and
// says how many are in flight. Empty unless Options.Live is set.
func (r *Runner) LiveConversations(limit int) ([]LiveSummary, int) {
	l := r.live
	if l == nil {
		return []LiveSummary{}, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]LiveSummary, 0, min(limit, len(l.convs)+len(l.ended)))
	for _, e := range l.convs {
		out = append(out, summaryOf(&e.rec, e.waiting, true))
	}
	slices.SortFunc(out, func(a, b LiveSummary) int { return a.StartedAt.Compare(b.StartedAt) })
	out = out[:min(limit, len(out))]
	for i := len(l.ended) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, summaryOf(l.ended[i], nil, false))
	}
	return out, len(l.convs)
}

// LiveConversation returns a copy of conversation id, in flight or among the
// last that ended; false when the run does not hold it.
func (r *Runner) LiveConversation(id string) (LiveConversation, bool) {
	l := r.live
	if l == nil {
		return LiveConversation{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.convs[id]; e != nil {
		c := LiveConversation{Conversation: e.rec, InFlight: true}
		c.Turns = slices.Clone(e.rec.Turns)
		if c.Turns == nil {
			c.Turns = []transcript.Turn{}
		}
		if e.waiting != nil {
			w := *e.waiting
			c.Waiting = &w
		}
		return c, true
	}
	for _, rec := range l.ended {
		if rec.ID == id {
			return LiveConversation{Conversation: *rec}, true
		}
	}
	return LiveConversation{}, false
}

func summaryOf(rec *transcript.Conversation, waiting *transcript.Turn, inFlight bool) LiveSummary {
	s := LiveSummary{ID: rec.ID, User: rec.User, Persona: rec.Persona, StartedAt: rec.StartedAt,
		Turns: len(rec.Turns), Waiting: waiting != nil, InFlight: inFlight, Outcome: rec.Outcome}
	switch {
	case waiting != nil:
		s.Last = trimmed(waiting.Sent)
	case len(rec.Turns) > 0:
		s.Last = trimmed(lastText(rec.Turns[len(rec.Turns)-1]))
	}
	return s
}

func lastText(t transcript.Turn) string {
	for i := len(t.Messages) - 1; i >= 0; i-- {
		if t.Messages[i].Text != "" {
			return t.Messages[i].Text
		}
	}
	return t.Sent
}

// trimmed is s on one line, at most 80 runes.
func trimmed(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}
