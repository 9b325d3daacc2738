package datagen

import "math/rand/v2"

// Stream names one of a virtual user's random sources besides ForUser's,
// which draws its persona and data. Each stream is a source of its own, so
// drawing from one never shifts another: adding a stream, or drawing more
// or less from one, leaves the persona, the data and every other stream of
// every seed as they were.
type Stream uint64

const (
	// StreamThink draws the user's think times (conversation.think_time as a
	// range), one per wait, in order across the user's conversations.
	StreamThink Stream = iota + 1
	// StreamPacing draws the user's pacing between two of its
	// conversations (conversation.pacing as a range).
	StreamPacing
	// StreamBurst draws how the user types each message (conversation.
	// burst, burst_gap, double_text_rate): how many messages, the gaps,
	// whether and how it follows up.
	StreamBurst
)

// ForUserStream returns stream s of virtual user user's randomness: like
// ForUser a pure function of the run seed and the user's global number (a
// segment on another machine draws the same), and independent of ForUser
// and of the other streams.
func ForUserStream(seed uint64, user int, s Stream) *rand.Rand {
	return rand.New(rand.NewPCG(mix64(seed+uint64(s)*0x9E3779B97F4A7C15), uint64(user)*0x9E3779B97F4A7C15+1))
}

// mix64 is SplitMix64's finaliser: a bijection that scatters nearby seeds
// (seed, seed+1, ...) far apart, so a stream's state never sits next to
// ForUser's for the same seed.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}
