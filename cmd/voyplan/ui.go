package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/voyplan/voyplan/engine/dashboard"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/results"
	"github.com/voyplan/voyplan/engine/run"
	"github.com/voyplan/voyplan/engine/verdict"
	"github.com/voyplan/voyplan/engine/webhook"
)

// liveConversations is how many conversations in flight a run with the
// dashboard keeps readable as transcripts.
const liveConversations = 2000

// uiFlag is --ui [ADDR]: off, or the address to serve the dashboard on.
// `--ui` alone means the default address (the flag's NoOptDefVal, "true")
// and `--ui=ADDR` another; joinUIAddr turns `--ui ADDR` into the latter
// before parsing.
type uiFlag struct {
	on   bool
	addr string
	ln   net.Listener // bound by listen, until the dashboard takes it
}

func (u *uiFlag) String() string {
	if u == nil || !u.on {
		return ""
	}
	return u.addr
}

func (u *uiFlag) Set(s string) error {
	switch s {
	case "true":
		u.on, u.addr = true, dashboard.DefaultAddr
	case "false":
		u.on = false
	default:
		if !isAddr(s) {
			return fmt.Errorf("--ui wants an address, HOST:PORT (e.g. 127.0.0.1:8089 or :0), got %q", s)
		}
		u.on, u.addr = true, s
	}
	return nil
}

func (u *uiFlag) Type() string { return "ADDR" }

// isAddr reports whether s is HOST:PORT with a numeric port.
func isAddr(s string) bool {
	_, port, err := net.SplitHostPort(s)
	if err != nil || port == "" {
		return false
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// joinUIAddr rewrites `--ui ADDR` as `--ui=ADDR` when the argument after
// --ui is an address (HOST:PORT) and not a file, so the dashboard's
// address may follow the flag as the issue and the README write it, while
// `--ui PLAN` still reads PLAN as the plan.
func joinUIAddr(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if (a == "--ui" || a == "-ui") && i+1 < len(args) && isAddr(args[i+1]) && !exists(args[i+1]) {
			out = append(out, a+"="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// listen binds the dashboard's address before anything starts, so a port
// in use stops apply with no results directory.
func (u *uiFlag) listen() error {
	if !u.on {
		return nil
	}
	ln, err := net.Listen("tcp", u.addr)
	if err != nil {
		return fmt.Errorf("cannot serve the dashboard on %s: %w", u.addr, err)
	}
	u.ln = ln
	return nil
}

// release closes the listener if no dashboard took it.
func (u *uiFlag) release() {
	if u.ln != nil {
		_ = u.ln.Close()
	}
}

// uiServer is the dashboard of one apply; nil when --ui is off, and then
// every method does nothing.
type uiServer struct {
	srv     *dashboard.Server
	r       *run.Runner
	stopped atomic.Bool // the run was stopped from the page
}

// prepare makes the run keep what the dashboard shows: its conversations
// in flight and, when the target replies through the webhook, the last
// callbacks.
func (u *uiFlag) prepare(p *plan.Plan, o *run.Options) {
	if !u.on {
		return
	}
	o.Live = liveConversations
	if protocol.NeedsReceiver(p) {
		o.Inspector = webhook.NewInspector(dashboard.InspectorSize)
	}
}

// startUI serves the dashboard and prints its URL, token included.
func (a *app) startUI(u *uiFlag, p *plan.Plan, r *run.Runner, insp *webhook.Inspector, log *slog.Logger) (*uiServer, error) {
	if !u.on {
		return nil, nil
	}
	ui := &uiServer{r: r}
	srv, err := dashboard.Start(dashboard.Options{
		Addr:      u.addr,
		Listener:  u.ln,
		Plan:      p,
		Runner:    r,
		Inspector: insp,
		Stop:      func() error { return ui.stop(a) },
		Log:       log,
	})
	if err != nil {
		return nil, err
	}
	u.ln = nil // the dashboard's now: Close closes it
	ui.srv = srv
	fmt.Fprintf(a.stderr, "voyplan: live dashboard at %s\n", srv.URL())
	if !srv.Loopback() {
		fmt.Fprintf(a.stderr, "voyplan: warning: the dashboard listens on %s, reachable from other machines: anyone with its URL can steer and stop the run\n", srv.Addr())
	}
	log.Info("dashboard serving", "addr", srv.Addr())
	return ui, nil
}

// stop is the page's stop button: the graceful stop Ctrl-C makes, recorded
// as a change by hand.
func (u *uiServer) stop(a *app) error {
	if _, err := u.r.StopByHand("dashboard"); err != nil {
		return err
	}
	u.stopped.Store(true)
	fmt.Fprintln(a.stderr, "\nvoyplan: stopped from the dashboard — finishing the turns in flight and writing results")
	return nil
}

// stoppedFromPage reports whether the page stopped the run.
func (u *uiServer) stoppedFromPage() bool { return u != nil && u.stopped.Load() }

// finish tells the pages still open how the run ended.
func (u *uiServer) finish(sum *results.Summary, results []verdict.Result, o verdict.RenderOptions, dir string) {
	if u == nil {
		return
	}
	o.Color = false
	u.srv.Finish(dashboard.Final{
		Verdict:     sum.Verdict,
		Line:        strings.TrimSpace(verdict.VerdictLine(results, o)),
		Interrupted: sum.Interrupted,
		Results:     dir,
	})
}

// close stops the dashboard, giving the pages a moment to get the end.
func (u *uiServer) close() {
	if u == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = u.srv.Close(ctx)
}
