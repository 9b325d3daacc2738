package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/expr-lang/expr"

	"github.com/voyplan/voyplan/engine/plan/target"
	"github.com/voyplan/voyplan/engine/protocol/ws"
	"github.com/voyplan/voyplan/engine/transcript"
)

// WebSocket is a chat widget spoken to over a WebSocket: one connection
// per conversation, a frame per customer message, the reply the frames
// that come back, read with the plan's frames expressions until the end
// frame or reply_settle of quiet after the last content. Each turn runs
// under the reply timeout, the connection's opening included.
type WebSocket struct {
	Spec   *target.WebSocket
	Client *http.Client // carries the handshake
	Wait   ReplyWait
	// Origin, when set (a plan that starts the simulator), replaces the
	// scheme and host of the connection's URL.
	Origin string
}

const (
	// maxFrame bounds one incoming frame: a larger one fails the turn
	// (bad_frame) rather than growing a buffer without bound.
	maxFrame = 1 << 20
	// maxFrames bounds the frames of one reply: more is a flood
	// (bad_frame), not a reply.
	maxFrames = 4096
	// maxLate bounds the late items a session keeps.
	maxLate = 256
)

// Open implements Protocol. The connection is opened by the first
// Exchange, so its failure is that turn's.
func (p *WebSocket) Open(c Conversation) Session { return &wsSession{p: p, conv: c} }

// wsSession is one conversation's connection. Used by one goroutine at a
// time, like every Session; the connection's reader hands frames over
// through its channel.
type wsSession struct {
	p       *WebSocket
	conv    Conversation
	conn    *ws.Conn          // nil before the first turn and after a drop
	counted ws.Counts         // conn's counts already given to a turn
	headers map[string]string // the connection's, for redaction
	turn    int               // the turn whose reply later frames belong to
	late    map[int][]transcript.Message
	nLate   int
}

// Exchange implements Session. Send is the time to the message's frame
// written (the connection opened first when it is not); Reply the time to
// the end frame, or to the last content before reply_settle of quiet.
func (s *wsSession) Exchange(ctx context.Context, n int, text string) (Turn, error) {
	t := Turn{SentAt: time.Now(), Attempts: 1, Stream: &Stream{Link: &Link{}}}
	frame, err := s.p.Spec.Send.Render(s.vars(n, text))
	if err != nil {
		return t, &SendError{Err: errors.New(redact(err.Error(), s.headers))}
	}
	rctx, cancel := context.WithTimeout(ctx, s.p.Wait.Timeout)
	defer cancel()
	s.takeLate()
	if err := s.ready(rctx, &t); err != nil {
		return t, s.failed(ctx, err)
	}
	writing := time.Now() // a frame read before it answers an earlier message
	if err := s.conn.Write(rctx, frame); err != nil {
		s.countDrop(&t)
		return t, s.failed(ctx, &SendError{Err: fmt.Errorf("cannot send the message: %s", redact(err.Error(), s.headers))})
	}
	prev := s.turn
	t.Send, s.turn = time.Since(t.SentAt), n
	x, err := s.gather(ctx, rctx, t, frame, prev, writing)
	x.Stream.NoUsage = s.p.Spec.Frames.Usage != nil && x.Usage == nil
	s.count(x.Stream.Link)
	redactMessages(x.Messages, s.headers)
	return x, err
}

// failed is err, or ctx's error when the run was stopped.
func (s *wsSession) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// vars are the template values of turn n (0: the connection).
func (s *wsSession) vars(n int, text string) target.RequestVars {
	return target.RequestVars{Message: text, Turn: n, ConversationID: s.conv.ID, User: s.conv.User,
		Persona: s.conv.Persona, Data: s.conv.Data}
}

// ready makes sure the connection is open: opens it for the first turn,
// and after a drop between turns opens it again (reconnect = true) or
// fails the turn.
func (s *wsSession) ready(ctx context.Context, t *Turn) error {
	if s.conn != nil {
		select {
		case <-s.conn.Done():
			err := s.countDrop(t)
			if !s.p.Spec.Reconnect {
				return &SendError{Err: fmt.Errorf("cannot send the message: the connection was lost after the last reply: %s", err)}
			}
			t.Stream.Link.Reconnects++
		default:
			return nil
		}
	}
	return s.connect(ctx, t)
}

// connect opens the connection and sends the hello frame, if any.
func (s *wsSession) connect(ctx context.Context, t *Turn) error {
	r, err := s.p.Spec.Connect.Render(s.vars(0, ""))
	s.headers = r.Headers
	if err != nil {
		t.Stream.Link.ConnectFailed++
		return &SendError{Err: errors.New(redact(err.Error(), r.Headers))}
	}
	u := wsOrigin(r.URL, s.p.Origin)
	h := make(http.Header, len(r.Headers))
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	c, err := ws.Dial(ctx, u, ws.Options{Header: h, Subprotocol: s.p.Spec.Subprotocol, Client: s.p.Client,
		MaxFrame: maxFrame, PingInterval: s.p.Spec.PingInterval})
	if err != nil {
		t.Stream.Link.ConnectFailed++
		if he, ok := errors.AsType[*ws.HandshakeError](err); ok {
			t.Status = he.Status
		}
		if isTimeout(err) && ctx.Err() != nil {
			return s.p.Wait.noReply()
		}
		return &SendError{Status: t.Status, Err: fmt.Errorf("cannot open the WebSocket connection to %s: %s", redactURL(u), redact(err.Error(), r.Headers))}
	}
	s.conn, s.counted = c, ws.Counts{}
	t.Stream.Link.Opened++
	if len(r.Body) > 0 {
		if err := c.Write(ctx, r.Body); err != nil {
			s.countDrop(t)
			return &SendError{Err: fmt.Errorf("cannot send the hello frame: %s", redact(err.Error(), r.Headers))}
		}
	}
	return nil
}

// wsOrigin is u on origin's host (the simulator's), speaking ws; u when
// origin is "".
func wsOrigin(u, origin string) string {
	if origin == "" {
		return u
	}
	p, err := url.Parse(onOrigin(u, origin))
	if err != nil {
		return u
	}
	p.Scheme = map[string]string{"https": "wss"}[p.Scheme]
	if p.Scheme == "" {
		p.Scheme = "ws"
	}
	return p.String()
}

// countDrop closes a connection that ended (or failed a write), counting
// its close; it returns why it ended.
func (s *wsSession) countDrop(t *Turn) error {
	l := t.Stream.Link
	s.count(l)
	s.conn.Close()
	err := s.conn.Err()
	s.conn = nil
	if ce, ok := errors.AsType[*ws.CloseError](err); ok {
		l.Closes++
		l.CloseCode = ce.Code
	}
	if err == nil {
		return errors.New("the connection failed")
	}
	return errors.New(redact(err.Error(), s.headers))
}

// count adds the connection's counters since the last count to l.
func (s *wsSession) count(l *Link) {
	if s.conn == nil {
		return
	}
	c := s.conn.Counts()
	l.Pings += int(c.Pings - s.counted.Pings)
	l.Pongs += int(c.Pongs - s.counted.Pongs)
	l.PeerPings += int(c.PeerPings - s.counted.PeerPings)
	s.counted = c
}

// gather reads frames into the turn until the reply ends. ctx is the
// run's, rctx the turn's (the reply timeout).
// Frames read before the message began to be written (writing) answer an
// earlier one: they are late for turn prev.
func (s *wsSession) gather(ctx, rctx context.Context, t Turn, frame []byte, prev int, writing time.Time) (Turn, error) {
	g := &gathering{t: t, wait: s.p.Wait}
	defer g.stop()
	reconnected := false
	for {
		select {
		case <-rctx.Done():
			return g.t, s.failed(ctx, s.p.Wait.noReply())
		case <-g.settle:
			g.t.Reply = g.t.Stream.Last()
			return g.t, nil
		case f := <-s.conn.Frames():
			if f.At.Before(writing) && !reconnected {
				s.fileLate(prev, f)
				continue
			}
			if done, err := s.frame(g, f); done || err != nil {
				return g.t, err
			}
		case <-s.conn.Done():
			if done, err := s.drain(g); done || err != nil {
				return g.t, err
			}
			err := s.conn.Err()
			if errors.Is(err, ws.ErrTooLarge) {
				g.t.Stream.Link.NotUnderstood++
				s.countDrop(&g.t)
				return g.t, &ReplyError{Reason: ReasonBadFrame, Err: fmt.Errorf("cannot read the reply: %s", err)}
			}
			lost := s.countDrop(&g.t)
			if !s.p.Spec.Reconnect || reconnected {
				return g.t, &ReplyError{Reason: ReasonConnectionLost, Err: fmt.Errorf("the connection was lost before the end of the reply: %s", lost)}
			}
			reconnected = true
			if err := s.resend(rctx, g, frame); err != nil {
				return g.t, s.failed(ctx, &ReplyError{Reason: ReasonConnectionLost, Err: fmt.Errorf("the connection was lost before the end of the reply (%s) and could not be opened again: %s", lost, err)})
			}
		}
	}
}

// resend opens the connection again and sends the message whose reply
// the drop cut; the reply starts over (what came is dropped, its timings
// kept: the customer saw them).
func (s *wsSession) resend(ctx context.Context, g *gathering, frame []byte) error {
	g.t.Stream.Link.Reconnects++
	if err := s.connect(ctx, &g.t); err != nil {
		return err
	}
	if err := s.conn.Write(ctx, frame); err != nil {
		s.countDrop(&g.t)
		return err
	}
	g.t.Messages = nil
	g.stop()
	return nil
}

// drain reads the frames queued before the connection ended.
func (s *wsSession) drain(g *gathering) (bool, error) {
	for {
		select {
		case f := <-s.conn.Frames():
			if done, err := s.frame(g, f); done || err != nil {
				return done, err
			}
		default:
			return false, nil
		}
	}
}

// gathering is one reply being gathered: the turn, and the reply_settle
// timer armed after each content frame when no end frame is defined.
type gathering struct {
	t      Turn
	wait   ReplyWait
	timer  *time.Timer
	settle <-chan time.Time
}

func (g *gathering) stop() {
	if g.timer != nil {
		g.timer.Stop()
	}
	g.settle = nil
}

// arm restarts the reply_settle wait.
func (g *gathering) arm() {
	if g.wait.Settle <= 0 {
		return
	}
	if g.timer == nil {
		g.timer = time.NewTimer(g.wait.Settle)
	} else {
		g.timer.Reset(g.wait.Settle)
	}
	g.settle = g.timer.C
}

// frame reads one frame into the reply; done when it ended the reply.
func (s *wsSession) frame(g *gathering, f ws.Frame) (bool, error) {
	st := g.t.Stream
	st.Chunks++
	st.Bytes += int64(len(f.Data))
	if st.Chunks > maxFrames {
		return false, &ReplyError{Reason: ReasonBadFrame, Err: fmt.Errorf("cannot read the reply: the assistant sent more than %d frames (a flood)", maxFrames)}
	}
	x := s.p.Spec.Frames
	msgs, end, err := readFrame(x, f)
	if err != nil {
		st.Link.NotUnderstood++
		return false, &ReplyError{Reason: ReasonBadFrame, Err: fmt.Errorf("cannot read frame %d: %s", st.Chunks, redact(err.Error(), s.headers))}
	}
	u, err := readUsage(x.Usage, frameEnv(f))
	if err != nil {
		st.Link.NotUnderstood++
		return false, &ReplyError{Reason: ReasonBadFrame, Err: fmt.Errorf("cannot read frame %d: %s", st.Chunks, redact(err.Error(), s.headers))}
	}
	if u != nil {
		g.t.Usage = u
	}
	at := f.At.Sub(g.t.SentAt)
	if len(msgs) > 0 {
		if st.Content == 0 {
			g.t.ReplySentAt = sentStamp(string(f.Data))
		}
		st.content(at)
		if x.Apart {
			g.t.Messages = append(g.t.Messages, msgs...)
		} else {
			g.t.Messages = appendMessages(g.t.Messages, msgs)
		}
	}
	if end {
		g.t.Reply = at
		return true, nil
	}
	if len(msgs) > 0 && x.End == nil {
		g.arm()
	}
	return false, nil
}

// readFrame reads one frame with the plan's expressions: its items and
// whether it ends the reply.
func readFrame(x *target.Frames, f ws.Frame) ([]transcript.Message, bool, error) {
	env := frameEnv(f)
	texts, err := frameStrings(x.Text, env, "text")
	if err != nil {
		return nil, false, err
	}
	links, err := frameStrings(x.Media, env, "link")
	if err != nil {
		return nil, false, err
	}
	end := false
	if x.End != nil {
		v, err := expr.Run(x.End.Program, env)
		if err != nil {
			return nil, false, fmt.Errorf("cannot tell whether the frame ends the reply with %q: %w", x.End.Source, err)
		}
		end, _ = v.(bool)
	}
	return replyItems(texts, links), end, nil
}

// frameStrings runs x, or without it reads field of a JSON object frame.
func frameStrings(x *target.Extract, env target.FrameEnv, field string) ([]string, error) {
	if x != nil {
		what := field
		if field == "link" {
			what = "media"
		}
		return runStrings(x, env, what)
	}
	if m, ok := env.Data.(map[string]any); ok {
		if s, ok := m[field].(string); ok && s != "" {
			return []string{s}, nil
		}
	}
	return nil, nil
}

// frameEnv is a frame for expressions: decoded when it is JSON.
func frameEnv(f ws.Frame) target.FrameEnv {
	env := target.FrameEnv{Data: string(f.Data), Binary: f.Binary}
	var v any
	if !f.Binary && json.Unmarshal(f.Data, &v) == nil {
		env.Data = v
	}
	return env
}

// takeLate files the frames that came since the last reply was over
// under its turn.
func (s *wsSession) takeLate() {
	if s.conn == nil {
		return
	}
	for {
		select {
		case f := <-s.conn.Frames():
			s.fileLate(s.turn, f)
		default:
			return
		}
	}
}

// fileLate keeps the items of frame f as late for turn n, within maxLate.
func (s *wsSession) fileLate(n int, f ws.Frame) {
	msgs, _, err := readFrame(s.p.Spec.Frames, f)
	if err != nil || len(msgs) == 0 || s.nLate >= maxLate {
		return
	}
	if s.late == nil {
		s.late = map[int][]transcript.Message{}
	}
	redactMessages(msgs, s.headers)
	s.late[n] = append(s.late[n], msgs...)
	s.nLate += len(msgs)
}

// Late implements Session: the items of frames that came after their
// reply was over (read at the next turn, or at Close).
func (s *wsSession) Late() map[int][]transcript.Message { return s.late }

// Close implements Session: the connection is closed normally.
func (s *wsSession) Close() {
	if s.conn != nil {
		s.takeLate()
		s.conn.Close()
		s.conn = nil
	}
}
