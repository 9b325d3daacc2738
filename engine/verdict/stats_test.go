package verdict

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f; want %.4f ± %g", name, got, want, tol)
	}
}

func TestZFor(t *testing.T) {
	t.Parallel()
	near(t, "z(0.95)", zFor(0.95), 1.95996, 1e-4)
	near(t, "z(0.99)", zFor(0.99), 2.57583, 1e-4)
}

// TestWilsonAndNewcomb checks the intervals against the worked examples of
// Newcomb (1998), "Interval estimation for the difference between
// independent proportions", Statistics in Medicine 17:873–890, table II,
// method 10.
func TestWilsonAndNewcomb(t *testing.T) {
	t.Parallel()
	z := zFor(0.95)
	lo, hi := wilson(0, 10, z)
	near(t, "wilson 0/10 lo", lo, 0, 1e-9)
	near(t, "wilson 0/10 hi", hi, 0.2775, 1e-4)
	lo, hi = wilson(81, 263, z)
	near(t, "wilson 81/263 lo", lo, 0.2553, 1e-4)
	near(t, "wilson 81/263 hi", hi, 0.3662, 1e-4)

	tests := []struct {
		k1, n1, k2, n2 int64
		lo, hi         float64
	}{
		{48, 80, 56, 70, 0.0524, 0.3339}, // 56/70 − 48/80
		{3, 10, 9, 10, 0.1705, 0.8090},   // 9/10 − 3/10
		{0, 29, 5, 56, -0.0381, 0.1926},  // 5/56 − 0/29
		{0, 20, 0, 10, -0.1611, 0.2775},  // 0/10 − 0/20
		{0, 10, 0, 10, -0.2775, 0.2775},  // 0/10 − 0/10
	}
	for _, tt := range tests {
		got := newcomb(tt.k1, tt.n1, tt.k2, tt.n2, z)
		near(t, "newcomb lo", got.lo, tt.lo, 1e-4)
		near(t, "newcomb hi", got.hi, tt.hi, 1e-4)
	}
}

// TestClusteredStatsMatchThePooledResample checks the one-pass weighted
// statistics against the plain way: copy each drawn conversation's timings
// as often as it was drawn, sort, take nearest ranks.
func TestClusteredStatsMatchThePooledResample(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	const convs = 30
	var ts []timing
	for c := range convs {
		for range 1 + rng.IntN(15) {
			ts = append(ts, timing{ms: 100 + 50*rng.ExpFloat64(), conv: int32(c)})
		}
	}
	cl := newClustered(ts, convs+2) // two conversations without timings
	qs := []float64{0.5, 0.9, 0.95, 0.99}
	w := make([]float64, cl.clusters)
	got := make([]float64, 1+len(qs))
	for range 50 {
		cl.draw(w, rng)
		var pooled []float64
		for _, tm := range ts {
			for range int(w[tm.conv]) {
				pooled = append(pooled, tm.ms)
			}
		}
		if !cl.stats(w, qs, got) {
			if len(pooled) != 0 {
				t.Fatal("stats gave up on a resample with timings")
			}
			continue
		}
		sort.Float64s(pooled)
		var sum float64
		for _, v := range pooled {
			sum += v
		}
		near(t, "mean", got[0], sum/float64(len(pooled)), 1e-9)
		for i, q := range qs {
			near(t, "quantile", got[1+i], Quantile(pooled, q), 0)
		}
	}
}

// TestClusterBootstrapSeesCorrelatedTurns: when the turns of a
// conversation move together, the conversations, not the turns, are the
// independent draws, and the band must be wider than a turn-by-turn
// bootstrap of the same numbers would say.
func TestClusterBootstrapSeesCorrelatedTurns(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) []timing {
		rng := rand.New(rand.NewPCG(seed, 3))
		var ts []timing
		for c := range 20 {
			slow := math.Exp(0.4 * rng.NormFloat64()) // the conversation's own pace
			for range 12 {
				ts = append(ts, timing{ms: 200 * slow * math.Exp(0.1*rng.NormFloat64()), conv: int32(c)})
			}
		}
		return ts
	}
	perTurn := func(ts []timing) []timing {
		out := append([]timing(nil), ts...)
		for i := range out {
			out[i].conv = int32(i)
		}
		return out
	}
	a, b := run(1), run(2)
	qs := []float64{0.5}
	rng := rand.New(rand.NewPCG(1, 1))
	mc, qc, ok1 := clusterBootstrap(newClustered(a, 20), newClustered(b, 20), qs, 0.95, 2000, rng)
	mi, qi, ok2 := clusterBootstrap(newClustered(perTurn(a), len(a)), newClustered(perTurn(b), len(b)), qs, 0.95, 2000, rng)
	if !ok1 || !ok2 {
		t.Fatal("no band")
	}
	if w, wi := mc.hi-mc.lo, mi.hi-mi.lo; w < 2*wi {
		t.Errorf("mean: conversation band %.1f not much wider than the turn band %.1f", w, wi)
	}
	if w, wi := qc[0].hi-qc[0].lo, qi[0].hi-qi[0].lo; w < 1.5*wi {
		t.Errorf("p50: conversation band %.1f not much wider than the turn band %.1f", w, wi)
	}
}

func TestClusterBootstrapNeedsTimings(t *testing.T) {
	t.Parallel()
	a := newClustered([]timing{{ms: 1, conv: 0}}, 1)
	if _, _, ok := clusterBootstrap(a, newClustered(nil, 3), []float64{0.5}, 0.95, 100, rand.New(rand.NewPCG(1, 1))); ok {
		t.Error("a run without timings gave a band")
	}
}

func TestLadderStandardErrors(t *testing.T) {
	t.Parallel()
	l := ladder{n: 400, min: 100, p50: 200, p90: 300, p95: 350, p99: 500, max: 900, mean: 210}
	// p95: sqrt(.95·.05/400) · (500 − 300)/(0.99 − 0.90)
	near(t, "p95 se", l.quantileSE(0.95), math.Sqrt(0.95*0.05/400)*200/0.09, 1e-9)
	near(t, "p50 se", l.quantileSE(0.5), math.Sqrt(0.25/400)*(300-100)/0.9, 1e-9)
	near(t, "mean se", l.meanSE(), (300.0/2.3263)/20, 1e-9)
	if !math.IsInf((ladder{}).quantileSE(0.5), 1) {
		t.Error("no samples must give an infinite standard error")
	}
}
