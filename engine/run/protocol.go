package run

import (
	"errors"

	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/transcript"
	"github.com/voyplan/voyplan/engine/webhook"
)

// open starts the conversation's session with the assistant.
func (r *Runner) open(rec *transcript.Conversation) protocol.Session {
	return r.rig.Protocol().Open(protocol.Conversation{
		ID:               rec.ID,
		ClientIdentifier: rec.ClientIdentifier,
		User:             rec.User,
		Persona:          rec.Persona,
		Data:             rec.Data,
	})
}

// accepted reports whether an exchange's message got through, so its send
// counts as a success: no error, no reply, or an error (the run stopping)
// after the assistant had accepted it.
func accepted(x protocol.Turn, err error) bool {
	if _, failed := errors.AsType[*protocol.SendError](err); failed {
		return false
	}
	return err == nil || errors.Is(err, protocol.ErrNoReply) || (x.Status >= 200 && x.Status < 300)
}

// sendErr is the error of the send half of an exchange, for the log.
func sendErr(x protocol.Turn, err error) error {
	if accepted(x, err) {
		return nil
	}
	return err
}

// replyOf presents an exchange's reply as the webhook's, for the log.
func replyOf(x protocol.Turn) webhook.Reply {
	return webhook.Reply{First: x.SentAt.Add(x.Reply), Messages: x.Messages, Callbacks: x.Callbacks, Duplicates: x.Duplicates}
}

// assistantTokens totals the assistant's usage over the turns; nil when no
// turn reported any.
func assistantTokens(turns []transcript.Turn) *transcript.Usage {
	var total *transcript.Usage
	for _, t := range turns {
		if t.AssistantUsage == nil {
			continue
		}
		if total == nil {
			total = &transcript.Usage{}
		}
		total.Add(*t.AssistantUsage)
	}
	return total
}
