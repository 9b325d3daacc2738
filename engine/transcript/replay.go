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
