package metrics

import (
	"maps"
	"math"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/voyplan/voyplan/engine/transcript"
)

// Stream counts how streamed replies arrived (openai with stream = true,
// sse, websocket) and, for websocket, how its connections fared. All zero
// when no streaming protocol ran. Their timings are the
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

	// The WebSocket connections (protocol websocket); zero otherwise.
	Connections     int64 `expr:"connections" json:"connections,omitempty"`           // opened, reconnects included
	ConnectFailures int64 `expr:"connect_failures" json:"connect_failures,omitempty"` // could not be opened
	Closes          int64 `expr:"closes" json:"closes,omitempty"`                     // closed by the assistant or broken while open
	// CloseCodes counts Closes by close code ("1006": no close frame).
	CloseCodes    map[string]int64 `expr:"close_codes" json:"close_codes,omitempty"`
	Reconnects    int64            `expr:"reconnects" json:"reconnects,omitempty"`         // opened again after a drop
	Pings         int64            `expr:"pings" json:"pings,omitempty"`                   // pings sent
	Pongs         int64            `expr:"pongs" json:"pongs,omitempty"`                   // their pongs received
	PeerPings     int64            `expr:"peer_pings" json:"peer_pings,omitempty"`         // pings the assistant sent, answered
	NotUnderstood int64            `expr:"not_understood" json:"not_understood,omitempty"` // frames the frames expressions could not read
}

// streams is the Recorder's part for streamed replies: counters are
// atomics; mu guards rateSum, the sum of the Rated replies' tokens/s.
type streams struct {
	replies, incomplete, noUsage, chunks, bytes atomic.Int64

	mu      sync.Mutex
	rated   int64
	rateSum float64
	codes   map[string]int64 // close codes, guarded by mu

	conns, connectFailures, closes, reconnects, pings, pongs, peerPings, notUnderstood atomic.Int64
}

// Streamed records how one streamed reply arrived: its first token and
// its longest stall (when a content chunk came) in first_token and stall,
// its counts in stream.
func (r *Recorder) Streamed(s *transcript.Stream) {
	if s == nil {
		return
	}
	st := &r.stream
	r.Linked(s)
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

// Linked records how a turn's WebSocket connection fared (stream.
// connections, closes, pings, ...) — for a turn whose message could not be
// sent too, when the connection could not be opened. Streamed calls it.
func (r *Recorder) Linked(s *transcript.Stream) {
	if s == nil || s.Link == nil {
		return
	}
	l, st := s.Link, &r.stream
	for _, c := range []struct {
		n *atomic.Int64
		v int
	}{{&st.conns, l.Opened}, {&st.connectFailures, l.ConnectFailed}, {&st.closes, l.Closes}, {&st.reconnects, l.Reconnects},
		{&st.pings, l.Pings}, {&st.pongs, l.Pongs}, {&st.peerPings, l.PeerPings}, {&st.notUnderstood, l.NotUnderstood}} {
		c.n.Add(int64(c.v))
	}
	if l.Closes > 0 {
		st.mu.Lock()
		if st.codes == nil {
			st.codes = map[string]int64{}
		}
		st.codes[strconv.Itoa(l.CloseCode)] += int64(l.Closes)
		st.mu.Unlock()
	}
}

func (st *streams) snapshot() Stream {
	st.mu.Lock()
	s := Stream{Rated: st.rated, CloseCodes: maps.Clone(st.codes)}
	if st.rated > 0 {
		s.TokensPerS = st.rateSum / float64(st.rated)
	}
	st.mu.Unlock()
	s.Connections, s.ConnectFailures, s.Closes, s.Reconnects = st.conns.Load(), st.connectFailures.Load(), st.closes.Load(), st.reconnects.Load()
	s.Pings, s.Pongs, s.PeerPings, s.NotUnderstood = st.pings.Load(), st.pongs.Load(), st.peerPings.Load(), st.notUnderstood.Load()
	s.Replies, s.Incomplete, s.NoUsage = st.replies.Load(), st.incomplete.Load(), st.noUsage.Load()
	s.Chunks, s.Bytes = st.chunks.Load(), st.bytes.Load()
	return s
}

// plus sums two runs' stream counts; TokensPerS is the mean weighted by
// each run's Rated replies.
func (s Stream) plus(o Stream) Stream {
	out := Stream{Replies: s.Replies + o.Replies, Incomplete: s.Incomplete + o.Incomplete,
		NoUsage: s.NoUsage + o.NoUsage, Chunks: s.Chunks + o.Chunks, Bytes: s.Bytes + o.Bytes, Rated: s.Rated + o.Rated,
		Connections: s.Connections + o.Connections, ConnectFailures: s.ConnectFailures + o.ConnectFailures,
		Closes: s.Closes + o.Closes, Reconnects: s.Reconnects + o.Reconnects, Pings: s.Pings + o.Pings, Pongs: s.Pongs + o.Pongs,
		PeerPings: s.PeerPings + o.PeerPings, NotUnderstood: s.NotUnderstood + o.NotUnderstood}
	for _, m := range []map[string]int64{s.CloseCodes, o.CloseCodes} {
		for code, n := range m {
			if out.CloseCodes == nil {
				out.CloseCodes = map[string]int64{}
			}
			out.CloseCodes[code] += n
		}
	}
	if out.Rated > 0 {
		out.TokensPerS = (s.TokensPerS*float64(s.Rated) + o.TokensPerS*float64(o.Rated)) / float64(out.Rated)
		out.TokensPerS = math.Round(out.TokensPerS*1e6) / 1e6
	}
	return out
}
