package plan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/voyplan/voyplan/engine/datagen"
	"github.com/voyplan/voyplan/engine/plan/decode"
	"github.com/voyplan/voyplan/engine/transcript"
)

// Replay is a replay persona's recording and its handling of divergence:
//
//	persona "replayed" {
//	  replay        = "runs/release-41"   # a run directory, or its conversations.jsonl
//	  on_divergence = "kataryna"          # a persona of this plan takes over; "end" (the default) stops
//	  divergence    = 0.6                 # a reply less similar than this to the recorded one diverged
//	}
//
// The i-th conversation the persona starts replays Recordings[i], and
// when there are more conversations than recordings it starts over from
// the first (the run keeps the load the plan asks for).
type Replay struct {
	Path string // as the plan gives it
	// Recordings are the recorded conversations that sent at least one
	// message, in the order they started (then by user, then by id). Those
	// the recorded run cut short (interrupted) are left out: no one knows
	// how they would have gone on.
	Recordings []*transcript.Conversation
	// Takeover is the persona that carries on a conversation from its
	// first divergence, nil to end it there (on_divergence = "end").
	Takeover *Persona
	// Threshold is the similarity (engine/persona's Similarity, 0–1) below
	// which a reply diverged; 0 never diverges.
	Threshold float64

	onDivergence string
	takeoverAt   hcl.Range
}

// EndOnDivergence is on_divergence's value that ends a conversation at
// its first divergence.
const EndOnDivergence = "end"

// defaultDivergence is divergence's default.
const defaultDivergence = 0.6

// decodeReplay decodes a replay persona; the takeover is resolved once
// every persona is known (resolveTakeovers).
func (l *loader) decodeReplay(a *decode.Attrs, p *Persona) {
	p.Driver = DriverReplay
	r := &Replay{Threshold: defaultDivergence, onDivergence: EndOnDivergence}
	p.Replay = r
	a.Number("divergence", &r.Threshold)
	a.Require("divergence", r.Threshold >= 0 && r.Threshold <= 1,
		"a similarity from 0 to 1 (the share of words a reply has in common with the recorded one), e.g. 0.6")
	if a.Str("on_divergence", &r.onDivergence) {
		r.takeoverAt = a.Attributes["on_divergence"].Expr.Range()
	}
	if !a.Str("replay", &r.Path) {
		return
	}
	recs, err := readRecording(l.resolvePath(r.Path))
	if err != nil {
		l.personaError("Cannot use the recording", fmt.Sprintf("%s. replay takes a run directory of an earlier "+
			"apply (--out), or its conversations.jsonl, relative to the plan file.", err), a.Attributes["replay"].Expr.Range())
		return
	}
	r.Recordings = recs
	for _, name := range []string{"prompt", "fallback"} {
		if attr, ok := a.Attributes[name]; ok {
			l.personaError("Unexpected "+name, "A replay persona says the recorded customers' messages; "+name+
				" belongs to the persona that takes over (on_divergence). Remove it.", attr.Range)
		}
	}
}

// resolvePath makes a plan-relative path absolute (as file() does).
func (l *loader) resolvePath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(l.plan.Dir, p)
}

// resolveTakeovers settles each replay persona's on_divergence: "end", or
// another persona of the plan that reads replies (llm or rules).
func (l *loader) resolveTakeovers() {
	byName := make(map[string]*Persona, len(l.plan.Personas))
	for _, p := range l.plan.Personas {
		byName[p.Name] = p
	}
	for _, p := range l.plan.Personas {
		r := p.Replay
		if r == nil || r.onDivergence == EndOnDivergence {
			continue
		}
		t, ok := byName[r.onDivergence]
		switch {
		case !ok:
			names := append(decode.SortedKeys(byName), EndOnDivergence)
			l.personaError("Unknown persona", fmt.Sprintf("on_divergence names the persona that takes a conversation "+
				"over when it diverges from the recording, or is %q; there is no persona %q.%s The plan declares %s.",
				EndOnDivergence, r.onDivergence, decode.DidYouMean(r.onDivergence, names), decode.QuotedList(names)), r.takeoverAt)
		case t.Driver != DriverLLM && t.Driver != DriverRules:
			l.personaError("Invalid takeover persona", fmt.Sprintf("Persona %q is played by %s; the persona that takes "+
				"over a diverged conversation must answer the replies it is given: one played by an llm or by rule blocks. "+
				"Name such a persona (give it weight = 0 to use it only here), or \"end\".", t.Name, t.Driver), r.takeoverAt)
		default:
			r.Takeover = t
		}
	}
}

// readRecording reads the conversations of a recorded run (a run directory
// or its conversations.jsonl): those that sent a message and were not cut
// short by the run, in the order they started. A last line cut short (a crashed run) is left out; any
// other line that is not a conversation is an error.
func readRecording(path string) ([]*transcript.Conversation, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "conversations.jsonl")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err))
	}
	recs, err := decodeRecording(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s holds no conversation that sent a message", path)
	}
	slices.SortStableFunc(recs, func(a, b *transcript.Conversation) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		if a.User != b.User {
			return a.User - b.User
		}
		return strings.Compare(a.ID, b.ID)
	})
	return recs, nil
}

// decodeRecording decodes conversations.jsonl's lines.
func decodeRecording(data []byte) ([]*transcript.Conversation, error) {
	var recs []*transcript.Conversation
	rd := bufio.NewReader(bytes.NewReader(data))
	for n := 1; ; n++ {
		line, err := rd.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			c := new(transcript.Conversation)
			if jerr := json.Unmarshal(line, c); jerr != nil {
				if err == io.EOF { // no newline after it: cut short
					break
				}
				return nil, fmt.Errorf("line %d is not a conversation: %v", n, jerr)
			}
			if len(c.Turns) > 0 && c.Turns[0].Sent != "" && c.Outcome != transcript.Interrupted {
				recs = append(recs, c)
			}
		}
		if err != nil {
			break
		}
	}
	return recs, nil
}

// Plays reports whether virtual users may be played by ps: it has a
// positive weight, or it takes over for a replay persona that has one.
func (p *Plan) Plays(ps *Persona) bool {
	if ps.Weight > 0 {
		return true
	}
	for _, o := range p.Personas {
		if o.Weight > 0 && o.Replay != nil && o.Replay.Takeover == ps {
			return true
		}
	}
	return false
}

// Takeover instantiates the persona that takes over u's replayed
// conversation (u.Persona.Replay.Takeover, which must be set) with the
// recorded data in scope: its prompt or rule lines rendered with data,
// its generators drawing from u's own source.
func (p *Plan) Takeover(u *User, data map[string]map[string]string) (*User, error) {
	t := u.Persona.Replay.Takeover
	i := slices.Index(p.Personas, t)
	if i < 0 || p.eval == nil {
		return nil, fmt.Errorf("plan: persona %q is not this plan's", t.Name)
	}
	ctx := p.eval.DataContext(datagen.ForUser(p.Seed, u.N), data)
	_, prompt, diags := p.eval.EvalPersona(i, ctx)
	says, fallback, rdiags := p.eval.EvalRules(i, ctx)
	if diags = append(diags, rdiags...); diags.HasErrors() {
		return nil, fmt.Errorf("cannot render persona %q with the recorded data of virtual user %d: %w", t.Name, u.N, diags)
	}
	return &User{N: u.N, Persona: t, Data: data, Prompt: prompt, Says: says, Fallback: fallback}, nil
}
