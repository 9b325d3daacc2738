// Command limit is the floor a voyplan turn is measured against (issue 16):
// a minimal, standard-library-only program doing only what a turn must do.
// Each user POSTs one message (~150 B of JSON, the widget API's shape) to
// the assistant — in the benchmarks `voyplan sim` in a second process —
// which answers 202 and later POSTs the reply (~90 B) to this program's
// receiver; the receiver decodes it and wakes the waiting user through a
// channel. Nothing else: no plan, no persona, no transcript, no metrics, no
// files. `make bench` runs it against the same simulator, interleaved with
// voyplan's runs, and prints voyplan's figures as ratios to this one's.
//
// The users play the lines of -script in order, one conversation at a time,
// and a conversation ends at the first reply holding "https://pay." (the
// payment link) or after -max-turns. When -duration is up no new turn
// starts and each user's turn in flight ends first. With -hold the program
// instead stops that long after the last user started, at once: every
// conversation is cut while it waits, as voyplan's --graceful-stop 1ms does,
// however late a loaded machine let the users start. It prints one JSON object on stdout: its counts
// and the turns sent in each second of the run.
//
// With -stream the assistant is an OpenAI-compatible chat completions
// endpoint streaming its reply (-url is the endpoint, in the benchmarks
// `voyplan sim`'s /v1/chat/completions): each turn POSTs the request voyplan's
// openai target with stream = true sends — the model, the conversation so
// far and the user's line, "stream": true — and reads the text/event-stream
// line by line until data: [DONE], decoding each chunk just enough to
// collect its content delta. The assembled text is the turn's reply and
// joins the conversation sent with the next turn. A stream that ends before
// [DONE] is a missing reply. No receiver is started.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	url          string
	lines        []string
	users        int
	spawnRate    float64
	duration     time.Duration
	convPerUser  int
	replyTimeout time.Duration
	maxTurns     int
	hold         time.Duration
	stream       bool
}

// report is what the program prints when it ends.
type report struct {
	Turns         int64   `json:"turns"` // answered turns
	Conversations int64   `json:"conversations"`
	Completed     int64   `json:"completed"` // reached the payment link
	SendErrors    int64   `json:"send_errors"`
	NoReply       int64   `json:"missing_replies"`
	InFlightAtEnd int64   `json:"in_flight_at_end"`
	DurationS     float64 `json:"duration_s"`
	PerSecond     []int64 `json:"sent_per_second"` // turns sent in second i of the run
}

func main() {
	c, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "limit:", err)
		os.Exit(1)
	}
	r, err := run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "limit:", err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(r)
}

func parseFlags() (config, error) {
	var c config
	var script string
	flag.StringVar(&c.url, "url", "", "the assistant's widget endpoint (with -stream, its chat completions endpoint)")
	flag.StringVar(&script, "script", "", "the customer's messages, one a line")
	flag.IntVar(&c.users, "users", 16, "concurrent users")
	flag.Float64Var(&c.spawnRate, "spawn-rate", 1000, "users started per second")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long turns keep starting")
	flag.IntVar(&c.convPerUser, "conversations-per-user", 0, "0: repeat until the end")
	flag.DurationVar(&c.replyTimeout, "reply-timeout", 10*time.Second, "how long a turn waits for its reply")
	flag.IntVar(&c.maxTurns, "max-turns", 14, "turns a conversation takes at most")
	flag.DurationVar(&c.hold, "hold", 0, "stop this long after the last user started, cutting every turn in flight (instead of -duration)")
	flag.BoolVar(&c.stream, "stream", false, "-url is an OpenAI chat completions endpoint; each turn reads its streamed reply")
	flag.Parse()
	if c.url == "" || script == "" {
		return c, fmt.Errorf("-url and -script are required")
	}
	b, err := os.ReadFile(script)
	if err != nil {
		return c, err
	}
	for l := range strings.Lines(string(b)) {
		if l = strings.TrimSpace(l); l != "" {
			c.lines = append(c.lines, l)
		}
	}
	if len(c.lines) == 0 {
		return c, fmt.Errorf("%s holds no lines", script)
	}
	return c, nil
}

// limit is one run: the receiver, the client and the counts.
type limit struct {
	c       config
	hook    string // the receiver's base URL
	client  *http.Client
	waiters sync.Map // conversation id → chan string
	start   time.Time
	sent    []atomic.Int64 // per second of the run
	r       struct{ turns, convs, completed, sendErr, noReply, inFlight atomic.Int64 }
}

func run(c config) (report, error) {
	l := &limit{c: c, start: time.Now(), sent: make([]atomic.Int64, int((c.duration+c.hold)/time.Second)+2)}
	if !c.stream { // the receiver of the replies
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return report{}, err
		}
		l.hook = "http://" + ln.Addr().String() + "/r/"
		srv := &http.Server{Handler: http.HandlerFunc(l.receive), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
	}
	l.client = &http.Client{Timeout: c.replyTimeout, Transport: &http.Transport{
		MaxIdleConnsPerHost: 4096, IdleConnTimeout: 90 * time.Second,
		DialContext: (&net.Dialer{Timeout: c.replyTimeout}).DialContext}}
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	if c.hold > 0 {
		ctx, cancel = context.WithCancel(context.Background())
	}
	defer cancel()
	var wg sync.WaitGroup
	for u := range c.users {
		if d := time.Duration(float64(u) / c.spawnRate * float64(time.Second)); time.Until(l.start.Add(d)) > 0 {
			select {
			case <-time.After(time.Until(l.start.Add(d))):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() { l.user(ctx, u) })
	}
	if c.hold > 0 {
		time.Sleep(c.hold)
	} else {
		wg.Wait()
	}
	return l.report(), nil
}

func (l *limit) report() report {
	r := report{Turns: l.r.turns.Load(), Conversations: l.r.convs.Load(), Completed: l.r.completed.Load(),
		SendErrors: l.r.sendErr.Load(), NoReply: l.r.noReply.Load(), InFlightAtEnd: l.r.inFlight.Load(),
		DurationS: time.Since(l.start).Seconds()}
	for i := range l.sent {
		r.PerSecond = append(r.PerSecond, l.sent[i].Load())
	}
	return r
}

// user plays conversations until the run ends or it has had its share.
func (l *limit) user(ctx context.Context, u int) {
	for n := 0; l.c.convPerUser == 0 || n < l.c.convPerUser; n++ {
		if ctx.Err() != nil {
			return
		}
		l.conversation(ctx, "u"+strconv.Itoa(u)+"-"+strconv.Itoa(n))
	}
}

// conversation plays the script's lines, one turn each, until the payment
// link, a failed turn, max-turns or the end of the run.
func (l *limit) conversation(ctx context.Context, id string) {
	l.r.convs.Add(1)
	l.r.inFlight.Add(1)
	defer l.r.inFlight.Add(-1)
	var replies chan string
	var history []chatMessage // -stream: the conversation so far
	if !l.c.stream {
		replies = make(chan string, 4)
		l.waiters.Store(id, replies)
		defer l.waiters.Delete(id)
	}
	webhook := l.hook + id
	for i := 0; i < l.c.maxTurns && ctx.Err() == nil; i++ {
		if sec := int(time.Since(l.start) / time.Second); sec < len(l.sent) {
			l.sent[sec].Add(1)
		}
		line := l.c.lines[i%len(l.c.lines)]
		var text string
		var err error
		if l.c.stream {
			history = append(history, chatMessage{Role: "user", Content: line})
			text, err = l.streamTurn(id, history)
			history = append(history, chatMessage{Role: "assistant", Content: text})
		} else if err = l.send(id, line, webhook); err == nil {
			var ok bool
			if text, ok = l.await(replies); !ok {
				err = errIncomplete
			}
		}
		if errors.Is(err, errIncomplete) {
			l.r.noReply.Add(1)
			return
		}
		if err != nil {
			if l.r.sendErr.Add(1) == 1 {
				fmt.Fprintln(os.Stderr, "limit: the first failed send:", err)
			}
			return
		}
		l.r.turns.Add(1)
		if strings.Contains(text, "https://pay.") {
			l.r.completed.Add(1)
			return
		}
	}
}

func (l *limit) await(replies chan string) (string, bool) {
	t := time.NewTimer(l.c.replyTimeout)
	defer t.Stop()
	select {
	case text := <-replies:
		return text, true
	case <-t.C:
		return "", false
	}
}

// message is the widget API's request body.
type message struct {
	Type             string `json:"type"`
	Text             string `json:"text"`
	ChannelID        string `json:"channelId"`
	ClientIdentifier string `json:"clientIdentifier"`
	Webhook          string `json:"webhook"`
}

func (l *limit) send(id, text, webhook string) error {
	body, err := json.Marshal(message{Type: "text", Text: text, ChannelID: "68e4464832ec9940d9993a12",
		ClientIdentifier: id + "@stw.ai", Webhook: webhook})
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, l.c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header["Content-Type"] = []string{"application/json"}
	// Present but empty (not sent): it lets the transport send the POST
	// again on a fresh connection when the server had closed the idle one
	// it picked before a byte went out, as it does for a GET.
	req.Header["X-Idempotency-Key"] = nil
	resp, err := l.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// callback is the reply's body.
type callback struct {
	Messages []struct {
		Text string `json:"text"`
	} `json:"messages"`
}

// receive decodes a callback and hands its text to the conversation waiting
// for it.
func (l *limit) receive(w http.ResponseWriter, req *http.Request) {
	var cb callback
	if err := json.NewDecoder(req.Body).Decode(&cb); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
	ch, ok := l.waiters.Load(strings.TrimPrefix(req.URL.Path, "/r/"))
	if !ok {
		return
	}
	var b strings.Builder
	for _, m := range cb.Messages {
		b.WriteString(m.Text)
	}
	select {
	case ch.(chan string) <- b.String():
	default:
	}
}

// errIncomplete is a turn whose reply did not come: no callback in time, or
// a stream that ended or broke before data: [DONE].
var errIncomplete = errors.New("no reply")

// chatMessage is one entry of a chat completion request's messages.
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// chatRequest is the body voyplan's openai target sends with stream = true.
type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	User          string        `json:"user"`
	Stream        bool          `json:"stream"`
	StreamOptions struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

// chatChunk is the part of a streamed chunk the program reads: the content
// delta, a string for text (an image's is a list of parts, skipped).
type chatChunk struct {
	Choices []struct {
		Delta struct {
			Content json.RawMessage `json:"content"`
		} `json:"delta"`
	} `json:"choices"`
}

// streamTurn POSTs the conversation so far and reads the streamed reply to
// data: [DONE]; a stream that ends before it is errIncomplete.
func (l *limit) streamTurn(id string, msgs []chatMessage) (string, error) {
	req := chatRequest{Model: "bench", Messages: msgs, User: id, Stream: true}
	req.StreamOptions.IncludeUsage = true
	body, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	resp, err := l.client.Post(l.c.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	var text strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data: "))
		if !ok {
			continue // the blank line between events
		}
		if string(data) == "[DONE]" {
			return text.String(), nil
		}
		var ch chatChunk
		if err := json.Unmarshal(data, &ch); err != nil {
			return text.String(), err
		}
		if len(ch.Choices) > 0 {
			if c := ch.Choices[0].Delta.Content; len(c) > 0 && c[0] == '"' {
				var s string
				if err := json.Unmarshal(c, &s); err != nil {
					return text.String(), err
				}
				text.WriteString(s)
			}
		}
	}
	return text.String(), fmt.Errorf("%w: the stream ended before [DONE] (%v)", errIncomplete, sc.Err())
}
