package run

import (
	"errors"
	"math"

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
	if _, broke := errors.AsType[*protocol.ReplyError](err); broke { // sent; its reply broke
		return true
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

// streamOf is how a streamed reply arrived, as the transcript keeps it;
// nil when the reply came in one piece. Its tokens per second are the
// usage's output tokens over the time from the first content chunk to the
// last, when both are known.
func streamOf(x protocol.Turn) *transcript.Stream {
	st := x.Stream
	if st == nil {
		return nil
	}
	out := &transcript.Stream{Chunks: st.Chunks, Bytes: st.Bytes, Incomplete: st.Incomplete, NoUsage: st.NoUsage}
	if l := st.Link; l != nil {
		out.Link = &transcript.Link{Opened: l.Opened, ConnectFailed: l.ConnectFailed, Closes: l.Closes, CloseCode: l.CloseCode,
			Reconnects: l.Reconnects, Pings: l.Pings, Pongs: l.Pongs, PeerPings: l.PeerPings, NotUnderstood: l.NotUnderstood}
	}
	if st.Content == 0 {
		return out
	}
	first := transcript.Ms(st.FirstToken)
	out.FirstTokenMS, out.StallMS = &first, transcript.Ms(st.Stall)
	if span := st.Last() - st.FirstToken; x.Usage != nil && x.Usage.OutputTokens > 0 && span > 0 {
		rate := math.Round(float64(x.Usage.OutputTokens)/span.Seconds()*1000) / 1000
		out.TokensPerS = &rate
	}
	return out
}
