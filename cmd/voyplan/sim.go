package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/voyplan/voyplan/engine/fdlimit"
	"github.com/voyplan/voyplan/engine/sim"
)

func (a *app) simCmd() *cobra.Command {
	var (
		listen string
		o      sim.Options
	)
	cmd := a.newCommand("sim [flags]", "serve the built-in Voyager-compatible simulator", exactArgs(0),
		func([]string) error { return a.sim(&listen, o) })
	fs := cmd.Flags()
	fs.StringVar(&listen, "listen", "127.0.0.1:8000", "address to listen on")
	fs.DurationVar(&o.Latency, "latency", 0, "delay before each reply is delivered")
	fs.DurationVar(&o.Jitter, "jitter", 0, "uniform extra delay up to this much")
	fs.StringVar(&o.PaymentDomain, "payment-domain", "smarttalks.ai", "payment links are https://pay.<domain>/<id>")
	fs.IntVar(&o.ImageEvery, "image-every", 3, "attach a park image to every n-th reply (0: never)")
	fs.IntVar(&o.SplitEvery, "split-every", 0, "deliver every n-th reply as two callbacks (0: never)")
	fs.Float64Var(&o.FailRate, "fail-rate", 0, "fraction of sends answered with --fail-status")
	fs.IntVar(&o.FailStatus, "fail-status", 500, "HTTP status of failed sends (500 or 503)")
	fs.Float64Var(&o.DropRate, "drop-rate", 0, "fraction of replies never delivered")
	fs.Float64Var(&o.DuplicateRate, "duplicate-rate", 0, "fraction of replies delivered twice")
	fs.Float64Var(&o.LateRate, "late-rate", 0, "fraction of replies delayed by --late-delay")
	fs.DurationVar(&o.LateDelay, "late-delay", 0, "extra delay of late replies")
	fs.Float64Var(&o.MalformedRate, "malformed-rate", 0, "fraction of callbacks with a body that is not JSON")
	fs.Float64Var(&o.CrosstalkRate, "crosstalk-rate", 0, "fraction of replies that also carry another conversation's name or payment link")
	fs.DurationVar(&o.SlowPost, "slow-post", 0, "how long each send takes before it is answered")
	fs.Uint64Var(&o.Seed, "seed", 0, "seed for fault draws and payment ids (0: random)")
	fs.DurationVar(&o.FirstChunk, "first-chunk", 0, "streamed replies: time to the first chunk with text")
	fs.DurationVar(&o.ChunkInterval, "chunk-interval", 0, "streamed replies: time between chunks")
	fs.IntVar(&o.ChunkSize, "chunk-size", 24, "streamed replies: characters of text per chunk")
	fs.IntVar(&o.StallEvery, "stall-every", 0, "streamed replies: every n-th chunk waits --stall (0: never)")
	fs.DurationVar(&o.Stall, "stall", 0, "streamed replies: how long a stalled chunk waits")
	fs.Float64Var(&o.CutRate, "cut-rate", 0, "fraction of streams cut half way, without their end marker")
	fs.Float64Var(&o.CloseRate, "close-rate", 0, "WebSocket: fraction of replies whose connection is closed half way (1011)")
	return cmd
}

// sim serves the built-in simulator until interrupted.
func (a *app) sim(listen *string, o sim.Options) error {
	// Thousands of conversations hold thousands of sockets: take the most
	// the system allows (the limit in force is printed below).
	lim, err := fdlimit.Raise()
	if err != nil {
		return withCode(exitError, err)
	}
	s, err := sim.Listen(*listen, o)
	if err != nil {
		return withCode(exitError, fmt.Errorf("cannot start the simulator on %s: %w", *listen, err))
	}
	defer s.Close()
	fmt.Fprintf(a.stdout, "simulator listening: %s\n(open-file limit %d; Ctrl-C to stop)\n", s.URL(), lim.Soft)
	fmt.Fprintf(a.stdout, "also serving: %s%s (OpenAI-compatible, stream or not), %s%s (SSE), %s%s (WebSocket)\n",
		s.BaseURL(), sim.CompletionsPath, s.BaseURL(), sim.SSEPath, strings.Replace(s.BaseURL(), "http", "ws", 1), sim.WebSocketPath)
	sig, stop := a.notify()
	defer stop()
	<-sig
	st := s.Stats()
	fmt.Fprintf(a.stdout, "\nstopped: %d messages received, %d replies delivered, %d payment links sent, %d callbacks failed\n",
		st.Received, st.Delivered, st.Completed, st.DeliveryErrors)
	return nil
}
