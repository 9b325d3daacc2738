package tunnel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"golang.ngrok.com/ngrok/v2"
)

// DefaultStartTimeout bounds opening an ngrok tunnel when Ngrok.StartTimeout
// is zero.
const DefaultStartTimeout = 20 * time.Second

// defaultConnectAddr is where the ngrok agent connects, unless ConnectURL
// says otherwise.
const defaultConnectAddr = "connect.ngrok-agent.com:443"

// ErrNoAuthtoken: the ngrok tunnel was asked for without a token.
var ErrNoAuthtoken = errors.New(`webhook: tunnel = "ngrok" needs an ngrok authtoken: set NGROK_AUTHTOKEN ` +
	`(your token is at https://dashboard.ngrok.com/get-started/your-authtoken), or authtoken = env("...") ` +
	`in the webhook block; or run without a tunnel: tunnel = "none", with public_url = "<an address that reaches listen>" ` +
	`when the assistant is not on this machine`)

// hint closes every error of a tunnel that would not open.
const hint = `Check NGROK_AUTHTOKEN (or the webhook block's authtoken) and that this machine reaches the internet, ` +
	`or run without a tunnel: tunnel = "none", with public_url = "<an address that reaches listen>"`

// Ngrok opens an ngrok endpoint in process. The zero value is not usable:
// Authtoken is required.
type Ngrok struct {
	Authtoken string // secret: never printed, never logged
	// Domain is a fixed domain reserved on the ngrok account, e.g.
	// "voyplan.ngrok.app"; "" lets ngrok pick one.
	Domain string
	// StartTimeout bounds the whole start (the agent retries forever when
	// offline or refused); 0 means DefaultStartTimeout.
	StartTimeout time.Duration
	// ConnectURL is the ngrok service's host:port; "" is ngrok's own. Tests
	// point it at loopback.
	ConnectURL string
	Log        *slog.Logger // the agent's log; nil: discard
	Version    string       // reported to ngrok as the client version
}

// Open connects to ngrok and opens an https endpoint. It returns within
// StartTimeout, with an error that says what failed and what to do.
func (n *Ngrok) Open(ctx context.Context) (Tunnel, error) {
	if n.Authtoken == "" {
		return nil, ErrNoAuthtoken
	}
	timeout := n.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	agent, err := ngrok.NewAgent(n.agentOptions()...)
	if err != nil {
		return nil, n.fail(err, false)
	}
	// The session lives as long as the context it was opened with, so the
	// start is bounded by cancelling that context on a timer, not by a
	// deadline that would also end a tunnel that opened in time.
	life, end := context.WithCancel(context.Background())
	timer := time.AfterFunc(timeout, end)
	stopParent := context.AfterFunc(ctx, end)
	defer stopParent()
	ln, err := n.listen(life, agent)
	fired := !timer.Stop()
	if fired || ctx.Err() != nil { // the bound fired, perhaps just after Listen returned
		err = errors.Join(n.timedOut(ctx, timeout), err)
	}
	if err != nil {
		end()
		_ = agent.Disconnect()
		return nil, n.fail(err, fired)
	}
	return &ngrokTunnel{agent: agent, ln: ln, end: end}, nil
}

func (n *Ngrok) agentOptions() []ngrok.AgentOption {
	log := n.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts := []ngrok.AgentOption{
		ngrok.WithAuthtoken(n.Authtoken),
		ngrok.WithLogger(log),
		ngrok.WithClientInfo("voyplan", n.Version),
		ngrok.WithAgentDescription("voyplan webhook receiver"),
	}
	if n.ConnectURL != "" {
		opts = append(opts, ngrok.WithAgentConnectURL(n.ConnectURL))
	}
	return opts
}

// listen probes the service first, so an offline machine fails at once
// with the reason rather than after the whole timeout, then opens the
// endpoint.
func (n *Ngrok) listen(ctx context.Context, agent ngrok.Agent) (ngrok.EndpointListener, error) {
	if d, ok := agent.(ngrok.Diagnoser); ok {
		if _, err := d.Diagnose(ctx, ""); err != nil {
			return nil, n.unreachable(err)
		}
	}
	var opts []ngrok.EndpointOption
	if n.Domain != "" {
		opts = append(opts, ngrok.WithURL("https://"+n.Domain))
	}
	ln, err := agent.Listen(ctx, opts...)
	if err != nil {
		return nil, n.refused(err)
	}
	return ln, nil
}

func (n *Ngrok) connectAddr() string {
	if n.ConnectURL != "" {
		return n.ConnectURL
	}
	return defaultConnectAddr
}

// unreachable explains a failed pre-flight probe.
func (n *Ngrok) unreachable(err error) error {
	switch {
	case ngrok.IsTCPDiagnoseFailure(err):
		return fmt.Errorf("cannot reach the ngrok service at %s (is this machine offline?): %w", n.connectAddr(), err)
	case ngrok.IsTLSDiagnoseFailure(err):
		return fmt.Errorf("the TLS handshake with the ngrok service at %s failed (a proxy or firewall in the way?): %w", n.connectAddr(), err)
	}
	return fmt.Errorf("the ngrok service at %s did not answer as expected: %w", n.connectAddr(), err)
}

// refused explains a failed Listen: ngrok's own errors carry a code.
func (n *Ngrok) refused(err error) error {
	var ne ngrok.Error
	if errors.As(err, &ne) {
		return fmt.Errorf("ngrok refused the tunnel (%s; an authtoken that is wrong or revoked, or a domain "+
			"the account does not own?): %w", ne.Code(), err)
	}
	return fmt.Errorf("cannot open the ngrok tunnel: %w", err)
}

func (n *Ngrok) timedOut(ctx context.Context, timeout time.Duration) error {
	if ctx.Err() != nil {
		return fmt.Errorf("stopped while opening the ngrok tunnel: %w", ctx.Err())
	}
	return fmt.Errorf("the ngrok tunnel did not open within %s (webhook start_timeout)", timeout)
}

// fail makes the final error: what failed, then what to do, with the token
// blanked out wherever ngrok quoted it.
func (n *Ngrok) fail(err error, timeout bool) error {
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	if n.Authtoken != "" {
		msg = strings.ReplaceAll(msg, n.Authtoken, "[redacted]")
	}
	return &StartError{msg: "cannot open the ngrok tunnel: " + msg + ". " + hint, timeout: timeout}
}

// StartError is a tunnel that would not open. Its message names what
// failed and what to do, and never carries the token.
type StartError struct {
	msg     string
	timeout bool
}

func (e *StartError) Error() string { return e.msg }

// Timeout reports whether the start-up bound ran out.
func (e *StartError) Timeout() bool { return e.timeout }

type ngrokTunnel struct {
	agent ngrok.Agent
	ln    ngrok.EndpointListener
	end   context.CancelFunc
	once  sync.Once
	err   error
}

func (t *ngrokTunnel) URL() string            { return strings.TrimRight(t.ln.URL().String(), "/") }
func (t *ngrokTunnel) Listener() net.Listener { return t.ln }

// Close removes the endpoint and ends the agent's session.
func (t *ngrokTunnel) Close() error {
	t.once.Do(func() {
		if err := t.ln.Close(); err != nil && !isClosedError(err) {
			t.err = fmt.Errorf("cannot close the ngrok endpoint: %w", err)
		}
		if err := t.agent.Disconnect(); err != nil {
			t.err = errors.Join(t.err, fmt.Errorf("cannot disconnect from ngrok: %w", err))
		}
		t.end()
	})
	return t.err
}

func isClosedError(err error) bool { return errors.Is(err, net.ErrClosed) }
