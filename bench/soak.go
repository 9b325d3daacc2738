package bench

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// SoakConfig sizes the soak run (make soak, issue 16): many conversations
// for a long time, to see that memory stays flat.
type SoakConfig struct {
	Users    int           // concurrent users, each repeating conversations
	Duration time.Duration // the stage
	Think    time.Duration // between a reply and the next message
	Delay    time.Duration // the simulator's reply delay
	WarmUp   time.Duration // RSS growth is measured from its end
}

// Soak is the soak run's figures.
type Soak struct {
	Users      int         `json:"users"`
	DurationS  float64     `json:"duration_s"`
	WarmUpS    float64     `json:"warm_up_s"`
	Turns      int64       `json:"turns"`
	TurnsPerS  float64     `json:"turns_per_s"`
	SendErrors int64       `json:"send_errors"`
	NoReply    int64       `json:"missing_replies"`
	Samples    []RSSSample `json:"rss"`
	// WarmMiB is the median RSS of the minute after the warm-up (or its
	// first tenth, if shorter), EndMiB the median of the run's last as
	// long; Growth is EndMiB / WarmMiB − 1.
	WarmMiB, EndMiB, PeakMiB float64
	Growth                   float64 `json:"growth"`
	CPUPerTurn               float64 `json:"cpu_us_per_turn"`
}

// RSSSample is the apply process's resident set at a moment of the run.
type RSSSample struct {
	AtS float64 `json:"at_s"`
	MiB float64 `json:"mib"`
}

// RunSoak runs c.Users users repeating conversations with think time for
// c.Duration, sampling voyplan's RSS every second.
func (e Env) RunSoak(ctx context.Context, c SoakConfig) (*Soak, error) {
	w := Workload{Name: "soak", Users: c.Users, SpawnRate: float64(c.Users) / 10, Duration: c.Duration,
		ThinkTime: c.Think, ReplyTimeout: 10 * time.Second, MaxTurns: ScriptTurns + 2}
	var (
		mu      sync.Mutex
		samples []RSSSample
		start   = time.Now()
	)
	sample := func(rss int64) {
		mu.Lock()
		defer mu.Unlock()
		samples = append(samples, RSSSample{AtS: time.Since(start).Seconds(), MiB: float64(rss) / (1 << 20)})
	}
	res, _, err := e.runSampled(ctx, w, []string{"--latency", c.Delay.String()}, sample)
	if err != nil {
		return nil, err
	}
	m := res.Summary.Metrics
	mu.Lock()
	defer mu.Unlock()
	s := &Soak{Users: c.Users, DurationS: res.Summary.DurationMS / 1000, WarmUpS: c.WarmUp.Seconds(), Turns: m.Conversations.Turns,
		SendErrors: m.Send.Failed, NoReply: m.Reply.Failed, Samples: samples, PeakMiB: float64(res.Usage.MaxRSS) / (1 << 20)}
	s.TurnsPerS = float64(s.Turns) / math.Max(s.DurationS, 1)
	s.CPUPerTurn = 1e6 * res.Usage.CPU().Seconds() / math.Max(float64(s.Turns), 1)
	window := min(time.Minute, c.Duration/10).Seconds()
	s.WarmMiB = medianRSS(samples, c.WarmUp.Seconds(), c.WarmUp.Seconds()+window)
	s.EndMiB = medianRSS(samples, c.Duration.Seconds()-window, c.Duration.Seconds())
	if s.WarmMiB > 0 {
		s.Growth = s.EndMiB/s.WarmMiB - 1
	}
	return s, nil
}

// medianRSS is the median of the samples taken from from to to seconds.
func medianRSS(samples []RSSSample, from, to float64) float64 {
	var in []float64
	for _, s := range samples {
		if s.AtS >= from && s.AtS < to {
			in = append(in, s.MiB)
		}
	}
	if len(in) == 0 {
		return 0
	}
	slices.Sort(in)
	return in[len(in)/2]
}
