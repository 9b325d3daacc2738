package report

import "github.com/voyplan/voyplan/engine/transcript"

// MaxDivergences caps the divergences report.html sets side by side.
const MaxDivergences = 500

// Divergence is where a replayed conversation diverged from its
// recording: the customer's message of that turn, the reply the recording
// had and the one the assistant gave instead.
type Divergence struct {
	Conversation string               `json:"conversation"`
	User         int                  `json:"user"`
	Recording    string               `json:"recording"`
	Turn         int                  `json:"turn"`
	Similarity   float64              `json:"similarity"`
	Sent         string               `json:"sent"`
	Recorded     []transcript.Message `json:"recorded"`
	Reply        []transcript.Message `json:"reply"`
	HandedTo     string               `json:"handed_to,omitempty"`
	Outcome      transcript.Outcome   `json:"outcome"`
}

// divergenceOf is conv's divergence; ok is false when it was not replayed
// or never diverged.
func divergenceOf(conv *transcript.Conversation) (Divergence, bool) {
	r, n := conv.Replay, conv.DivergedTurn()
	if n < 1 || n > len(conv.Turns) {
		return Divergence{}, false
	}
	t := conv.Turns[n-1]
	d := Divergence{Conversation: conv.ID, User: conv.User, Recording: r.Recording, Turn: t.N, Sent: t.Sent,
		Reply: t.Messages, HandedTo: r.HandedTo, Outcome: conv.Outcome}
	if t.Replay != nil {
		d.Similarity, d.Recorded = t.Replay.Similarity, t.Replay.Recorded
	}
	return d, true
}
