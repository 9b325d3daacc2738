package run

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/webhook"
)

// logTrim is how many characters of a message a debug line keeps.
const logTrim = 160

// logSent writes the customer message of a turn to the run log at debug
// level, trimmed; nothing is formatted when debug is off.
func (c *conversation) logSent(ctx context.Context, n int, text string, status int, d time.Duration, err error) {
	if !c.r.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{"conversation", c.rec.ID, "user", c.rec.User, "persona", c.rec.Persona, "turn", n,
		"status", status, "ms", transcript.Ms(d), "text", trim(text)}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	c.r.log.Debug("message sent", attrs...)
}

// logReply writes the assistant's reply to a turn (or its absence) to the
// run log at debug level, trimmed. sent is when the message's POST began.
func (c *conversation) logReply(ctx context.Context, n int, reply webhook.Reply, err error, sent time.Time) {
	if !c.r.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	if err != nil {
		c.r.log.Debug("no reply", "conversation", c.rec.ID, "turn", n, "err", err)
		return
	}
	c.r.log.Debug("reply received", "conversation", c.rec.ID, "turn", n, "ms", transcript.Ms(reply.First.Sub(sent)),
		"callbacks", reply.Callbacks, "duplicates", reply.Duplicates, "text", trim(replyText(reply)))
}

// replyText joins a reply's items as one line: texts, and media as their
// links.
func replyText(r webhook.Reply) string {
	parts := make([]string, 0, len(r.Messages))
	for _, m := range r.Messages {
		if m.Link != "" {
			parts = append(parts, "["+m.Type+" "+m.Link+"]")
		}
		if m.Text != "" {
			parts = append(parts, m.Text)
		}
	}
	return strings.Join(parts, " | ")
}

// trim keeps the first logTrim characters of s on one line, marking a cut
// with "…".
func trim(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= logTrim {
		return s
	}
	r := []rune(s)
	return string(r[:logTrim]) + "…"
}
