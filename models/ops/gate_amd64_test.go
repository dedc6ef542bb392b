package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// gateTestValues draws n float32s: normals at scales from 1e-3 to 100 and special values (±0,
// ±Inf, NaNs of both signs, subnormals, the small-|a| threshold 0.004, the caps of 2a and −b).
func gateTestValues(r *rand.Rand, n int) []float32 {
	special := []float32{0, math.Float32frombits(0x80000000), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(0x7fc00000), math.Float32frombits(0xffc00001), math.Float32frombits(1),
		0.004, -0.004, math.Float32frombits(gateSmall32 - 1), math.Float32frombits(gateSmall32 + 1),
		20.75, -20.75, 41.5, -41.5, 43.7, -43.7, 44, -44, 88, -88, 1e30, -1e30}
	scales := []float64{1e-3, 1, 10, 100}
	v := make([]float32, n)
	for i := range v {
		if r.IntN(4) == 0 {
			v[i] = special[r.IntN(len(special))]
		} else {
			v[i] = float32(r.NormFloat64() * scales[r.IntN(len(scales))])
		}
	}
	return v
}

// TestGate32AVX2 checks the AVX2 gate and its backward against the scalar loops bit for bit
// (NaNs only as NaNs), over 200,000 elements of gateTestValues.
func TestGate32AVX2(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2 on this CPU: the scalar loops are the only path")
	}
	t.Parallel()
	r := rand.New(rand.NewPCG(71, 72))
	const n = 200_000
	a, b := gateTestValues(r, n), gateTestValues(r, n)
	y, s := make([]float32, n), make([]float32, n)
	wy, ws := make([]float32, n), make([]float32, n)
	if got := gate32Vec(y, s, a, b); got != n {
		t.Fatalf("gate32Vec did %d of %d elements", got, n)
	}
	gate32Scalar(wy, ws, a, b)
	// Bit for bit, except that a NaN equals any NaN: with two NaN operands x86 returns the
	// first, and which operand comes first in the scalar loop is the compiler's choice.
	same := func(x, y float32) bool {
		return math.Float32bits(x) == math.Float32bits(y) || x != x && y != y
	}
	for i := range y {
		if !same(y[i], wy[i]) || !same(s[i], ws[i]) {
			t.Fatalf("a=%v b=%v: AVX2 y=%v σ=%v, scalar y=%v σ=%v", a[i], b[i], y[i], s[i], wy[i], ws[i])
		}
	}
	dy := gateTestValues(r, n)
	for _, wrtB := range []bool{false, true} {
		out := make([]float32, n)
		if got := gatedBackward32Vec(wrtB, wy, dy, ws, out); got != n {
			t.Fatalf("gatedBackward32Vec did %d of %d elements", got, n)
		}
		for i := range out {
			var want float32
			switch {
			case wrtB:
				want = dy[i] * wy[i] * (1 - ws[i])
			case ws[i] != 0:
				want = dy[i] * (ws[i] - wy[i]*wy[i]/ws[i])
			}
			if !same(out[i], want) {
				t.Fatalf("wrtB=%t y=%v dy=%v σ=%v: AVX2 %v, scalar %v", wrtB, wy[i], dy[i], ws[i], out[i], want)
			}
		}
	}
}
