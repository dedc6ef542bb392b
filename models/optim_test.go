package models

import (
	"math"
	"testing"
)

// TestOptimizerSteps applies two steps, g = 0.5 then −0.25, to a parameter starting at 1 (and
// g = 0 to a second one starting at −2), and compares with values worked out by hand from the
// update rules in optimizer.update:
//
//	adam lr 0.1, β 0.9/0.999, ε 1e-8: m1 = 0.05, v1 = 2.5e-4, m̂ = 0.5, √v̂ = 0.5 → p1 = 0.9 (+2e-9);
//	  m2 = 0.02, v2 = 3.1225e-4, m̂ = 0.02/0.19, v̂ = 3.1225e-4/0.001999 → p2 = 0.8733663
//	adamw λ 0.1: each step first multiplies p by 1 − 0.01 → p1 = 0.89, p2 = 0.8544663
//	sgd lr 0.1, μ 0.9, λ 0.01: g' = 0.51, m = 0.51, p1 = 0.949;
//	  g' = −0.25 + 0.00949, m = 0.459 − 0.24051 = 0.21849, p2 = 0.927151
func TestOptimizerSteps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		spec       OptimSpec
		want1      float64
		want2      float64
		wantOther2 float64 // second parameter (g = 0) after two steps
	}{
		{"adam", OptimSpec{Name: OptimAdam, LR: 0.1}, 0.9000000019999999, 0.8733662987078462, -2},
		{"adamw", OptimSpec{Name: OptimAdam, LR: 0.1, WeightDecay: 0.1}, 0.8900000019999998, 0.8544662986878462, -2 * 0.99 * 0.99},
		{"sgd", OptimSpec{Name: OptimSGD, LR: 0.1, WeightDecay: 0.01}, 0.949, 0.927151,
			// g' = λp: −0.02, m = −0.02, p = −1.998; g' = −0.01998, m = −0.03798, p = −1.994202
			-1.994202},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec := tc.spec.WithDefaults()
			o := newOptimizer(spec, []int{2})
			p := []float32{1, -2}
			o.update(0, p, []float32{0.5, 0}, spec.LR, 1)
			if math.Abs(float64(p[0])-tc.want1) > 1e-6 {
				t.Errorf("after step 1: p = %v, want %v", p[0], tc.want1)
			}
			o.update(0, p, []float32{-0.25, 0}, spec.LR, 2)
			if math.Abs(float64(p[0])-tc.want2) > 1e-6 || math.Abs(float64(p[1])-tc.wantOther2) > 1e-6 {
				t.Errorf("after step 2: p = %v, want [%v %v]", p, tc.want2, tc.wantOther2)
			}
		})
	}
}

func TestUint64Chunks(t *testing.T) {
	t.Parallel()
	for _, u := range []uint64{0, 1, 1<<24 + 1, math.Float64bits(1e-3), math.Float64bits(0.1), math.MaxUint64} {
		got, err := decodeUint64(encodeUint64(u))
		if err != nil || got != u {
			t.Errorf("round trip of %#x: %#x, %v", u, got, err)
		}
	}
	for _, bad := range [][]float32{{1, 2, 3}, {0, 0, 0, 0.5}, {0, 0, 0, 65536}, {-1, 0, 0, 0}, {float32(math.NaN()), 0, 0, 0}} {
		if _, err := decodeUint64(bad); err == nil {
			t.Errorf("decodeUint64(%v) succeeded", bad)
		}
	}
}

// TestFirstNonFinite: the first NaN or ±Inf, wherever it falls (the fast path sums x·0 in four
// chains, and large slices are split over goroutines), and -1 for finite values, including the
// largest float32.
func TestFirstNonFinite(t *testing.T) {
	t.Parallel()
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	big := func(n int, bad map[int]float32) []float32 {
		xs := make([]float32, n)
		for i := range xs {
			xs[i] = float32(i%7) - 3
		}
		for i, v := range bad {
			xs[i] = v
		}
		return xs
	}
	for _, tc := range []struct {
		name string
		xs   []float32
		want int
	}{
		{"empty", nil, -1},
		{"finite", []float32{1, -2, 0, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32}, -1},
		{"nan first", []float32{nan, 1}, 0},
		{"+inf in tail", []float32{1, 2, 3, 4, 5, inf}, 5},
		{"-inf", []float32{1, -inf, 3}, 1},
		{"finite, 8-lane blocks", big(72, map[int]float32{9: math.MaxFloat32, 40: -math.MaxFloat32}), -1},
		{"nan in a 32-lane block", big(37, map[int]float32{12: nan}), 12},
		{"nan in the 8-lane block after them", big(45, map[int]float32{35: nan}), 35},
		{"inf in the second 32-lane block", big(70, map[int]float32{33: -inf, 66: nan}), 33},
		{"large finite", big(100003, nil), -1},
		{"large, two bad", big(100003, map[int]float32{99999: nan, 70001: -inf}), 70001},
		{"large, bad in first chunk and last", big(100003, map[int]float32{3: inf, 100002: nan}), 3},
	} {
		if got := firstNonFinite(tc.xs); got != tc.want {
			t.Errorf("%s: firstNonFinite = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestUpdateSplitInvariant: updating a parameter large enough to be split over goroutines
// gives bit for bit what element-by-element updates give.
func TestUpdateSplitInvariant(t *testing.T) {
	t.Parallel()
	for _, name := range []string{OptimAdam, OptimSGD} {
		spec := OptimSpec{Name: name, WeightDecay: 0.01}.WithDefaults()
		const n = 3*minParallel + 5
		whole, single := newOptimizer(spec, []int{n}), newOptimizer(spec, []int{1})
		p, q := make([]float32, n), make([]float32, n)
		g := make([]float32, n)
		for i := range p {
			p[i] = float32(i%11) * 0.1
			q[i] = p[i]
			g[i] = float32(i%5) - 2
		}
		for step := int64(1); step <= 2; step++ {
			whole.update(0, p, g, spec.LR, step)
		}
		for i := range q { // the same element alone, with fresh state
			single.m[0][0] = 0
			if single.v != nil {
				single.v[0][0] = 0
			}
			for step := int64(1); step <= 2; step++ {
				single.update(0, q[i:i+1], g[i:i+1], spec.LR, step)
			}
		}
		for i := range p {
			if math.Float32bits(p[i]) != math.Float32bits(q[i]) {
				t.Fatalf("%s: element %d: split update %v, alone %v", name, i, p[i], q[i])
			}
		}
	}
}

// TestOptimizerFlushesSubnormals: a gradient that becomes 0 for good (m decays as β1ᵗ or μᵗ)
// and gradients whose squares underflow leave no subnormal float32 in the state or the
// parameters (subnormal arithmetic is ~60× slower), and the flushed values change the
// parameters by less than the documented bound.
func TestOptimizerFlushesSubnormals(t *testing.T) {
	t.Parallel()
	subnormal := func(x float32) bool { return x != 0 && math.Abs(float64(x)) < 0x1p-126 }
	for _, name := range []string{OptimAdam, OptimSGD} {
		spec := OptimSpec{Name: name}.WithDefaults()
		o := newOptimizer(spec, []int{3})
		p := []float32{0.5, -0.25, 1}
		o.update(0, p, []float32{1e-3, -1e-3, 1e-21}, spec.LR, 1) // third: g² underflows
		start := append([]float32(nil), p...)
		for step := int64(2); step <= 3000; step++ {
			o.update(0, p, []float32{0, 0, 1e-40}, spec.LR, step) // a subnormal gradient, too
			for _, st := range o.v {
				for _, x := range st {
					if subnormal(x) {
						t.Fatalf("%s step %d: subnormal v %v", name, step, x)
					}
				}
			}
			for _, x := range append(append([]float32(nil), o.m[0]...), p...) {
				if subnormal(x) {
					t.Fatalf("%s step %d: subnormal m or p %v", name, step, x)
				}
			}
		}
		if o.m[0][0] != 0 || o.m[0][2] != 0 {
			t.Errorf("%s: after 3000 steps with g = 0, m = %v, want flushed to 0", name, o.m[0])
		}
		// The third parameter saw only gradients below the flush thresholds: Adam leaves it
		// unchanged, SGD's momentum never exceeded 1e-21.
		if d := math.Abs(float64(p[2] - start[2])); d > 1e-12 {
			t.Errorf("%s: parameter with negligible gradients moved by %v", name, d)
		}
	}
}
