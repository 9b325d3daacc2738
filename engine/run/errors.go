package run

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Notice is something a person watching the run should see at once, on
// the terminal: the first occurrence of each distinct error, and an
// assistant that looks down. It is also in the run log.
type Notice struct {
	Kind    string // NoticeError or NoticeDown
	Text    string // one line, without a newline: "send_error: connection refused"
	Error   string // the error's kind (send_error, …)
	Message string // its normalised message ("connection refused")
}

// Notice kinds.
const (
	NoticeError = "error" // the first of a distinct error
	NoticeDown  = "down"  // every send failed for a while
)

// OnNotice makes the run call f with every Notice, from any of its
// goroutines (f must be safe for that and quick). Call it before Run.
func (r *Runner) OnNotice(f func(Notice)) { r.notify.Store(&f) }

func (r *Runner) notice(n Notice) {
	if f := r.notify.Load(); f != nil {
		(*f)(n)
	}
}

// errorReasons are the failure reasons that are errors — something went
// wrong talking to the assistant, the LLM or a predicate — rather than a
// conversation that ran its course (max_turns, script_exhausted,
// persona_stuck).
var errorReasons = map[string]bool{
	transcript.ReasonSendError: true, transcript.ReasonReplyTimeout: true,
	transcript.ReasonLLMError: true, transcript.ReasonPredicateError: true,
}

// noteError counts a conversation's error by kind and normalised message.
// The first of each goes to the run log and, as a Notice, to the terminal;
// the others are only counted (summary.json, the errors table).
func (r *Runner) noteError(c *transcript.Conversation, cause error) {
	if c.Outcome != transcript.Failed || !errorReasons[c.Reason] {
		return
	}
	msg := errorMessage(cause, c.Error)
	if c.Reason == transcript.ReasonSendError {
		r.lastSendErr.Store(&msg)
	}
	if r.rec.Error(c.Reason, msg) != 1 {
		return
	}
	r.log.Warn("error", "kind", c.Reason, "message", msg, "conversation", c.ID, "user", c.User, "detail", c.Error)
	r.notice(Notice{Kind: NoticeError, Error: c.Reason, Message: msg,
		Text: c.Reason + ": " + msg})
}

// maxErrorMessage is how many characters of a message the errors table
// keeps.
const maxErrorMessage = 120

var (
	reURL    = regexp.MustCompile(`\b[a-z][a-z0-9+.-]*://[^\s"']+`)
	reUUID   = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	reHex    = regexp.MustCompile(`(?i)\b[0-9a-f]{16,}\b`)
	reNumber = regexp.MustCompile(`\b\d{5,}\b`)
)

// errorMessage is what tells one error from another, without what differs
// from one occurrence to the next: the system error of a failed connection
// ("connection refused"), "timed out", the HTTP status of a refused
// message ("HTTP 503"), or else the error's text with URLs, ids and long
// numbers taken out, trimmed.
func errorMessage(cause error, detail string) string {
	if cause != nil {
		if errno, ok := errors.AsType[syscall.Errno](cause); ok {
			return errno.Error()
		}
		if timedOut(cause) {
			return "timed out"
		}
		if se, ok := errors.AsType[*protocol.SendError](cause); ok && se.Status != 0 {
			return fmt.Sprintf("HTTP %d", se.Status)
		}
		detail = cause.Error()
	}
	s := reURL.ReplaceAllString(detail, "…")
	s = reUUID.ReplaceAllString(s, "…")
	s = reHex.ReplaceAllString(s, "…")
	s = reNumber.ReplaceAllString(s, "…")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxErrorMessage {
		s = string([]rune(s)[:maxErrorMessage]) + "…"
	}
	if s == "" {
		return "(no message)"
	}
	return s
}

// The assistant looks down when every send of the last downWindow failed,
// and there were at least downMinSends of them.
const (
	downWindow   = 5 * time.Second
	downMinSends = 5
)

// watchDown reads the sends once a second and, when every send of the last
// window failed (at least downMinSends of them), says so once, loudly — in
// the run log and as a Notice — with the last send error. It says so again
// only after a send got through. It returns when ctx ends.
func (r *Runner) watchDown(ctx context.Context, window time.Duration) {
	tick := time.NewTicker(max(window/5, 10*time.Millisecond))
	defer tick.Stop()
	type reading struct {
		at            time.Time
		count, failed int64
	}
	count, failed := r.rec.SendTotals()
	readings := []reading{{time.Now(), count, failed}}
	warned := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Now()
		count, failed := r.rec.SendTotals()
		readings = append(readings, reading{now, count, failed})
		for len(readings) > 2 && now.Sub(readings[1].at) >= window {
			readings = readings[1:] // keep the newest reading at least a window old
		}
		old := readings[0]
		sends, fails := count-old.count, failed-old.failed
		switch {
		case sends > fails:
			warned = false // a send got through: the next outage is told again
		case !warned && now.Sub(old.at) >= window && sends >= downMinSends:
			warned = true
			r.warnDown(now.Sub(old.at), sends)
		}
	}
}

func (r *Runner) warnDown(over time.Duration, sends int64) {
	last := "no error recorded yet"
	if p := r.lastSendErr.Load(); p != nil {
		last = *p
	}
	text := fmt.Sprintf("every send failed for %s (%d sends): the assistant looks down — %s", over.Round(time.Second), sends, last)
	r.log.Error("the assistant looks down", "window", over.Round(time.Second), "sends", sends, "last_error", last)
	r.notice(Notice{Kind: NoticeDown, Text: text, Error: transcript.ReasonSendError, Message: last})
}
