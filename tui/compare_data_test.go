package tui

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/logitlab/logitlab/lab"
)

func TestDownsample(t *testing.T) {
	t.Parallel()
	inf, nan := math.Inf(1), math.NaN()
	for _, tc := range []struct {
		name           string
		xs, ys, lo, hi []float64
		x0, x1         float64
		n              int
		want           columns // by hand from the formula in downsample's comment
	}{
		{"one point per column", []float64{0, 1, 2}, []float64{5, 6, 7}, []float64{4, 6, 7}, []float64{5, 9, 7}, 0, 3, 3,
			columns{[]float64{0, 1, 2}, []float64{5, 6, 7}, []float64{4, 6, 7}, []float64{5, 9, 7}}},
		{"pairs merge", []float64{0, 1, 2, 3}, []float64{1, 3, 5, 7}, []float64{0, 3, 5, 6}, []float64{1, 4, 5, 9}, 0, 4, 2,
			columns{[]float64{0.5, 2.5}, []float64{2, 6}, []float64{0, 5}, []float64{4, 9}}},
		{"last x goes to the last column", []float64{0, 10}, []float64{1, 2}, []float64{1, 2}, []float64{1, 2}, 0, 10, 5,
			columns{[]float64{0, 10}, []float64{1, 2}, []float64{1, 2}, []float64{1, 2}}},
		{"non-finite dropped or ignored", []float64{0, nan, 1, 2}, []float64{1, 2, inf, 3}, []float64{nan, 2, 2, -inf}, []float64{1, 2, 2, 4}, 0, 2, 1,
			columns{[]float64{1}, []float64{2}, []float64{1}, []float64{4}}},
		{"empty range: one column", []float64{3, 3}, []float64{1, 2}, []float64{1, 2}, []float64{1, 2}, 3, 3, 4,
			columns{[]float64{3}, []float64{1.5}, []float64{1}, []float64{2}}},
		{"nothing", nil, nil, nil, nil, 0, 1, 3, columns{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := downsample(tc.xs, tc.ys, tc.lo, tc.hi, tc.x0, tc.x1, tc.n)
			for _, p := range []struct {
				name      string
				got, want []float64
			}{{"xs", got.xs, tc.want.xs}, {"ys", got.ys, tc.want.ys}, {"lo", got.lo, tc.want.lo}, {"hi", got.hi, tc.want.hi}} {
				if !slices.EqualFunc(p.got, p.want, func(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }) {
					t.Errorf("%s = %v, want %v", p.name, p.got, p.want)
				}
			}
		})
	}
}

// TestRangeSeriesKeepsExtremes checks, against a brute-force pass over the raw values, that a
// capped range series keeps the true minimum and maximum of the raw values behind every stored
// point through many halvings, and that its points are those of a plain series.
func TestRangeSeriesKeepsExtremes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const limit, n = 16, 1000
	rs, plainS := newRangeSeries(limit), newSeries(limit)
	raw := make([]float64, n)
	for i := range raw {
		raw[i] = rng.NormFloat64()
		rs.add(float64(i), raw[i])
		plainS.add(float64(i), raw[i])
	}
	xs, ys := rs.points()
	pxs, pys := plainS.points()
	if !slices.Equal(xs, pxs) || !slices.Equal(ys, pys) {
		t.Fatal("a range series stores other points than a plain one")
	}
	lo, hi := rs.ranges()
	if len(lo) != len(xs) || len(hi) != len(xs) {
		t.Fatalf("%d points but %d/%d ranges", len(xs), len(lo), len(hi))
	}
	stride := rs.stride
	for i := range xs {
		chunk := raw[i*stride : min((i+1)*stride, n)]
		if lo[i] != slices.Min(chunk) || hi[i] != slices.Max(chunk) {
			t.Errorf("point %d: range [%v, %v], want [%v, %v]", i, lo[i], hi[i], slices.Min(chunk), slices.Max(chunk))
		}
	}
}

func TestBestKeepsRawExtremes(t *testing.T) {
	t.Parallel()
	s := newRunState(0.6)
	for i, v := range []float64{2, 0.5, math.NaN(), 0.7, 0.1, 3} {
		s.apply(stepLoss(int64(i+1), v))
	}
	for i, v := range []float64{0.5, 0.9, math.Inf(1), 0.8} {
		s.apply(evalAcc(int64(10*(i+1)), v))
	}
	if !s.best.hasLoss || s.best.loss != 0.1 || s.best.lossStep != 5 {
		t.Errorf("lowest loss %v at %d, want 0.1 at 5", s.best.loss, s.best.lossStep)
	}
	if !s.best.hasAcc || s.best.acc != 0.9 || s.best.accStep != 20 {
		t.Errorf("best acc %v at %d, want 0.9 at 20", s.best.acc, s.best.accStep)
	}
}

func stepLoss(step int64, v float64) lab.StepMetrics { return lab.StepMetrics{Step: step, Loss: v} }
func evalAcc(step int64, v float64) lab.EpochSummary { return lab.EpochSummary{Step: step, TestAcc: v} }
