package sim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

const (
	// WebSocketPath serves the dialogue as a chat widget's WebSocket:
	// a connection per conversation, a frame per message and per chunk of
	// the reply.
	WebSocketPath = "/v1/ws"
	// WebSocketSubprotocol is the subprotocol the WebSocket endpoint
	// accepts (a client may offer none).
	WebSocketSubprotocol = "voyplan.chat"

	maxFrameBytes = 64 << 10 // a customer's frame
	wsQueue       = 8        // messages read ahead while a reply is sent
)

// wsFrame is a frame a client sends: {"type":"hello","conversation_id"}
// once, then {"type":"message","text","turn"} per message.
type wsFrame struct {
	Type           string `json:"type"`
	ConversationID string `json:"conversation_id"`
	Text           string `json:"text"`
	Turn           int    `json:"turn"`
}

// wsConn is one WebSocket conversation on the simulator's side.
type wsConn struct {
	s   *Server
	c   *websocket.Conn
	ctx context.Context
	sd  *sseDialogue // by conversation id after a hello, else the connection's own; the reader's
}

// wsMessage is a message handed to the writer with the dialogue it
// belongs to (the one in force when it was read).
type wsMessage struct {
	f  wsFrame
	sd *sseDialogue
}

// serveWebSocket answers GET WebSocketPath: it accepts the connection and
// answers each message frame with the reply's chunks as frames —
// {"type":"delta","text"}, {"type":"media","link"}, then
// {"type":"done","usage":{"output_tokens"}} — paced as the streaming
// endpoints are (FirstChunk, ChunkInterval, StallEvery/Stall), or at
// CloseRate closes the connection half way with 1011. A hello frame with a
// conversation_id keys the dialogue, so a client that reconnects goes on
// with it; a message whose turn is the last one answered (sent again after
// a reconnect) gets the same reply again, not the next one.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{WebSocketSubprotocol}})
	if err != nil {
		s.stats.invalid.Add(1)
		return // Accept has answered the request
	}
	defer c.CloseNow()
	c.SetReadLimit(maxFrameBytes)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel) // Close ends every connection
	defer stop()
	wc := &wsConn{s: s, c: c, ctx: ctx, sd: &sseDialogue{}}
	msgs := make(chan wsMessage, wsQueue)
	done := make(chan struct{})
	go func() { // the writer: replies in order while the handler reads on (pings answered)
		defer close(done)
		for m := range msgs {
			if !wc.reply(m) {
				cancel()
				return
			}
		}
	}()
	wc.read(msgs)
	close(msgs)
	<-done
}

// read reads the client's frames until the connection ends, handing the
// messages to the writer.
func (wc *wsConn) read(msgs chan<- wsMessage) {
	for {
		_, data, err := wc.c.Read(wc.ctx)
		if err != nil {
			return
		}
		var f wsFrame
		if json.Unmarshal(data, &f) != nil || (f.Type != "hello" && f.Type != "message") ||
			(f.Type == "message" && strings.TrimSpace(f.Text) == "") {
			wc.s.stats.invalid.Add(1)
			wc.send(map[string]any{"type": "error", "error": `want {"type":"hello","conversation_id"} or {"type":"message","text","turn"}`})
			continue
		}
		if f.Type == "hello" {
			wc.hello(f.ConversationID)
			continue
		}
		wc.s.stats.received.Add(1)
		select {
		case msgs <- wsMessage{f, wc.sd}:
		case <-wc.ctx.Done():
			return
		}
	}
}

// hello keys the connection's dialogue by conversation id.
func (wc *wsConn) hello(id string) {
	if id == "" {
		return
	}
	v, loaded := wc.s.ws.m.LoadOrStore(id, &sseDialogue{})
	if !loaded {
		wc.s.stats.conversations.Add(1)
	}
	wc.sd = v.(*sseDialogue)
}

// reply sends the reply to one message; false when the connection is
// over (closed on purpose, or gone).
func (wc *wsConn) reply(msg wsMessage) bool {
	s, sd, m := wc.s, msg.sd, msg.f
	sd.mu.Lock()
	if sd.d == nil {
		sd.d = s.NewDialogue()
	}
	reply := sd.last
	if m.Turn == 0 || m.Turn != sd.turn || reply == nil { // a message sent again after a reconnect is answered again
		reply = sd.d.Reply(m.Text)
		sd.turn, sd.last = m.Turn, reply
	}
	sd.mu.Unlock()
	parts := s.parts(reply)
	closing := s.rng.hit(s.opts.CloseRate)
	for i, p := range parts {
		if closing && i >= max(len(parts)/2, 1) {
			_ = wc.c.Close(websocket.StatusInternalError, "simulated close")
			return false
		}
		body := map[string]any{"type": "delta", "text": p.text}
		if p.link != "" {
			body = map[string]any{"type": "media", "link": p.link}
		}
		if !s.pause(wc.ctx, s.chunkWait(i)) {
			return false
		}
		if i == 0 {
			body[StampField] = time.Now().UnixNano()
		}
		if !wc.send(body) {
			return false
		}
	}
	if !wc.send(map[string]any{"type": "done", "usage": map[string]int{"output_tokens": len(strings.Fields(textOf(reply)))}}) {
		return false
	}
	s.stats.delivered.Add(1)
	return true
}

// send writes body as one text frame.
func (wc *wsConn) send(body any) bool {
	raw, err := json.Marshal(body)
	if err != nil {
		return false
	}
	return wc.c.Write(wc.ctx, websocket.MessageText, raw) == nil
}
