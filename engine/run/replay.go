package run

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/voyplan/voyplan/engine/persona"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/transcript"
)

// replays counts, per replay persona, the conversations it has started:
// the k-th replays the persona's k-th recording (its recordings in the
// order they started), starting over from the first when there are more
// conversations than recordings. A segment k of n of a spread run takes
// every n-th recording from its own (k-1)-th on, as it takes the users,
// so the segments together replay them in order.
type replays struct {
	started sync.Map // *plan.Persona → *atomic.Int64
}

// next returns the recording the next conversation of p replays.
func (rs *replays) next(p *plan.Persona, seg Segment) *transcript.Conversation {
	n, _ := rs.started.LoadOrStore(p, new(atomic.Int64))
	k := int(n.(*atomic.Int64).Add(1) - 1)
	if !seg.Whole() {
		k = k*seg.Count + seg.Index - 1
	}
	recs := p.Replay.Recordings
	return recs[k%len(recs)]
}

// replaying readies a conversation of a replay persona: the recording it
// plays, and the user it is held as — u with the recorded customer's
// data, so complete_when, the data checks and a takeover persona see the
// data the recorded messages carry. Other users are returned as they are,
// with no recording.
func (r *Runner) replaying(u *plan.User) (*plan.User, *transcript.Conversation) {
	if u.Persona.Replay == nil {
		return u, nil
	}
	rec := r.replays.next(u.Persona, r.opts.Segment)
	replayed := *u
	replayed.Data = rec.Data
	return &replayed, rec
}

// replayDriver is the driver of a replayed conversation, watched for
// character as every other (the data it is checked against is the
// recorded customer's).
func (c *conversation) replayDriver(rec *transcript.Conversation) persona.Driver {
	r := c.user.Persona.Replay
	var takeover func() persona.Driver
	if r.Takeover != nil {
		takeover = c.takeover
	}
	c.replay = persona.NewReplay(rec, r.Threshold, takeover)
	return persona.Watch(c.replay, c.user.Data)
}

// takeover builds the driver of the persona that carries on the
// conversation from its divergence, told what was said so far: an llm
// persona's chat opens with the conversation as its history, a rules
// persona answers as if it had sent every message.
func (c *conversation) takeover() persona.Driver {
	t := c.user.Persona.Replay.Takeover
	c.rec.Replay.HandedTo = t.Name
	u, err := c.r.plan.Takeover(c.user, c.user.Data)
	if err != nil {
		return failing{err}
	}
	if t.Driver == plan.DriverRules {
		return persona.NewRules(u, "").Skip(len(c.rec.Turns))
	}
	cl := c.r.rig.LLM(t.LLM)
	if cl == nil {
		return failing{fmt.Errorf("persona %q: llm %q has no client in this run", t.Name, t.LLM)}
	}
	chat, err := cl.ResumeChat(u.Prompt, persona.History(c.rec.Turns))
	if err != nil {
		return failing{err}
	}
	return persona.Resume(chat)
}

// judgeReplay compares a replayed conversation's reply to turn n with the
// recorded one; nil for other conversations and once it diverged. The
// first divergence is marked on the conversation and logged.
func (c *conversation) judgeReplay(ctx context.Context, n int, msgs []transcript.Message) *transcript.TurnReplay {
	if c.replay == nil {
		return nil
	}
	j := c.replay.Judge(n, msgs)
	if j != nil && !j.Matched {
		c.rec.Replay.DivergedAt = n
		c.r.log.InfoContext(ctx, "replay: the assistant's reply diverged from the recording", "conversation", c.rec.ID,
			"recording", c.rec.Replay.Recording, "turn", n, "similarity", j.Similarity)
	}
	return j
}

// xtalkUser is whose data the conversation carries for the cross-talk
// check: the virtual user's own, or for a replayed conversation the
// recorded user's, so two conversations replaying one recording are not
// taken for each other's leak.
func (c *conversation) xtalkUser() int {
	if c.rec.Replay != nil {
		return c.rec.Replay.RecordedUser
	}
	return c.v.n
}
