package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/voyplan/voyplan/engine/metrics"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Rebuilt says what Rebuild recovered (summary.json's rebuilt).
type Rebuilt struct {
	From string `json:"from"` // the journal's file name
	// Recorded is the conversations conversations.jsonl had, whole;
	// InFlight those rebuilt from the journal (interrupted, with the turns
	// that had ended).
	Recorded int `json:"recorded"`
	InFlight int `json:"in_flight"`
}

// Recovery is a crashed run as Rebuild recovered it: the Ending to Finish
// it with (thresholds aside: Thresholds to compile them from) and what
// was recovered.
type Recovery struct {
	Ending     Ending
	Thresholds []JournalThreshold
	Personas   []string // the plan's, to resolve the thresholds' personas["…"]
	Rebuilt    Rebuilt
}

// CanRebuild reports whether d is a run that ended without summary.json
// and left a journal to rebuild it from.
func (d *Dir) CanRebuild() bool {
	if _, err := os.Stat(d.File(SummaryFile)); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	_, err := os.Stat(d.File(JournalFile))
	return err == nil
}

// crashNote is the error detail of a conversation rebuilt from the journal.
const crashNote = "voyplan stopped while this conversation was in flight; rebuilt from the journal with the turns that had ended"

// Rebuild recovers a run whose process died (kill -9, a crash of the
// machine) from what it left on disk: conversations.jsonl is rewritten
// (atomically) with every whole line it had, byte for byte, then each
// conversation the journal saw start but conversations.jsonl does not
// hold — outcome interrupted, with the turns the journal has; a torn last
// line is dropped, and no conversation is written twice. The metrics are
// computed afresh from those transcripts (replay); what no transcript
// holds — the webhook's counters, late starts, dropped arrivals — is 0 and
// named in the snapshot's Unrecorded, so a threshold on it has no data.
// The run's stop_reason is crashed, its end the last thing the journal
// saw. The caller finishes it (Dir.Finish) to write summary.json, the
// verdict and the reports.
func (d *Dir) Rebuild() (*Recovery, error) {
	recorded, err := d.recordedIDs()
	if err != nil {
		return nil, err
	}
	run, pending, last, err := d.readJournal(recorded)
	if err != nil {
		return nil, err
	}
	rec := metrics.NewRecorder(run.Personas)
	out := &Recovery{Thresholds: run.Thresholds, Personas: run.Personas, Rebuilt: Rebuilt{From: JournalFile, InFlight: len(pending.order)}}
	err = writeAtomic(d.path, ConversationsFile, func(w io.Writer) error {
		n, err := copyRecorded(d.File(ConversationsFile), w, func(c *transcript.Conversation) {
			replay(rec, c)
			last = later(last, c.EndedAt)
		})
		out.Rebuilt.Recorded = n
		if err != nil {
			return err
		}
		for _, id := range pending.order {
			c := pending.close(id)
			replay(rec, c)
			line, err := encodeLine(c)
			if err != nil {
				return err
			}
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot rebuild conversations.jsonl: %w", err)
	}
	os.Remove(d.File(ReserveFile))
	dists, err := rec.Distributions()
	if err != nil {
		return nil, err
	}
	rb := out.Rebuilt
	out.Ending = Ending{
		Run: Run{Plan: run.Plan, Version: run.Version, StartedAt: run.StartedAt, EndedAt: last,
			Interrupted: true, StopReason: StopCrashed, Segment: run.Segment, Distributions: dists, Rebuilt: &rb},
		Snapshot: rec.Snapshot(last.Sub(run.StartedAt)),
	}
	out.Ending.Snapshot.Unrecorded = Unrecorded()
	return out, nil
}

// Unrecorded are the figures a rebuilt run cannot know: no transcript
// holds them.
func Unrecorded() []string {
	return []string{"webhook", "conversations.late_starts", "conversations.dropped"}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// recordedIDs is the ids of the whole lines of conversations.jsonl; none
// when it is missing.
func (d *Dir) recordedIDs() (map[string]bool, error) {
	ids := map[string]bool{}
	err := d.ScanConversations(func(c *transcript.Conversation) error {
		ids[c.ID] = true
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return ids, nil
	}
	return ids, err
}

// copyRecorded copies the whole lines of conversations.jsonl to w, byte
// for byte (a last line without its newline gets one, a torn one is
// dropped), calling each with every conversation, and returns how many.
func copyRecorded(path string, w io.Writer, each func(*transcript.Conversation)) (int, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	r := bufio.NewReaderSize(f, 1<<16)
	var buf []byte
	err = scanJSONLinesAt(path, "conversation", r, func(c *transcript.Conversation, line jsonLine) error {
		each(c)
		n++
		buf = append(buf[:0], make([]byte, line.len)...)
		if _, err := f.ReadAt(buf, line.off); err != nil {
			return err
		}
		if !line.nl {
			buf = append(buf, '\n')
		}
		_, err := w.Write(buf)
		return err
	})
	return n, err
}

// inFlight is the conversations the journal saw start that
// conversations.jsonl does not hold, in start order.
type inFlight struct {
	order []string
	convs map[string]*transcript.Conversation
	last  map[string]time.Time // the last thing the journal saw of each
	ended map[string]*journalEntry
}

// readJournal reads journal.jsonl: its first line, the conversations not
// in recorded, and the time of its last line.
func (d *Dir) readJournal(recorded map[string]bool) (JournalRun, *inFlight, time.Time, error) {
	path := d.File(JournalFile)
	f, err := os.Open(path)
	if err != nil {
		return JournalRun{}, nil, time.Time{}, fmt.Errorf("%s has no summary.json and no journal to rebuild it from: %w", d, err)
	}
	defer f.Close()
	var run *JournalRun
	var last time.Time
	p := &inFlight{convs: map[string]*transcript.Conversation{}, last: map[string]time.Time{}, ended: map[string]*journalEntry{}}
	err = scanJSONLinesAt(path, "journal line", bufio.NewReaderSize(f, 1<<16), func(e *journalEntry, line jsonLine) error {
		if run == nil {
			if e.Ev != evRun || e.Run == nil {
				return fmt.Errorf("%s:%d: the journal does not begin with its run", path, line.n)
			}
			run = e.Run
		}
		last = later(last, e.At)
		return p.add(e, recorded)
	})
	if err != nil {
		return JournalRun{}, nil, time.Time{}, err
	}
	if run == nil {
		return JournalRun{}, nil, time.Time{}, fmt.Errorf("%s is empty: there is nothing to rebuild the run from", path)
	}
	return *run, p, later(last, run.StartedAt), nil
}

// add takes one journal line about a conversation not in recorded.
func (p *inFlight) add(e *journalEntry, recorded map[string]bool) error {
	switch e.Ev {
	case evBegin:
		c := e.Conversation
		if c == nil || recorded[c.ID] {
			return nil
		}
		if _, dup := p.convs[c.ID]; !dup {
			p.order = append(p.order, c.ID)
		}
		c.Turns = []transcript.Turn{}
		p.convs[c.ID], p.last[c.ID] = c, e.At
	case evTurn:
		if c := p.convs[e.ID]; c != nil && e.Turn != nil {
			c.Turns = append(c.Turns, *e.Turn)
			p.last[e.ID] = e.At
		}
	case evEnd:
		if p.convs[e.ID] != nil {
			p.ended[e.ID] = e
		}
	}
	return nil
}

// close ends conversation id as the journal leaves it: with the outcome
// its end line says, if it has one (its line in conversations.jsonl was
// torn), else interrupted at the last thing the journal saw of it.
func (p *inFlight) close(id string) *transcript.Conversation {
	c := p.convs[id]
	c.Outcome, c.EndedAt = transcript.Interrupted, p.last[id]
	c.Reason, c.Error = "", crashNote
	if e := p.ended[id]; e != nil {
		c.Outcome, c.Reason, c.Error, c.EndedAt = e.Outcome, e.Reason, e.Error, e.At
	}
	c.DurationMS = transcript.Ms(c.EndedAt.Sub(c.StartedAt))
	c.Tokens, c.CostUSD, c.AssistantTokens = transcript.Tokens{}, 0, nil
	for _, t := range c.Turns {
		if t.LLM != nil {
			c.AddLLM(t.LLM)
		}
		if u := t.AssistantUsage; u != nil {
			if c.AssistantTokens == nil {
				c.AssistantTokens = &transcript.Usage{}
			}
			c.AssistantTokens.Add(*u)
		}
	}
	return c
}

// replay records one conversation's transcript into rec as the run
// recorded it while it went on: the start, each turn's send (a 2xx, or any
// turn that got a reply, succeeded; a turn cut by the run is not counted),
// reply (a reply_timeout at the timeout) and generation, and the end. A
// generation that produced no message (it failed, or wrote the stop
// marker) is in the conversation's totals only: it is counted, with its
// cost, untimed (0 ms), and failed when the conversation ended in
// llm_error.
func replay(rec *metrics.Recorder, c *transcript.Conversation) {
	rec.ConversationStarted(c.Persona)
	var used transcript.Conversation // what the turns' generations add up to
	for i := range c.Turns {
		t := &c.Turns[i]
		lastTurn := i == len(c.Turns)-1
		rec.SendAttempts(t.Attempts)
		sent := (t.Status >= 200 && t.Status < 300) || t.ReplyMS != nil
		if sent || !lastTurn || c.Outcome != transcript.Interrupted {
			rec.Send(transcript.Duration(t.SendMS), sent)
		}
		switch {
		case t.ReplyMS != nil:
			rec.Reply(transcript.Duration(*t.ReplyMS), true)
		case lastTurn && c.Reason == transcript.ReasonReplyTimeout:
			rec.Reply(replyTimeout(c, t), false)
		}
		if t.LLM != nil {
			rec.LLM(transcript.Duration(t.LLM.MS), true, *t.LLM)
			used.AddLLM(t.LLM)
		}
	}
	if rest := (transcript.LLMCall{InputTokens: c.Tokens.Input - used.Tokens.Input, OutputTokens: c.Tokens.Output - used.Tokens.Output,
		ThinkingTokens: c.Tokens.Thinking - used.Tokens.Thinking, CostUSD: c.CostUSD - used.CostUSD, Attempts: 1}); rest.InputTokens > 0 || rest.OutputTokens > 0 || rest.CostUSD > 1e-12 {
		rec.LLM(0, c.Reason != transcript.ReasonLLMError, rest)
	}
	rec.ConversationEnded(c)
}

// replyTimeout is how long a turn waited for a reply that never came: the
// timeout its conversation's error names ("no reply within 2m0s"), else
// until the conversation ended.
func replyTimeout(c *transcript.Conversation, t *transcript.Turn) time.Duration {
	if s, ok := strings.CutPrefix(c.Error, "no reply within "); ok {
		if d, err := time.ParseDuration(s); err == nil {
			return d
		}
	}
	return c.EndedAt.Sub(t.SentAt)
}
