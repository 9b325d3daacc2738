package verdict

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// RunResults is what Compare reads of one run: the metrics of its summary,
// and the timings of its conversations when conversations.jsonl is at hand
// (engine/results reads them).
type RunResults struct {
	Path string
	// Checks are the checks of the thresholds the run judged, from its
	// summary: what the default gate of a comparison reads.
	Checks  []string
	metrics flat
	// Samples is nil when the run's conversations.jsonl could not be found:
	// latency bounds then come from the summary alone (see Compare).
	Samples *Samples
}

// NewRunResults takes a run's summary.json as it is on disk and its
// samples (nil without conversations.jsonl); path names the run.
func NewRunResults(path string, summary []byte, samples *Samples) (*RunResults, error) {
	m, err := flattenMetrics(summary)
	if err != nil {
		return nil, err
	}
	var ths struct {
		Thresholds []struct {
			Check string `json:"check"`
		} `json:"thresholds"`
	}
	if err := json.Unmarshal(summary, &ths); err != nil {
		return nil, fmt.Errorf("invalid summary: %w", err)
	}
	r := &RunResults{Path: path, metrics: m, Samples: samples}
	for _, th := range ths.Thresholds {
		r.Checks = append(r.Checks, th.Check)
	}
	return r, nil
}

// CompareOptions tune Compare; the zero value is usable.
type CompareOptions struct {
	// MinEffect is how large a change beyond the noise must be to count
	// as a regression or an improvement; the zero value: any change
	// beyond the noise counts. DefaultMinEffect is what a user would pick.
	MinEffect MinEffect
	// Gate names the metrics whose regression fails the comparison
	// (Failing): a name gates the metric of that name and those under it
	// ("reply" gates reply.p95 and reply.avg). Nil gates every metric.
	Gate []string
	// Confidence of the noise bands; default 0.99. Many metrics are
	// compared at once, so the bands are wide on purpose: a gate that cries
	// wolf is soon ignored.
	Confidence float64
	// Resamples of the bootstrap; default 2000.
	Resamples int
	// Seed of the bootstrap, so the same runs always compare the same way;
	// default 1.
	Seed uint64
}

// MinEffect is the smallest change that matters: a timing must change by
// both Relative (of the base) and TimingMS, a rate (success or error, a
// fraction) by RatePoints.
type MinEffect struct {
	Relative   float64 // 0.10: 10 % of the base value (timings)
	TimingMS   float64 // 5: five milliseconds
	RatePoints float64 // 0.02: two percentage points
}

// DefaultMinEffect is 10 % and 5 ms for timings, 2 points for rates: a
// change below either does not block a release, however sure it is (two
// healthy runs of one plan differ by 0.3 ms in their send latency, beyond
// the noise of a few hundred loopback POSTs, and that is no regression).
func DefaultMinEffect() MinEffect { return MinEffect{Relative: 0.10, TimingMS: 5, RatePoints: 0.02} }

func (o CompareOptions) withDefaults() CompareOptions {
	if o.Confidence <= 0 || o.Confidence >= 1 {
		o.Confidence = 0.99
	}
	if o.Resamples <= 0 {
		o.Resamples = 2000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// Verdicts of a compared metric.
const (
	Regression = "regression" // worse by more than the noise
	Improved   = "improved"   // better by more than the noise
	Noise      = "noise"      // the change is within the noise
	NotJudged  = ""           // a figure with no better direction (counts, extremes)
	NoData     = "n/a"        // judged metric, but one run has nothing to judge
	TooFew     = "too few"    // a tail percentile with too few samples beyond it to judge
)

// minTail is how many samples must lie beyond a percentile, in each run,
// for the percentile to be judged: a bootstrap cannot see the noise of a
// p99 drawn from 150 samples (it is the second largest, and every resample
// picks among a handful of values), so a p99 needs 500 samples, a p95 100,
// a p90 50 and a median 10.
const minTail = 5

// Methods of the noise bands.
const (
	MethodNewcomb   = "newcomb"   // Newcomb's hybrid score interval on the counts
	MethodBootstrap = "bootstrap" // bootstrap over the conversations, their timings pooled
	MethodSummary   = "summary"   // from summary.json alone: conservative, see summaryBand
)

// Row is one metric of a comparison.
type Row struct {
	Metric    string  // as thresholds name it: reply.p95, personas.edman.success_rate
	Unit      string  // "ms", "usd" or "" (a count or a fraction)
	Base, New float64 // NaN when the run does not have the metric
	Change    float64 // (New − Base) / Base; ±Inf when Base is 0 and New is not
	Better    string  // "lower", "higher" or "" (not judged)
	Method    string  // how the noise band was found
	Low, High float64 // the band of New − Base at the chosen confidence
	// Verdict is Regression or Improved only for a change beyond the noise
	// and at least the minimum effect; Noise otherwise.
	Verdict string
	// Significant: the band lies on one side of zero. A significant change
	// below the minimum effect is still Noise.
	Significant bool
	// Gated: a regression of this metric fails the comparison.
	Gated bool
	rate  bool // a rate (MinEffect.RatePoints), not a timing
}

// Idle reports whether the metric is 0 (or absent) in both runs.
func (r Row) Idle() bool {
	zero := func(v float64) bool { return v == 0 || math.IsNaN(v) }
	return zero(r.Base) && zero(r.New)
}

// Comparison is every metric of two runs, side by side.
type Comparison struct {
	Base, New  string
	Confidence float64
	MinEffect  MinEffect
	Gate       []string // nil: every metric
	Rows       []Row
}

// Regressions returns the rows marked as regressions, gated or not.
func (c *Comparison) Regressions() []Row {
	return c.filter(func(r Row) bool { return r.Verdict == Regression })
}

// Improvements returns the rows marked as improved.
func (c *Comparison) Improvements() []Row {
	return c.filter(func(r Row) bool { return r.Verdict == Improved })
}

// WithinNoise returns the judged rows whose value changed, but by no more
// than the noise or the minimum effect.
func (c *Comparison) WithinNoise() []Row {
	return c.filter(func(r Row) bool { return r.Verdict == Noise && r.Change != 0 })
}

// Failing returns the regressions of gated metrics: what fails the
// comparison.
func (c *Comparison) Failing() []Row {
	return c.filter(func(r Row) bool { return r.Verdict == Regression && r.Gated })
}

func (c *Comparison) filter(keep func(Row) bool) []Row {
	var out []Row
	for _, r := range c.Rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// Compare puts every metric of two runs side by side and judges the ones
// with a better direction: success rates and error rates (from the counts,
// by Newcomb's interval) and latency averages and percentiles (by a
// bootstrap over the conversations' timings; from the summaries alone when
// a run has no conversations.jsonl). A change is a regression only when the
// whole band of New − Base lies on the worse side of zero.
func Compare(base, next *RunResults, o CompareOptions) *Comparison {
	o = o.withDefaults()
	c := &Comparison{Base: base.Path, New: next.Path, Confidence: o.Confidence, MinEffect: o.MinEffect, Gate: o.Gate}
	j := judge{base: base, next: next, z: zFor(o.Confidence), o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x766f79706c616e))}
	for _, key := range unionKeys(base.metrics, next.metrics) {
		c.Rows = append(c.Rows, j.row(key))
	}
	return c
}

// judge compares one metric at a time.
type judge struct {
	base, next *RunResults
	z          float64
	o          CompareOptions
	rng        *rand.Rand
	boot       map[string]*bootBands // timer → its bands, computed once
}

// bootBands are a timer's bootstrap bands: the mean's and the
// percentiles'; ok is false when a run has no timing for it.
type bootBands struct {
	mean      interval
	quantiles map[string]interval
	ok        bool
}

// percentiles are the quantiles summary.json carries, by field.
func percentiles() ([]string, []float64) {
	return []string{"p50", "p90", "p95", "p99"}, []float64{0.50, 0.90, 0.95, 0.99}
}

func (j *judge) row(k leafKey) Row {
	b, bok := j.base.metrics.values[k]
	n, nok := j.next.metrics.values[k]
	r := Row{Metric: k.String(), Unit: unitOf(k, j.base.metrics, j.next.metrics), Base: nan(b, bok), New: nan(n, nok)}
	r.Change = relChange(r.Base, r.New)
	r.Gated = gated(r.Metric, j.o.Gate)
	rule := ruleOf(k, j.base.metrics, j.next.metrics)
	if rule == nil {
		return r
	}
	r.Better, r.rate = rule.better, rule.rate
	if !j.enoughTail(k) {
		r.Verdict = TooFew
		return r
	}
	band, method, ok := rule.band(j, k)
	if !ok || !bok || !nok {
		if !r.Idle() { // nothing happened in either run: nothing to judge
			r.Verdict = NoData
		}
		return r
	}
	r.Method, r.Low, r.High = method, band.lo, band.hi
	j.decide(&r)
	return r
}

// enoughTail reports whether a percentile has minTail timed samples beyond
// it in both runs; other metrics always do.
func (j *judge) enoughTail(k leafKey) bool {
	names, qs := percentiles()
	i := slices.Index(names, k.field)
	if i < 0 || !isLatency(j.base.metrics, k.parent) || !isLatency(j.next.metrics, k.parent) {
		return true
	}
	for _, f := range []flat{j.base.metrics, j.next.metrics} {
		o := f.objects[k.parent]
		if n := o["count"] - o["failed"]; n > 0 && n*(1-qs[i]) < minTail {
			return false
		}
	}
	return true
}

// decide sets the verdict from the band and the minimum effect: a
// regression (an improvement) only when the whole band is on the worse
// (better) side of zero and the change is at least the minimum effect.
func (j *judge) decide(r *Row) {
	worse, better := r.Low > 0, r.High < 0 // for "lower is better"
	if r.Better == "higher" {
		worse, better = r.High < 0, r.Low > 0
	}
	r.Significant = worse || better
	switch {
	case !r.Significant || !j.o.MinEffect.clears(*r):
		r.Verdict = Noise
	case worse:
		r.Verdict = Regression
	default:
		r.Verdict = Improved
	}
}

// clears reports whether r's change is at least the minimum effect.
func (m MinEffect) clears(r Row) bool {
	d := math.Abs(r.New - r.Base)
	if r.rate {
		return d >= m.RatePoints
	}
	return d >= m.TimingMS && (math.IsInf(r.Change, 0) || math.Abs(r.Change) >= m.Relative)
}

// gated reports whether metric is named by the gate (nil: every metric),
// itself or under one of its names.
func gated(metric string, gate []string) bool {
	if gate == nil {
		return true
	}
	for _, g := range gate {
		if metric == g || strings.HasPrefix(metric, g+".") {
			return true
		}
	}
	return false
}

// rule is how a metric is judged.
type rule struct {
	better string
	rate   bool // a fraction, its minimum effect in points
	band   func(j *judge, k leafKey) (interval, string, bool)
}

// ruleOf recognises the metrics with a better direction by the shape of
// the object holding them, so the per-persona figures and timers added in
// later versions are judged too.
func ruleOf(k leafKey, a, b flat) *rule {
	switch {
	case isLatency(a, k.parent) && isLatency(b, k.parent):
		switch k.field {
		case "error_rate":
			return &rule{better: "lower", rate: true, band: (*judge).errorRateBand}
		case "avg", "p50", "p90", "p95", "p99":
			return &rule{better: "lower", band: (*judge).latencyBand}
		}
	case isConversations(a, k.parent) && isConversations(b, k.parent) && k.field == "success_rate":
		return &rule{better: "higher", rate: true, band: (*judge).successBand}
	}
	return nil
}

func isLatency(f flat, parent string) bool {
	o := f.objects[parent]
	return has(o, "count", "failed", "error_rate", "p50", "p95")
}

func isConversations(f flat, parent string) bool {
	return has(f.objects[parent], "succeeded", "failed", "abandoned", "success_rate")
}

func has(o map[string]float64, keys ...string) bool {
	for _, k := range keys {
		if _, ok := o[k]; !ok {
			return false
		}
	}
	return len(keys) > 0
}

func (j *judge) successBand(k leafKey) (interval, string, bool) {
	a, b := j.base.metrics.objects[k.parent], j.next.metrics.objects[k.parent]
	n1 := int64(a["succeeded"] + a["failed"] + a["abandoned"])
	n2 := int64(b["succeeded"] + b["failed"] + b["abandoned"])
	if n1 == 0 || n2 == 0 {
		return interval{}, "", false
	}
	return newcomb(int64(a["succeeded"]), n1, int64(b["succeeded"]), n2, j.z), MethodNewcomb, true
}

func (j *judge) errorRateBand(k leafKey) (interval, string, bool) {
	a, b := j.base.metrics.objects[k.parent], j.next.metrics.objects[k.parent]
	if a["count"] == 0 || b["count"] == 0 {
		return interval{}, "", false
	}
	return newcomb(int64(a["failed"]), int64(a["count"]), int64(b["failed"]), int64(b["count"]), j.z), MethodNewcomb, true
}

// latencyBand bootstraps over the conversations of both runs when both
// have their conversations.jsonl, and falls back on the summaries
// otherwise.
func (j *judge) latencyBand(k leafKey) (interval, string, bool) {
	if j.base.Samples == nil || j.next.Samples == nil {
		return j.summaryBand(k)
	}
	b := j.bands(k.parent)
	if !b.ok {
		return interval{}, "", false
	}
	if k.field == "avg" {
		return b.mean, MethodBootstrap, true
	}
	return b.quantiles[k.field], MethodBootstrap, true
}

// bands bootstraps a timer once for all its statistics.
func (j *judge) bands(timer string) *bootBands {
	if b, ok := j.boot[timer]; ok {
		return b
	}
	names, qs := percentiles()
	a := newClustered(j.base.Samples.timings[timer], j.base.Samples.Conversations)
	n := newClustered(j.next.Samples.timings[timer], j.next.Samples.Conversations)
	mean, quant, ok := clusterBootstrap(a, n, qs, j.o.Confidence, j.o.Resamples, j.rng)
	b := &bootBands{mean: mean, quantiles: map[string]interval{}, ok: ok}
	for i, q := range quant {
		b.quantiles[names[i]] = q
	}
	if j.boot == nil {
		j.boot = map[string]*bootBands{}
	}
	j.boot[timer] = b
	return b
}

// summaryBand is the conservative rule for runs compared by their
// summaries alone: the standard error of each run's percentile from the
// asymptotic variance of a sample quantile, its density read off the
// neighbouring percentiles (ladder.quantileSE), and the band widened by
// half again because that density is coarse.
func (j *judge) summaryBand(k leafKey) (interval, string, bool) {
	a, b := ladderOf(j.base.metrics.objects[k.parent]), ladderOf(j.next.metrics.objects[k.parent])
	if a.n == 0 || b.n == 0 {
		return interval{}, "", false
	}
	var sa, sb, d float64
	switch k.field {
	case "avg":
		sa, sb, d = a.meanSE(), b.meanSE(), b.mean-a.mean
	default:
		names, qs := percentiles()
		p := qs[slices.Index(names, k.field)]
		sa, sb = a.quantileSE(p), b.quantileSE(p)
		d = j.next.metrics.objects[k.parent][k.field] - j.base.metrics.objects[k.parent][k.field]
	}
	half := 1.5 * j.z * math.Hypot(sa, sb)
	return interval{d - half, d + half}, MethodSummary, true
}

func ladderOf(o map[string]float64) ladder {
	return ladder{
		n:   int64(o["count"] - o["failed"]),
		min: o["min"], p50: o["p50"], p90: o["p90"], p95: o["p95"], p99: o["p99"], max: o["max"], mean: o["avg"],
	}
}

func unitOf(k leafKey, a, b flat) string {
	switch {
	case (isLatency(a, k.parent) || isLatency(b, k.parent)) && strings.Contains(" min avg p50 p90 p95 p99 max ", " "+k.field+" "):
		return "ms"
	case k.parent == "cost" && k.field == "usd":
		return "usd"
	}
	return ""
}

func nan(v float64, ok bool) float64 {
	if !ok {
		return math.NaN()
	}
	return v
}

// relChange is (n − b) / b: 0 when both are 0, ±Inf from a zero base.
func relChange(b, n float64) float64 {
	switch {
	case math.IsNaN(b) || math.IsNaN(n):
		return math.NaN()
	case b == n:
		return 0
	case b == 0:
		return math.Copysign(math.Inf(1), n)
	}
	return (n - b) / math.Abs(b)
}

// leafKey names one number in summary.json's metrics: the object holding
// it (a dotted path, "" at the top) and its field.
type leafKey struct{ parent, field string }

func (k leafKey) String() string {
	if k.parent == "" {
		return k.field
	}
	return k.parent + "." + k.field
}

// flat is summary.json's metrics flattened to numbers, in file order.
type flat struct {
	order   []leafKey
	values  map[leafKey]float64
	objects map[string]map[string]float64 // parent → field → value
}

// flattenMetrics reads the numbers under "metrics" in a summary, keeping
// their order (the order of the Snapshot's fields).
func flattenMetrics(raw []byte) (flat, error) {
	var top struct {
		Metrics json.RawMessage `json:"metrics"`
	}
	f := flat{values: map[leafKey]float64{}, objects: map[string]map[string]float64{}}
	if err := json.Unmarshal(raw, &top); err != nil {
		return f, fmt.Errorf("invalid summary: %w", err)
	}
	if len(top.Metrics) == 0 {
		return f, errors.New("the summary has no metrics")
	}
	dec := json.NewDecoder(bytes.NewReader(top.Metrics))
	dec.UseNumber()
	return f, f.walk(dec, "", "")
}

func (f *flat) walk(dec *json.Decoder, parent, field string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("invalid metrics: %w", err)
	}
	path := leafKey{parent, field}.String()
	switch t := tok.(type) {
	case json.Delim:
		return f.walkContainer(dec, t, path)
	case json.Number:
		v, err := strconv.ParseFloat(t.String(), 64)
		if err != nil {
			return err
		}
		f.add(leafKey{parent, field}, v)
	}
	return nil
}

func (f *flat) walkContainer(dec *json.Decoder, d json.Delim, path string) error {
	for i := 0; dec.More(); i++ {
		name := strconv.Itoa(i)
		if d == '{' {
			tok, err := dec.Token()
			if err != nil {
				return fmt.Errorf("invalid metrics: %w", err)
			}
			name = tok.(string)
		}
		if err := f.walk(dec, path, name); err != nil {
			return err
		}
	}
	_, err := dec.Token() // the closing delimiter
	return err
}

func (f *flat) add(k leafKey, v float64) {
	if _, dup := f.values[k]; !dup {
		f.order = append(f.order, k)
	}
	f.values[k] = v
	if f.objects[k.parent] == nil {
		f.objects[k.parent] = map[string]float64{}
	}
	f.objects[k.parent][k.field] = v
}

// unionKeys is a's metrics in a's order, then those only b has.
func unionKeys(a, b flat) []leafKey {
	out := append([]leafKey(nil), a.order...)
	for _, k := range b.order {
		if _, ok := a.values[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}
