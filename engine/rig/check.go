package rig

import (
	"fmt"

	"github.com/voyplan/voyplan/engine/fdlimit"
	"github.com/voyplan/voyplan/engine/plan"
	"github.com/voyplan/voyplan/engine/protocol"
	"github.com/voyplan/voyplan/engine/tunnel"
)

// Open files a run needs (an estimate): one socket per concurrent user at a
// time — its send, then the assistant's callback, never both at once — and
// a second one when the built-in simulator runs in this process, holding
// the other end; plus FDReserve for the idle connection pools, the log and
// the result files.
const FDReserve = 256

// Check reports what would stop a plan from running before anything
// starts: an ngrok tunnel without a token, or more concurrent users than
// the open-file limit allows (raising the soft limit first, where allowed).
func Check(p *plan.Plan) error {
	return check(p, false)
}

// check is Check; with a tunnel stand-in no token is needed.
func check(p *plan.Plan, standIn bool) error {
	if !standIn && needsTunnel(p) && p.Webhook.Authtoken == "" {
		return tunnel.ErrNoAuthtoken
	}
	return checkFiles(p)
}

func needsTunnel(p *plan.Plan) bool {
	return p.Webhook.Tunnel == "ngrok" && p.Webhook.PublicURL == "" && protocol.NeedsReceiver(p)
}

// checkFiles raises the open-file limit and fails when the plan's peak of
// concurrent users still needs more.
func checkFiles(p *plan.Plan) error {
	users := peakUsers(p)
	err := EnsureFiles(p, users)
	if err == nil {
		return nil
	}
	return fmt.Errorf("cannot run %d concurrent users: %w. Raise the limit (ulimit -n, or LimitNOFILE in a "+
		"systemd unit) up to the hard limit, or as root beyond it; run fewer users per process; "+
		"or, with the built-in simulator, serve it from its own process (voyplan sim) and target its url", users, err)
}

// EnsureFiles raises the open-file limit for users concurrent users of p
// and fails when the limit still allows fewer (fdlimit.Ensure's error).
func EnsureFiles(p *plan.Plan, users int) error {
	perUser := uint64(1)
	if p.Simulator != nil {
		perUser = 2
	}
	_, err := fdlimit.Ensure(uint64(users)*perUser + FDReserve)
	return err
}

// peakUsers is the most concurrent users the schedule plans at once; for
// open stages, the most conversations that can be in flight (max_users, or
// fewer when fewer arrive).
func peakUsers(p *plan.Plan) int { return p.Schedule().Peak() }

// receiverConns is the receiver's connection budget: half the open-file
// limit, enough for every concurrent user's callback plus FDReserve, and
// never more than the limit leaves once the reserve is kept. A flood of
// connections from outside (the receiver is public behind a tunnel) then
// meets the budget, not the process's file limit.
func receiverConns(p *plan.Plan) int {
	lim, err := fdlimit.Raise()
	if err != nil || lim.Soft == 0 {
		return 0 // the receiver's own default
	}
	soft := int(min(lim.Soft, 1<<30))
	return max(min(max(soft/2, peakUsers(p)+FDReserve), soft-FDReserve), 1)
}
