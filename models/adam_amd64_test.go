package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestAdamAVX2 runs five Adam steps with the AVX2 loop and with the scalar loop from the same
// state (some moments just above their flush thresholds) and compares parameters and moments bit for bit (NaNs as NaNs). Gradients mix normals
// at several scales, values just above and below the flush threshold, ±0, and a NaN.
func TestAdamAVX2(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2 on this CPU: the scalar loop is the only path")
	}
	r := rand.New(rand.NewPCG(81, 82))
	const n = 4096
	p, m, v := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range p {
		p[i] = float32(r.NormFloat64())
	}
	// Some moments start just above their flush thresholds, where a tiny gradient that was
	// not flushed would still change their last bits.
	for i := 0; i < n; i += 7 {
		v[i] = 2e-34
	}
	for i := 0; i < n; i += 11 {
		m[i] = 2e-17
	}
	p2, m2, v2 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
	fg, fv := math.Float32bits(flushGrad), math.Float32bits(flushGrad*flushGrad)
	special := []float32{0, math.Float32frombits(0x80000000), flushGrad, -flushGrad, flushGrad * 0.99, flushGrad * 1.01, 1e-30, 1e10}
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b }
	for step := int64(1); step <= 5; step++ {
		g := make([]float32, n)
		for i := range g {
			switch r.IntN(5) {
			case 0:
				g[i] = special[r.IntN(len(special))]
			default:
				g[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(8)-6)))
			}
		}
		g[17] = float32(math.NaN())
		c := adamConsts{b1: 0.9, b2: 0.999, c1: 0.1, c2: 0.001, step: 1e-3 / float32(1-math.Pow(0.9, float64(step))),
			invSqrtBC2: float32(1 / math.Sqrt(1-math.Pow(0.999, float64(step)))), eps: 1e-8, decay: 1 - 1e-4}
		if got := adamVec(p, g, m, v, &c, fg, fv); got != n {
			t.Fatalf("adamVec updated %d of %d", got, n)
		}
		adamScalar(p2, g, m2, v2, &c, fg, fv)
		for i := range p {
			if !same(p[i], p2[i]) || !same(m[i], m2[i]) || !same(v[i], v2[i]) {
				t.Fatalf("step %d, g=%v: AVX2 p %v m %v v %v; scalar p %v m %v v %v", step, g[i], p[i], m[i], v[i], p2[i], m2[i], v2[i])
			}
		}
	}
}
