package protocol

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/voyplan/voyplan/engine/internal/wait"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol/ws"
)

// wsBot is a loopback WebSocket assistant: serve runs once per
// connection, the n-th (from 1); the bot keeps each handshake's headers.
type wsBot struct {
	srv     *httptest.Server
	conns   atomic.Int32
	mu      sync.Mutex
	headers []http.Header
	pinged  chan struct{} // closed at the first ping the bot receives
	once    sync.Once
}

func newWSBot(t *testing.T, serve func(ctx context.Context, c *websocket.Conn, n int)) *wsBot {
	t.Helper()
	b := &wsBot{pinged: make(chan struct{})}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("deny") != "" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"chat.v1"},
			OnPingReceived: func(context.Context, []byte) bool { b.once.Do(func() { close(b.pinged) }); return true }})
		if err != nil {
			return
		}
		defer c.CloseNow()
		b.mu.Lock()
		b.headers = append(b.headers, r.Header.Clone())
		b.mu.Unlock()
		serve(r.Context(), c, int(b.conns.Add(1)))
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func wsTarget(url, extra, frames string) string {
	return fmt.Sprintf(`
target "widget" {
  protocol    = "websocket"
  url         = "%s/ws?c=${conversation.id}"
  headers     = { Authorization = "Bearer ${env("KEY")}" }
  subprotocol = "chat.v1"
  hello       = jsonencode({ type = "hello", conversation_id = conversation.id, cpf = data.customer.cpf })
  send        = jsonencode({ type = "message", text = message, turn = turn })
  %s
  frames {
    %s
  }
}`, strings.Replace(url, "http://", "ws://", 1), extra, frames)
}

const wsFrames = `text  = "data.type == 'delta' ? data.text : nil"
    media = "data.type == 'media' ? data.link : nil"
    end   = "data.type == 'done'"`

// read reads one text frame, "" when the connection ended.
func read(ctx context.Context, c *websocket.Conn) string {
	_, b, err := c.Read(ctx)
	if err != nil {
		return ""
	}
	return string(b)
}

func write(ctx context.Context, c *websocket.Conn, frames ...string) {
	for _, f := range frames {
		if c.Write(ctx, websocket.MessageText, []byte(f)) != nil {
			return
		}
	}
}

func openWS(t *testing.T, src string) (Session, *plan.Plan) {
	t.Helper()
	p := loadTarget(t, src)
	return open(t, p, nil), p
}

// TestWebSocketReadsFramesWithExpressions: one connection carries the
// conversation — the handshake with its headers and subprotocol, the
// hello frame, a frame per message — and the frames expressions pick the
// text and media out of the reply's frames until the end frame; frames
// after it are late.
func TestWebSocketReadsFramesWithExpressions(t *testing.T) {
	t.Parallel()
	got := make(chan string, 8)
	bot := newWSBot(t, func(ctx context.Context, c *websocket.Conn, _ int) {
		got <- read(ctx, c) // hello
		for {
			m := read(ctx, c)
			if m == "" {
				return
			}
			got <- m
			write(ctx, c, `{"type":"typing"}`, `{"type":"delta","text":"Oi, "}`, `{"type":"delta","text":"tudo bem?"}`,
				`{"type":"media","link":"https://x/y.jpg"}`, `{"type":"done"}`, `{"type":"delta","text":"depois"}`)
		}
	})
	s, _ := openWS(t, wsTarget(bot.srv.URL, "", wsFrames))
	x, err := s.Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Messages) != 2 || x.Messages[0].Text != "Oi, tudo bem?" || x.Messages[1].Link != "https://x/y.jpg" {
		t.Errorf("messages %+v", x.Messages)
	}
	if st := x.Stream; st.Chunks != 5 || st.Content != 3 || st.FirstToken <= 0 || x.Reply < st.Last() || st.Link.Opened != 1 {
		t.Errorf("stream %+v link %+v reply %s", st, st.Link, x.Reply)
	}
	if hello, msg := <-got, <-got; !strings.Contains(hello, `"conversation_id":"conv-1"`) || !strings.Contains(hello, "529.982.247-25") ||
		!strings.Contains(msg, `"text":"Olá"`) || !strings.Contains(msg, `"turn":1`) {
		t.Errorf("hello %s message %s", hello, msg)
	}
	if h := bot.headers[0]; h.Get("Authorization") != "Bearer "+secret || h.Get("Sec-WebSocket-Protocol") != "chat.v1" {
		t.Errorf("handshake headers %v", h)
	}
	// The bot wrote "depois" right after turn 1's end frame: once the
	// reader has it, turn 2 files it under turn 1 (read before turn 2's
	// message was written), however soon turn 2 starts. A frame the reader
	// has not reached by then cannot be told from a reply to turn 2.
	for deadline := time.Now().Add(10 * time.Second); len(s.(*wsSession).conn.Frames()) == 0 && time.Now().Before(deadline); {
		wait.For(context.Background(), time.Millisecond)
	}
	if _, err := s.Exchange(context.Background(), 2, "Ana"); err != nil {
		t.Fatal(err)
	}
	if bot.conns.Load() != 1 {
		t.Errorf("%d connections, want one for the conversation", bot.conns.Load())
	}
	s.Close()
	if late := s.Late(); len(late[1]) != 1 || late[1][0].Text != "depois" {
		t.Errorf("late %+v, want turn 1's frame after its end", late)
	}
}

// TestWebSocketSettlesWithoutAnEndFrame: with no end expression the
// frames of a reply are whole after reply_settle of quiet; apart keeps
// each frame's text a message of its own.
func TestWebSocketSettlesWithoutAnEndFrame(t *testing.T) {
	t.Parallel()
	bot := newWSBot(t, func(ctx context.Context, c *websocket.Conn, _ int) {
		read(ctx, c)
		for read(ctx, c) != "" {
			write(ctx, c, `{"text":"Oi!"}`, `{"text":"Como posso ajudar?"}`)
		}
	})
	s, _ := openWS(t, wsTarget(bot.srv.URL, "", "apart = true"))
	start := time.Now()
	x, err := s.Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Messages) != 2 || x.Messages[1].Text != "Como posso ajudar?" || time.Since(start) > 3*time.Second {
		t.Errorf("messages %+v after %s: want two, settled after 200ms", x.Messages, time.Since(start))
	}
	if x.Reply != x.Stream.Last() {
		t.Errorf("reply %s, want the last frame's time %s", x.Reply, x.Stream.Last())
	}
}

// replyOnce answers every message with "Oi" in two frames; on the first
// connection it closes with 1011 after the first frame.
func replyOnce(ctx context.Context, c *websocket.Conn, n int) {
	read(ctx, c)
	for read(ctx, c) != "" {
		write(ctx, c, `{"type":"delta","text":"O"}`)
		if n == 1 {
			_ = c.Close(websocket.StatusInternalError, "boom")
			return
		}
		write(ctx, c, `{"type":"delta","text":"i"}`, `{"type":"done"}`)
	}
}

// TestWebSocketConnectionLost: a connection the assistant closes mid
// reply fails the turn with connection_lost, the partial text kept and
// the close code counted; with reconnect = true it is opened again once,
// the message sent again, and the reply goes on.
func TestWebSocketConnectionLost(t *testing.T) {
	t.Parallel()
	t.Run("fails", func(t *testing.T) {
		t.Parallel()
		bot := newWSBot(t, replyOnce)
		s, _ := openWS(t, wsTarget(bot.srv.URL, "", wsFrames))
		x, err := s.Exchange(context.Background(), 1, "Olá")
		re, ok := errors.AsType[*ReplyError](err)
		if !ok || re.Reason != ReasonConnectionLost || !strings.Contains(err.Error(), "1011 (InternalError): boom") {
			t.Fatalf("error %v, want connection_lost with the close code", err)
		}
		if len(x.Messages) != 1 || x.Messages[0].Text != "O" || x.Stream.Link.Closes != 1 || x.Stream.Link.CloseCode != 1011 {
			t.Errorf("messages %+v link %+v", x.Messages, x.Stream.Link)
		}
	})
	t.Run("reconnects", func(t *testing.T) {
		t.Parallel()
		bot := newWSBot(t, replyOnce)
		s, _ := openWS(t, wsTarget(bot.srv.URL, "reconnect = true", wsFrames))
		x, err := s.Exchange(context.Background(), 1, "Olá")
		if err != nil {
			t.Fatal(err)
		}
		l := x.Stream.Link
		if len(x.Messages) != 1 || x.Messages[0].Text != "Oi" || l.Reconnects != 1 || l.Opened != 2 || l.Closes != 1 || bot.conns.Load() != 2 {
			t.Errorf("messages %+v link %+v conns %d", x.Messages, l, bot.conns.Load())
		}
		if x.Stream.FirstToken <= 0 || x.Reply < x.Stream.FirstToken {
			t.Errorf("stream %+v reply %s", x.Stream, x.Reply)
		}
	})
}

// TestWebSocketBadInput: frames the expressions cannot read, a frame over
// the size limit and a flood fail the turn with bad_frame and say why; a
// refused handshake is a send error with its status — never a hang.
func TestWebSocketBadInput(t *testing.T) {
	t.Parallel()
	huge := `{"type":"delta","text":"` + strings.Repeat("a", 2<<20) + `"}`
	tests := []struct {
		name, frames, query string
		send                func(ctx context.Context, c *websocket.Conn)
		want                string
		reason              string
	}{
		{"not json", wsFrames, "", func(ctx context.Context, c *websocket.Conn) { write(ctx, c, "<html>502</html>") }, "cannot read frame 1", ReasonBadFrame},
		{"wrong type", `text = "data.text.x"`, "", func(ctx context.Context, c *websocket.Conn) { write(ctx, c, `{"text":3}`) }, "cannot read frame 1", ReasonBadFrame},
		{"huge", wsFrames, "", func(ctx context.Context, c *websocket.Conn) { write(ctx, c, huge) }, "a frame is larger than the limit of 1024 KiB", ReasonBadFrame},
		{"flood", wsFrames, "", func(ctx context.Context, c *websocket.Conn) {
			for i := 0; i < maxFrames+10 && ctx.Err() == nil; i++ {
				write(ctx, c, `{"type":"typing"}`)
			}
		}, "more than 4096 frames", ReasonBadFrame},
		{"refused", wsFrames, "&deny=1", nil, "HTTP 401", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bot := newWSBot(t, func(ctx context.Context, c *websocket.Conn, _ int) {
				read(ctx, c)
				if read(ctx, c) != "" {
					tt.send(ctx, c)
				}
				read(ctx, c) // until the client closes
			})
			s, _ := openWS(t, strings.Replace(wsTarget(bot.srv.URL, "", tt.frames), "${conversation.id}", "${conversation.id}"+tt.query, 1))
			// The flood is 4,106 frames read one by one: on a loaded machine
			// under -race that can outlast the 5 s reply timeout, which would
			// end the turn first; the failure must be the flood's.
			s.(*wsSession).p.Wait.Timeout = 2 * time.Minute
			x, err := s.Exchange(context.Background(), 1, "Olá")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			re, isReply := errors.AsType[*ReplyError](err)
			if tt.reason == "" {
				if se, ok := errors.AsType[*SendError](err); !ok || se.Status != 401 || x.Stream.Link.ConnectFailed != 1 {
					t.Errorf("error %#v link %+v, want a send error with 401 and a failed connection", err, x.Stream.Link)
				}
			} else if !isReply || re.Reason != tt.reason {
				t.Errorf("error %#v, want reason %s", err, tt.reason)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the key: %v", err)
			}
		})
	}
}

// TestWebSocketPings: with ping_interval voyplan pings the assistant, and
// answers the assistant's own pings; both are counted in the turn.
func TestWebSocketPings(t *testing.T) {
	t.Parallel()
	var bot *wsBot
	bot = newWSBot(t, func(ctx context.Context, c *websocket.Conn, _ int) {
		read(ctx, c)
		read(ctx, c)
		ctx = c.CloseRead(ctx) // answers control frames while this goroutine writes
		select {
		case <-bot.pinged:
		case <-ctx.Done():
			return
		}
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if c.Ping(pctx) != nil { // the client answers: counted as an assistant ping
			return
		}
		write(ctx, c, `{"type":"delta","text":"Oi"}`, `{"type":"done"}`)
		<-ctx.Done()
	})
	s, _ := openWS(t, wsTarget(bot.srv.URL, `ping_interval = "20ms"`, wsFrames))
	x, err := s.Exchange(context.Background(), 1, "Olá")
	if err != nil {
		t.Fatal(err)
	}
	if l := x.Stream.Link; l.Pings < 1 || l.PeerPings != 1 {
		t.Errorf("link %+v: want a ping sent and the assistant's ping answered", l)
	}
}

// FuzzReadFrame: any frame, text or binary, is read by the frames
// expressions (and by the defaults) without a panic; what it yields is
// either an error or items that each carry a text or a link.
func FuzzReadFrame(f *testing.F) {
	for _, seed := range []string{`{"type":"delta","text":"Oi"}`, `{"type":"media","link":"https://x/y.jpg"}`, `{"type":"done"}`,
		`{"text":["a",null,"b"]}`, `{"type":"delta","text":3}`, "<html>", "", "null", `[1,2]`, "\xff\xfe"} {
		f.Add([]byte(seed), false)
	}
	f.Add([]byte{0, 1, 2}, true)
	var specs []*plan.Plan
	for _, frames := range []string{wsFrames, "", `text = "data.text"` + "\n" + `media = "data.links"`} {
		p, diags := plan.LoadSource([]byte(wsTarget("http://127.0.0.1:1", "", frames)+`
data "customer" { cpf = "529.982.247-25" }
persona "p" { script = ["Olá"] }
stage "s" {
  users      = 1
  spawn_rate = 1
  duration   = "1s"
}`), "fuzz.hcl", plan.Options{Env: map[string]string{"KEY": "fake-test-secret-1"}})
		if diags.HasErrors() {
			f.Fatal(diags.Error())
		}
		specs = append(specs, p)
	}
	f.Fuzz(func(t *testing.T, data []byte, binary bool) {
		for _, p := range specs {
			msgs, _, err := readFrame(p.Target.WebSocket.Frames, ws.Frame{Data: data, Binary: binary})
			if err != nil {
				continue
			}
			for _, m := range msgs {
				if m.Text == "" && m.Link == "" {
					t.Fatalf("empty item %+v from %q", m, data)
				}
			}
		}
	})
}

// TestStreamUsageExpressions: a usage expression reads the reply's output
// tokens from the event (sse) or frame (websocket) that reports them; a
// reply with none is NoUsage, and a usage that is not a number fails the
// turn saying so.
func TestStreamUsageExpressions(t *testing.T) {
	t.Parallel()
	t.Run("sse", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			done    string
			tokens  int64
			noUsage bool
			err     string
		}{
			{`{"usage":{"output_tokens":7}}`, 7, false, ""},
			{`{}`, 0, true, ""},
			{`{"usage":{"output_tokens":"seven"}}`, 0, false, "want a number of output tokens"},
		} {
			bot := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				sseBody(w, "event: delta\ndata: {\"text\":\"Oi\"}\n\n", "event: done\ndata: "+tt.done+"\n\n")
			})
			p := loadTarget(t, sseTarget(bot.srv.URL, `events {
    text  = "event == 'delta' ? data.text : nil"
    end   = "event == 'done'"
    usage = "event == 'done' ? data.usage?.output_tokens : nil"
  }`))
			x, err := open(t, p, nil).Exchange(context.Background(), 1, "Olá")
			checkUsage(t, x, err, tt.tokens, tt.noUsage, tt.err)
		}
	})
	t.Run("websocket", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			done    string
			tokens  int64
			noUsage bool
			err     string
		}{
			{`{"type":"done","usage":{"output_tokens":7}}`, 7, false, ""},
			{`{"type":"done"}`, 0, true, ""},
			{`{"type":"done","usage":{"output_tokens":-1}}`, 0, false, "is not a number of tokens"},
		} {
			bot := newWSBot(t, func(ctx context.Context, c *websocket.Conn, _ int) {
				read(ctx, c)
				for read(ctx, c) != "" {
					write(ctx, c, `{"type":"delta","text":"Oi"}`, tt.done)
				}
			})
			s, _ := openWS(t, wsTarget(bot.srv.URL, "", wsFrames+"\n"+`usage = "data.type == 'done' ? data.usage?.output_tokens : nil"`))
			x, err := s.Exchange(context.Background(), 1, "Olá")
			checkUsage(t, x, err, tt.tokens, tt.noUsage, tt.err)
		}
	})
}

func checkUsage(t *testing.T, x Turn, err error, tokens int64, noUsage bool, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("error %v, want %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Usage; (tokens > 0 && (got == nil || got.OutputTokens != tokens)) || x.Stream.NoUsage != noUsage {
		t.Errorf("usage %+v no_usage %v, want %d tokens, no_usage %v", got, x.Stream.NoUsage, tokens, noUsage)
	}
}
