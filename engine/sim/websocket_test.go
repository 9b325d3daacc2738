package sim

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsDial opens a connection to the simulator's WebSocket endpoint.
func wsDial(t *testing.T, s *Server) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, strings.Replace(s.BaseURL(), "http", "ws", 1)+WebSocketPath,
		&websocket.DialOptions{Subprotocols: []string{WebSocketSubprotocol}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	if c.Subprotocol() != WebSocketSubprotocol {
		t.Errorf("subprotocol %q", c.Subprotocol())
	}
	return c
}

// wsReply sends a message and reads frames until done or the connection
// ends (its close code then).
func wsReply(t *testing.T, c *websocket.Conn, msg string) ([]map[string]any, websocket.StatusCode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return out, websocket.CloseStatus(err)
		}
		var f map[string]any
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("frame %q: %v", b, err)
		}
		out = append(out, f)
		if f["type"] == "done" || f["type"] == "error" {
			return out, -1
		}
	}
}

func textOfFrames(fs []map[string]any) string {
	var b strings.Builder
	for _, f := range fs {
		if f["type"] == "delta" {
			b.WriteString(f["text"].(string))
		}
	}
	return b.String()
}

// TestWebSocketDialogue: a message frame gets the dialogue's reply as
// delta frames of ChunkSize characters, the first stamped, then done; a
// hello keys the dialogue by conversation id, so a second connection with
// the same id goes on with it, and the same turn sent again (a client's
// reconnect) gets the same reply.
func TestWebSocketDialogue(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{ChunkSize: 8})
	c := wsDial(t, s)
	ctx := context.Background()
	_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"hello","conversation_id":"c1"}`))
	first, code := wsReply(t, c, `{"type":"message","text":"Olá","turn":1}`)
	if code != -1 || len(first) < 3 || first[len(first)-1]["type"] != "done" || first[0][StampField] == nil {
		t.Fatalf("frames %v (close %d)", first, code)
	}
	for _, f := range first[:len(first)-1] {
		if n := len([]rune(f["text"].(string))); n > 8 {
			t.Errorf("a chunk of %d characters, want at most 8: %v", n, f)
		}
	}
	_ = c.Close(websocket.StatusNormalClosure, "")
	again := wsDial(t, s)
	_ = again.Write(ctx, websocket.MessageText, []byte(`{"type":"hello","conversation_id":"c1"}`))
	same, _ := wsReply(t, again, `{"type":"message","text":"Olá","turn":1}`)
	if textOfFrames(same) != textOfFrames(first) {
		t.Errorf("turn 1 sent again: %q, want the same reply %q", textOfFrames(same), textOfFrames(first))
	}
	next, _ := wsReply(t, again, `{"type":"message","text":"Ana Souza","turn":2}`)
	if textOfFrames(next) == "" || textOfFrames(next) == textOfFrames(first) {
		t.Errorf("turn 2: %q, want the dialogue's next reply", textOfFrames(next))
	}
	bad, _ := wsReply(t, again, `{"text":1}`)
	if len(bad) != 1 || bad[0]["type"] != "error" || s.Stats().Invalid != 1 {
		t.Errorf("an invalid frame got %v (invalid %d), want an error frame, counted", bad, s.Stats().Invalid)
	}
}

// TestWebSocketCloseRate: at CloseRate 1 every reply's connection is
// closed half way with 1011, after some of its frames.
func TestWebSocketCloseRate(t *testing.T) {
	t.Parallel()
	s := listen(t, Options{ChunkSize: 4, CloseRate: 1})
	c := wsDial(t, s)
	frames, code := wsReply(t, c, `{"type":"message","text":"Olá"}`)
	if code != websocket.StatusInternalError || len(frames) == 0 || frames[len(frames)-1]["type"] == "done" {
		t.Errorf("frames %v, close %d: want some deltas, then 1011", frames, code)
	}
}

// TestWebSocketClosedWithTheServer: Close ends an open connection (the
// hijacked socket is not left to the client).
func TestWebSocketClosedWithTheServer(t *testing.T) {
	t.Parallel()
	s, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := wsDial(t, s)
	_ = c.Write(context.Background(), websocket.MessageText, []byte(`{"type":"hello","conversation_id":"c2"}`))
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); err == nil || ctx.Err() != nil {
		t.Errorf("read %v: want the connection ended by Close", err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("Close did not return")
	}
}
