package metrics

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/voyplan/voyplan/engine/transcript"
)

// Stream counts how streamed replies arrived (openai with stream = true,
// sse). All zero when no streaming protocol ran. Their timings are the
// snapshot's first_token and stall.
type Stream struct {
	Replies    int64 `expr:"replies" json:"replies"`       // streamed replies, complete or not
	Incomplete int64 `expr:"incomplete" json:"incomplete"` // ended or cut before their end marker
	NoUsage    int64 `expr:"no_usage" json:"no_usage"`     // without a usage chunk: tokens unknown
	Chunks     int64 `expr:"chunks" json:"chunks"`         // events received
	Bytes      int64 `expr:"bytes" json:"bytes"`           // response bytes read
	// TokensPerS is the mean of the streamed replies' output tokens per
	// second, over the Rated replies whose usage said how many there were.
	TokensPerS float64 `expr:"tokens_per_s" json:"tokens_per_s"`
	Rated      int64   `expr:"rated" json:"rated"`
}

// streams is the Recorder's part for streamed replies: counters are
// atomics; mu guards rateSum, the sum of the Rated replies' tokens/s.
type streams struct {
	replies, incomplete, noUsage, chunks, bytes atomic.Int64

	mu      sync.Mutex
	rated   int64
	rateSum float64
}

// Streamed records how one streamed reply arrived: its first token and
// its longest stall (when a content chunk came) in first_token and stall,
// its counts in stream.
func (r *Recorder) Streamed(s *transcript.Stream) {
	if s == nil {
		return
	}
	st := &r.stream
	st.replies.Add(1)
	st.chunks.Add(int64(s.Chunks))
	st.bytes.Add(s.Bytes)
	if s.Incomplete {
		st.incomplete.Add(1)
	}
	if s.NoUsage {
		st.noUsage.Add(1)
	}
	if s.FirstTokenMS != nil {
		r.firstToken.add(fromMs(*s.FirstTokenMS), true)
		r.stall.add(fromMs(s.StallMS), true)
	} else {
		r.firstToken.add(0, false)
	}
	if s.TokensPerS != nil {
		st.mu.Lock()
		st.rated++
		st.rateSum += *s.TokensPerS
		st.mu.Unlock()
	}
}

func (st *streams) snapshot() Stream {
	st.mu.Lock()
	s := Stream{Rated: st.rated}
	if st.rated > 0 {
		s.TokensPerS = st.rateSum / float64(st.rated)
	}
	st.mu.Unlock()
	s.Replies, s.Incomplete, s.NoUsage = st.replies.Load(), st.incomplete.Load(), st.noUsage.Load()
	s.Chunks, s.Bytes = st.chunks.Load(), st.bytes.Load()
	return s
}

// plus sums two runs' stream counts; TokensPerS is the mean weighted by
// each run's Rated replies.
func (s Stream) plus(o Stream) Stream {
	out := Stream{Replies: s.Replies + o.Replies, Incomplete: s.Incomplete + o.Incomplete,
		NoUsage: s.NoUsage + o.NoUsage, Chunks: s.Chunks + o.Chunks, Bytes: s.Bytes + o.Bytes, Rated: s.Rated + o.Rated}
	if out.Rated > 0 {
		out.TokensPerS = (s.TokensPerS*float64(s.Rated) + o.TokensPerS*float64(o.Rated)) / float64(out.Rated)
		out.TokensPerS = math.Round(out.TokensPerS*1e6) / 1e6
	}
	return out
}
