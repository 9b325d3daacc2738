package metrics

import (
	"fmt"
	"reflect"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Mark is one reading of every cumulative figure of a Recorder, at a
// moment of the run: the Snapshot and, for each timed operation, its
// histogram. Two marks bound a window (Window).
type Mark struct {
	At     time.Duration // elapsed into the run
	snap   Snapshot
	timers map[string]timerMark
}

// Mark reads r now, elapsed into the run. Each timer is read as History
// reads it (its histogram and counts together), so a window's timings are
// those of exactly the operations recorded in it.
func (r *Recorder) Mark(elapsed time.Duration) Mark {
	m := Mark{At: elapsed, timers: make(map[string]timerMark, len(DistributionNames))}
	for name, t := range r.allTimers() {
		m.timers[name] = t.mark()
	}
	m.snap = r.Snapshot(elapsed)
	return m
}

// Window is what happened between two marks of one Recorder, from before
// to: a Snapshot of the operations and conversations that ended in the
// window (a conversation counts where it ended; started counts those that
// began in it), the timings of the operations recorded in it with
// percentiles from the difference of the histograms, its cost, and
// goodput over its length. Gauges (users, in_flight) are their values at
// its end. Elapsed is the window's length.
func Window(before, to Mark) Snapshot {
	s := to.snap
	diffInto(reflect.ValueOf(&s).Elem(), reflect.ValueOf(before.snap))
	s.Users = to.snap.Users
	s.Errors = minusErrors(to.snap.Errors, before.snap.Errors)
	s.Stream = to.snap.Stream.minus(before.snap.Stream)
	s.Conversations.derive()
	s.Conversations.InFlight = to.snap.Conversations.InFlight
	for name, c := range s.Personas {
		c.derive()
		c.derivePassK()
		c.InFlight = to.snap.Personas[name].InFlight
		s.Personas[name] = c
	}
	lats := s.latencies()
	for name, m := range to.timers {
		l, _ := intervalLatency(before.timers[name], m)
		l.Attempts = lats[name].Attempts // the difference diffInto took
		*lats[name] = l
	}
	s.SetElapsed(to.At - before.At)
	s.perSuccess()
	return s
}

// diffInto subtracts b from v, field by field: numbers, structs of them,
// and maps of numbers or structs (keys absent from b are kept). Maps are
// copied before they are written, so v shares nothing with the Snapshot it
// was copied from. Derived figures are recomputed by the caller.
func diffInto(v, b reflect.Value) {
	switch v.Kind() {
	case reflect.Int64, reflect.Int:
		v.SetInt(v.Int() - b.Int())
	case reflect.Float64:
		v.SetFloat(v.Float() - b.Float())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				diffInto(v.Field(i), b.Field(i))
			}
		}
	case reflect.Map:
		diffMap(v, b)
	}
}

func diffMap(v, b reflect.Value) {
	if v.IsNil() {
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), v.Len())
	iter := v.MapRange()
	for iter.Next() {
		e := reflect.New(v.Type().Elem()).Elem()
		e.Set(iter.Value())
		if e.Kind() == reflect.Map {
			e.Set(reflect.Zero(e.Type())) // derived (pass_k): recomputed
		} else if bv := b.MapIndex(iter.Key()); bv.IsValid() {
			diffInto(e, bv)
		}
		out.SetMapIndex(iter.Key(), e)
	}
	v.Set(out)
}

// minusErrors is the errors of a less those of b, the ones that did not
// happen in between left out.
func minusErrors(a, b []ErrorCount) []ErrorCount {
	was := make(map[errorKey]int64, len(b))
	for _, e := range b {
		was[errorKey{e.Kind, e.Message}] = e.Count
	}
	out := []ErrorCount{}
	for _, e := range a {
		if n := e.Count - was[errorKey{e.Kind, e.Message}]; n > 0 {
			out = append(out, ErrorCount{Kind: e.Kind, Message: e.Message, Count: n})
		}
	}
	sortErrors(out)
	return out
}

// minus is the streamed replies of s less those of o; TokensPerS is the
// mean of the replies rated in between.
func (s Stream) minus(o Stream) Stream {
	out := Stream{Replies: s.Replies - o.Replies, Incomplete: s.Incomplete - o.Incomplete,
		NoUsage: s.NoUsage - o.NoUsage, Chunks: s.Chunks - o.Chunks, Bytes: s.Bytes - o.Bytes, Rated: s.Rated - o.Rated}
	if out.Rated > 0 {
		out.TokensPerS = (s.TokensPerS*float64(s.Rated) - o.TokensPerS*float64(o.Rated)) / float64(out.Rated)
	}
	return out
}

// WindowPart is Window with its timings as Distributions too: what one
// segment's window carries in summary.json, so that a merge adds it to the
// same window of the other segments (Merge) and judges a windowed
// threshold on the whole run's window. A distribution's min and max are
// the window histogram's (within its precision), not exact.
func WindowPart(before, to Mark) (Part, error) {
	s := Window(before, to)
	lats := s.latencies()
	ds := make(map[string]Distribution, len(to.timers))
	for name, m := range to.timers {
		b := before.timers[name]
		h := hdrhistogram.Import(diffCounts(b.hist, m.hist))
		d := Distribution{Count: m.count - b.count, Failed: m.failed - b.failed, Censored: m.censored - b.censored,
			SumNS: m.sum - b.sum, Attempts: lats[name].Attempts}
		if h.TotalCount() > 0 {
			d.MinNS, d.MaxNS = int64(time.Duration(h.Min())*time.Microsecond), int64(time.Duration(h.Max())*time.Microsecond)
		}
		enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err != nil {
			return Part{}, fmt.Errorf("cannot export the %s distribution of a window: %w", name, err)
		}
		d.HDR = string(enc)
		ds[name] = d
	}
	return Part{Snapshot: s, Distributions: ds}, nil
}
