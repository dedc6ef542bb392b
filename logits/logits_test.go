package logits

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func TestRow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                string
		z                   []float32
		m, g, c, o          float64 // closed forms
		pred                int
		confNearOneNotExact bool
	}{
		// softmax of (2, 1, 0): e²/(e²+e+1); gap 1; log-odds = −log(e⁻¹ + e⁻²).
		{"three classes", []float32{0, 2, 1}, 2, 1, 0.6652409557748219, -math.Log(math.Exp(-1) + math.Exp(-2)), 1, false},
		{"two equal maxima", []float32{3, 3, -1}, 3, 0, 1 / (2 + math.Exp(-4)), -math.Log(1 + math.Exp(-4)), 0, false},
		{"uniform", []float32{0.5, 0.5, 0.5, 0.5}, 0.5, 0, 0.25, -math.Log(3), 0, false},
		// A gap of 60: C rounds to 1 in float64, O = 60 − log 1 exactly.
		{"huge gap stays ordered", []float32{60, 0}, 60, 60, 1, 60, 0, true},
		{"negative logits", []float32{-5, -7}, -5, 2, 1 / (1 + math.Exp(-2)), 2, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, g, c, o, pred := Row(tc.z)
			if !near(m, tc.m, 1e-12) || !near(g, tc.g, 1e-12) || !near(c, tc.c, 1e-12) || !near(o, tc.o, 1e-12) || pred != tc.pred {
				t.Errorf("Row(%v) = M %v G %v C %v O %v pred %d; want %v %v %v %v %d", tc.z, m, g, c, o, pred, tc.m, tc.g, tc.c, tc.o, tc.pred)
			}
		})
	}
}

func TestComputeAndSummarize(t *testing.T) {
	t.Parallel()
	z := []float32{0, 2, 1, 5, 1, 1, -1, -1, 3}
	s := Compute(z, 3)
	if s.Len() != 3 || !slices.Equal(s.Pred, []int{1, 0, 2}) {
		t.Fatalf("Compute: %+v", s)
	}
	if !slices.Equal(s.Max, []float64{2, 5, 3}) || !slices.Equal(s.Gap, []float64{1, 4, 4}) {
		t.Errorf("M %v G %v, want [2 5 3] [1 4 4]", s.Max, s.Gap)
	}
	sum := Summarize(s)
	if sum.MeanMax != 10.0/3 || sum.MedianMax != 3 || sum.MeanGap != 3 || sum.MedianGap != 4 {
		t.Errorf("summary %+v", sum)
	}
	sub := s.Subset([]int{2, 0})
	if !slices.Equal(sub.Max, []float64{3, 2}) || !slices.Equal(sub.Pred, []int{2, 1}) {
		t.Errorf("Subset: %+v", sub)
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("Median even = %v, want 2.5", m)
	}
	if m, sd := MeanSD([]float64{2, 4, 4, 4, 5, 5, 7, 9}); m != 5 || !near(sd, 2.138089935299395, 1e-12) {
		t.Errorf("MeanSD = %v, %v; want 5, sqrt(32/7)", m, sd)
	}
	if !math.IsNaN(Mean(nil)) || !math.IsNaN(Median(nil)) {
		t.Error("empty mean/median not NaN")
	}
}

func TestRanks(t *testing.T) {
	t.Parallel()
	got := Ranks([]float64{10, 30, 20, 20, 5, 20})
	want := []float64{2, 6, 4, 4, 1, 4}
	if !slices.Equal(got, want) {
		t.Errorf("Ranks = %v, want %v", got, want)
	}
}

// bruteKendall is τ_b straight from its definition, O(n²).
func bruteKendall(a, b []float64) float64 {
	var nc, nd, ta, tb float64
	n := len(a)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			da, db := a[i]-a[j], b[i]-b[j]
			switch {
			case da == 0 && db == 0:
			case da == 0:
				ta++
			case db == 0:
				tb++
			case da*db > 0:
				nc++
			default:
				nd++
			}
		}
	}
	return (nc - nd) / math.Sqrt((nc+nd+ta)*(nc+nd+tb))
}

func TestCorrelations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name              string
		a, b              []float64
		spearman, kendall float64
	}{
		// scipy.stats.spearmanr docs example; τ_b from scipy.stats.kendalltau on the same data.
		{"scipy spearmanr example", []float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7}, 0.8207826816681233, 0.7378647873726218},
		// scipy.stats.kendalltau docs example (ties in both). ρ by hand: average ranks
		// (4.5, 2.5, 1, 4.5, 2.5) and (2.5, 4, 5, 2.5, 1) give Σdd = −5, Σd² = 9 and 9.5.
		{"scipy kendalltau example", []float64{12, 2, 1, 12, 2}, []float64{1, 4, 7, 1, 0}, -5 / math.Sqrt(85.5), -0.47140452079103173},
		{"identical", []float64{3, 1, 2}, []float64{3, 1, 2}, 1, 1},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1, -1},
		{"monotone transform", []float64{0.1, 5, 2, 9}, []float64{math.Exp(0.1), math.Exp(5), math.Exp(2), math.Exp(9)}, 1, 1},
		{"constant", []float64{1, 1, 1}, []float64{1, 2, 3}, math.NaN(), math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s := Spearman(tc.a, tc.b); !near(s, tc.spearman, 1e-12) {
				t.Errorf("Spearman = %.16g, want %.16g", s, tc.spearman)
			}
			if k := Kendall(tc.a, tc.b); !near(k, tc.kendall, 1e-12) {
				t.Errorf("Kendall = %.16g, want %.16g", k, tc.kendall)
			}
		})
	}
}

// TestKendallMatchesBruteForce: Knight's algorithm equals the O(n²) definition on random data
// with many ties.
func TestKendallMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		n := 2 + rng.IntN(200)
		a, b := make([]float64, n), make([]float64, n)
		levels := 1 + rng.IntN(8)
		for i := range a {
			a[i] = float64(rng.IntN(levels))
			b[i] = a[i]*float64(rng.IntN(3)-1) + float64(rng.IntN(levels))
		}
		got, want := Kendall(a, b), bruteKendall(a, b)
		if !near(got, want, 1e-12) {
			t.Fatalf("n=%d: Kendall %v, brute force %v", n, got, want)
		}
	}
}

func TestExtremes(t *testing.T) {
	t.Parallel()
	a := []float64{0.9, 0.1, 0.5, 0.5, 1.0}
	b := []float64{0.1, 0.9, 0.5, 0.4, 0.2}
	up, down := Extremes(a, b, 2)
	if !slices.Equal(up, []int{0, 4}) || !slices.Equal(down, []int{1, 2}) {
		t.Errorf("Extremes = %v, %v; want [0 4], [1 2]", up, down)
	}
	if up, _ := Extremes(a, b, 99); len(up) != 5 {
		t.Errorf("k capped: %d", len(up))
	}
}

func TestHistogram(t *testing.T) {
	t.Parallel()
	e := Edges(0, 4, 4)
	if !slices.Equal(e, []float64{0, 1, 2, 3, 4}) {
		t.Fatalf("Edges = %v", e)
	}
	for _, tc := range []struct {
		name string
		v    []float64
		want []int
	}{
		{"interior and edges", []float64{0, 0.5, 1, 2.5, 3.99, 4}, []int{2, 1, 1, 2}},
		{"outside clamps, NaN skipped", []float64{-3, 9, math.NaN()}, []int{1, 0, 0, 1}},
	} {
		if got := Histogram(e, tc.v); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Histogram = %v, want %v", tc.name, got, tc.want)
		}
	}
	if e := EdgesFor(2, []float64{1, math.Inf(1)}, []float64{3, math.NaN()}); !slices.Equal(e, []float64{1, 2, 3}) {
		t.Errorf("EdgesFor = %v, want [1 2 3]", e)
	}
	if e := EdgesFor(1, []float64{2}); !slices.Equal(e, []float64{1.5, 2.5}) {
		t.Errorf("EdgesFor single = %v", e)
	}
}
