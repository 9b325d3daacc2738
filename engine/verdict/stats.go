package verdict

import (
	"math"
	"math/rand/v2"
	"sort"
)

// interval is a confidence interval for new − base.
type interval struct{ lo, hi float64 }

func (i interval) contains(x float64) bool { return i.lo <= x && x <= i.hi }

// zFor is the two-sided standard normal quantile for a confidence level
// (0.95 → 1.96, 0.99 → 2.576).
func zFor(confidence float64) float64 {
	return math.Sqrt2 * math.Erfinv(confidence)
}

// wilson is the Wilson score interval of a proportion k/n.
func wilson(k, n int64, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	nf, p := float64(n), float64(k)/float64(n)
	den := 1 + z*z/nf
	center := (p + z*z/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return max(center-half, 0), min(center+half, 1)
}

// newcomb is Newcomb's hybrid score interval (his method 10) for the
// difference of two independent proportions k2/n2 − k1/n1: it combines
// the Wilson intervals of each, keeps its coverage with small counts and
// proportions near 0 or 1, and never leaves [−1, 1].
func newcomb(k1, n1, k2, n2 int64, z float64) interval {
	p1, p2 := float64(k1)/float64(n1), float64(k2)/float64(n2)
	l1, u1 := wilson(k1, n1, z)
	l2, u2 := wilson(k2, n2, z)
	d := p2 - p1
	return interval{
		lo: d - math.Sqrt((p2-l2)*(p2-l2)+(u1-p1)*(u1-p1)),
		hi: d + math.Sqrt((u2-p2)*(u2-p2)+(p1-l1)*(p1-l1)),
	}
}

// clustered is one run's timings of one metric, ready for a bootstrap
// that resamples whole conversations: the turns of one conversation share
// its customer, its assistant state and the moment of the run, so they are
// not independent, and resampling turns one by one would make the noise
// look smaller than it is.
type clustered struct {
	sorted   []timing  // by ms
	clusters int       // conversations the weights are drawn over
	sum      []float64 // per conversation: the sum of its timings
	count    []float64 // and how many there are
}

func newClustered(ts []timing, conversations int) *clustered {
	c := &clustered{sorted: append([]timing(nil), ts...), clusters: conversations,
		sum: make([]float64, conversations), count: make([]float64, conversations)}
	sort.Slice(c.sorted, func(i, j int) bool { return c.sorted[i].ms < c.sorted[j].ms })
	for _, t := range ts {
		c.sum[t.conv] += t.ms
		c.count[t.conv]++
	}
	return c
}

// draw fills w with a bootstrap resample of the conversations: w[i] is how
// often conversation i is drawn in `clusters` draws with replacement.
func (c *clustered) draw(w []float64, rng *rand.Rand) {
	clear(w)
	for range c.clusters {
		w[rng.IntN(c.clusters)]++
	}
}

// stats computes, for the resample weighted by w, the mean and the
// nearest-rank quantiles qs (ascending) in one pass over the sorted
// timings; ok is false when the drawn conversations hold no timing.
func (c *clustered) stats(w []float64, qs []float64, out []float64) (ok bool) {
	var total, sum float64
	for i, n := range c.count {
		total += w[i] * n
		sum += w[i] * c.sum[i]
	}
	if total == 0 {
		return false
	}
	out[0] = sum / total
	next, acc := 0, 0.0
	for _, t := range c.sorted {
		acc += w[t.conv]
		for next < len(qs) && acc >= math.Ceil(qs[next]*total) {
			out[1+next] = t.ms
			next++
		}
		if next == len(qs) {
			break
		}
	}
	return true
}

// clusterBootstrap returns the percentile-bootstrap intervals of
// new − base for the mean and each quantile in qs (ascending), resampling
// the conversations of each run independently; ok is false when either run
// has no timing.
func clusterBootstrap(a, b *clustered, qs []float64, confidence float64, resamples int, rng *rand.Rand) (mean interval, quantiles []interval, ok bool) {
	if len(a.sorted) == 0 || len(b.sorted) == 0 {
		return interval{}, nil, false
	}
	diffs := make([][]float64, 1+len(qs))
	wa, wb := make([]float64, a.clusters), make([]float64, b.clusters)
	sa, sb := make([]float64, 1+len(qs)), make([]float64, 1+len(qs))
	for range resamples {
		a.draw(wa, rng)
		b.draw(wb, rng)
		if !a.stats(wa, qs, sa) || !b.stats(wb, qs, sb) {
			continue // every drawn conversation was untimed: no statistic
		}
		for i := range diffs {
			diffs[i] = append(diffs[i], sb[i]-sa[i])
		}
	}
	if len(diffs[0]) < resamples/2 {
		return interval{}, nil, false
	}
	alpha := (1 - confidence) / 2
	bands := make([]interval, len(diffs))
	for i, d := range diffs {
		sort.Float64s(d)
		bands[i] = interval{lo: Quantile(d, alpha), hi: Quantile(d, 1-alpha)}
	}
	return bands[0], bands[1:], true
}

// ladder is what summary.json knows of a distribution: its percentiles.
type ladder struct {
	n                                  int64
	min, p50, p90, p95, p99, max, mean float64
}

// quantileSE is the standard error of a sample p-quantile from a summary
// alone, when no samples are at hand: the asymptotic sqrt(p(1−p)/n)/f(q),
// with the density f at the quantile estimated from the two neighbouring
// points the summary holds (min, p50, p90, p95, p99, max).
func (l ladder) quantileSE(p float64) float64 {
	if l.n <= 0 {
		return math.Inf(1)
	}
	ps := []float64{0, 0.5, 0.9, 0.95, 0.99, 1}
	qs := []float64{l.min, l.p50, l.p90, l.p95, l.p99, l.max}
	i := sort.SearchFloat64s(ps, p)
	if i <= 0 || i >= len(ps)-1 {
		return math.Inf(1)
	}
	spread := (qs[i+1] - qs[i-1]) / (ps[i+1] - ps[i-1]) // 1/f
	return math.Sqrt(p*(1-p)/float64(l.n)) * spread
}

// meanSE is the standard error of the mean from a summary alone, the
// standard deviation estimated as if the body of the distribution were
// normal, from whichever of p90 and p99 gives the wider spread.
func (l ladder) meanSE() float64 {
	if l.n <= 0 {
		return math.Inf(1)
	}
	sd := max((l.p90-l.p50)/1.2816, (l.p99-l.p50)/2.3263)
	return sd / math.Sqrt(float64(l.n))
}
