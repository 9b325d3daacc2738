package results

import (
	"fmt"
	"time"

	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Journal appends to journal.jsonl what happens to each conversation as it
// happens: its start, each turn as it ends, and its end once its line is
// in conversations.jsonl — one line each, durable as conversations.jsonl's
// lines are (see appender), and made durable on disk every SyncInterval.
// Its first line (JournalRun) says what run it is. After a crash (kill -9),
// Dir.Rebuild recovers from it the conversations that were in flight, with
// every turn that had ended: at most the turn in flight is lost.
type Journal struct{ appender }

// JournalRun is the journal's first line: what the summary of a run
// rebuilt from its journal needs to know of the run, and nothing else (no
// targets, no keys).
type JournalRun struct {
	Plan       PlanInfo           `json:"plan"`
	Version    string             `json:"version"`
	StartedAt  time.Time          `json:"started_at"`
	Personas   []string           `json:"personas"`
	Thresholds []JournalThreshold `json:"thresholds"`
	Segment    *Segment           `json:"segment,omitempty"`
}

// JournalThreshold is a threshold as the plan had it, to judge it again.
type JournalThreshold struct {
	Name     string  `json:"name"`
	Check    string  `json:"check"`
	Abort    bool    `json:"abort"`
	OnNoData string  `json:"on_no_data,omitempty"`
	WindowMS float64 `json:"window_ms,omitempty"` // windowed (plan.Threshold.Window)
}

// Journal events (journalEntry.Ev).
const (
	evRun   = "run"   // the first line: Run
	evBegin = "begin" // a conversation started: Conversation, without turns
	evTurn  = "turn"  // a turn ended: ID, Turn
	evEnd   = "end"   // a conversation's line is in conversations.jsonl: ID, Outcome, Reason, Error
)

// journalEntry is one line of journal.jsonl.
type journalEntry struct {
	Ev           string                   `json:"ev"`
	At           time.Time                `json:"at"`
	Run          *JournalRun              `json:"run,omitempty"`
	ID           string                   `json:"id,omitempty"`
	Conversation *transcript.Conversation `json:"conversation,omitempty"`
	Turn         *transcript.Turn         `json:"turn,omitempty"`
	Outcome      transcript.Outcome       `json:"outcome,omitempty"`
	Reason       string                   `json:"reason,omitempty"`
	Error        string                   `json:"error,omitempty"`
}

// createJournal creates path and writes its first line.
func createJournal(path string, run JournalRun) (*Journal, error) {
	j := &Journal{appender{path: path}}
	if err := j.open(); err != nil {
		return nil, err
	}
	if err := j.append(journalEntry{Ev: evRun, At: time.Now(), Run: &run}, "the journal's first line"); err != nil {
		j.Close()
		return nil, err
	}
	return j, nil
}

func (j *Journal) begin(c *transcript.Conversation) error {
	return j.write(&journalEntry{Ev: evBegin, At: time.Now(), Conversation: c}, lineName{"the start of conversation ", c.ID})
}

func (j *Journal) turn(id string, t *transcript.Turn) error {
	return j.write(&journalEntry{Ev: evTurn, At: time.Now(), ID: id, Turn: t}, lineName{"a turn of conversation ", id})
}

func (j *Journal) end(c *transcript.Conversation) error {
	return j.write(&journalEntry{Ev: evEnd, At: time.Now(), ID: c.ID, Outcome: c.Outcome, Reason: c.Reason, Error: c.Error},
		lineName{"the end of conversation ", c.ID})
}

// write appends e as one line, as append does, without making e an any
// (which would copy it to the heap) or name a string: a turn costs the
// journal no allocation.
func (j *Journal) write(e *journalEntry, name lineName) error {
	buf := lineBuffers.Get().(*[]byte)
	defer putLineBuffer(buf)
	line, ok := appendJournalLine((*buf)[:0], e)
	if !ok {
		var err error
		if line, err = encodeLine(*e); err != nil {
			return fmt.Errorf("cannot encode %s: %w", name, err)
		}
	}
	*buf = line[:0]
	return j.appendLine(line, name)
}

// JournalRunOf is the journal's first line for a run of p: its identity
// (PlanInfoOf), personas and thresholds, nothing else of it.
func JournalRunOf(p *plan.Plan, version string, seg *Segment, startedAt time.Time) JournalRun {
	run := JournalRun{Plan: PlanInfoOf(p), Version: version, StartedAt: startedAt, Segment: seg,
		Personas: make([]string, len(p.Personas)), Thresholds: make([]JournalThreshold, len(p.Thresholds))}
	for i, ps := range p.Personas {
		run.Personas[i] = ps.Name
	}
	for i, th := range p.Thresholds {
		run.Thresholds[i] = JournalThreshold{Name: th.Name, Check: th.Check, Abort: th.Abort, OnNoData: th.OnNoData,
			WindowMS: transcript.Ms(th.Window)}
	}
	return run
}
