package report

import "github.com/voyplan/voyplan/engine/transcript"

// MaxLeaks caps the cross-talk rows report.html lists.
const MaxLeaks = 500

// Leak is one reply that carried another customer's data (issue 17 §4):
// where it was, and whose data and which of it — by user number and field,
// never the value, as in run.log.
type Leak struct {
	Conversation string            `json:"conversation"`
	User         int               `json:"user"`
	Persona      string            `json:"persona"`
	Turn         int               `json:"turn"`
	Leaked       []transcript.Leak `json:"leaked"`
}

// leaksOf appends conv's leaking replies to out, up to MaxLeaks in all.
func leaksOf(out []Leak, conv *transcript.Conversation) []Leak {
	for _, t := range conv.Turns {
		if len(out) >= MaxLeaks {
			break
		}
		if len(t.Crosstalk) > 0 {
			out = append(out, Leak{Conversation: conv.ID, User: conv.User, Persona: conv.Persona, Turn: t.N, Leaked: t.Crosstalk})
		}
	}
	return out
}
