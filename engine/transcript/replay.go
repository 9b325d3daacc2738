package transcript

// Replay says which recorded conversation a replayed one played again (a
// persona with replay, engine/persona's Replay) and where the assistant's
// replies stopped resembling the recorded ones.
type Replay struct {
	// Recording is the recorded conversation's id, RecordedUser its
	// virtual user in the recorded run.
	Recording    string `json:"recording"`
	RecordedUser int    `json:"recorded_user"`
	// DivergedAt is the turn whose reply was the first below the
	// persona's divergence similarity; 0 while every judged reply matched.
	DivergedAt int `json:"diverged_at,omitempty"`
	// HandedTo is the persona that took the conversation over at the
	// divergence (on_divergence); "" when the conversation ended there
	// instead, or never diverged.
	HandedTo string `json:"handed_to,omitempty"`
}

// TurnReplay is how one reply of a replayed conversation compared with the
// recorded reply of the same turn. Recorded is the recorded reply, kept on
// the turn that diverged only, so the report can set the two side by side.
type TurnReplay struct {
	Similarity float64   `json:"similarity"`
	Matched    bool      `json:"matched"`
	Recorded   []Message `json:"recorded,omitempty"`
}

// DivergedTurn is the turn at which a replayed conversation diverged: its
// Replay.DivergedAt, or, when that mark was lost (a conversation rebuilt
// from its journal after a crash keeps its turns' judgements, not the
// mark), its first judged turn that did not match; 0 when it never
// diverged or was not replayed.
func (c *Conversation) DivergedTurn() int {
	if c.Replay == nil {
		return 0
	}
	if c.Replay.DivergedAt > 0 {
		return c.Replay.DivergedAt
	}
	for _, t := range c.Turns {
		if t.Replay != nil && !t.Replay.Matched {
			return t.N
		}
	}
	return 0
}
