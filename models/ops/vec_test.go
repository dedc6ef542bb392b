package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestVec32 checks the float32 vector loops against plain loops for every length 0…300 (whole
// 32-element blocks, 8-element blocks and tails) at unaligned offsets: addConst32 and add32 bit
// for bit, sum32 against a float64 sum within float32 rounding of the partial sums.
func TestVec32(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(61, 62))
	for n := 0; n <= 300; n++ {
		for _, off := range []int{0, 1, 3} {
			src := make([]float32, n+off)
			base := make([]float32, n+off)
			for i := range src {
				src[i] = float32(r.NormFloat64() * 100)
				base[i] = float32(r.NormFloat64())
			}
			v := float32(r.NormFloat64())
			s := src[off:]

			got := make([]float32, n)
			addConst32(got, s, v)
			for i := range got {
				if want := s[i] + v; math.Float32bits(got[i]) != math.Float32bits(want) {
					t.Fatalf("addConst32 n=%d off=%d: [%d] = %v, want %v", n, off, i, got[i], want)
				}
			}

			acc := append([]float32(nil), base[off:]...)
			add32(acc, s)
			for i := range acc {
				if want := base[off+i] + s[i]; math.Float32bits(acc[i]) != math.Float32bits(want) {
					t.Fatalf("add32 n=%d off=%d: [%d] = %v, want %v", n, off, i, acc[i], want)
				}
			}

			var want, mag float64
			for _, x := range s {
				want += float64(x)
				mag += math.Abs(float64(x))
			}
			if d := math.Abs(float64(sum32(s)) - want); d > 1e-6*mag+1e-30 {
				t.Fatalf("sum32 n=%d off=%d: %v, float64 sum %v (|Δ| %g, Σ|x| %g)", n, off, sum32(s), want, d, mag)
			}
		}
	}
	// NaN and Inf pass through the vector sum as through the plain one.
	x := make([]float32, 64)
	x[37] = float32(math.Inf(1))
	if s := sum32(x); !math.IsInf(float64(s), 1) {
		t.Fatalf("sum32 with one +Inf = %v", s)
	}
	x[5] = float32(math.NaN())
	if s := sum32(x); !math.IsNaN(float64(s)) {
		t.Fatalf("sum32 with a NaN = %v", s)
	}
}

// TestRelu32Vec checks the AVX2 ReLU and its gradient against the scalar forms bit for bit (a
// NaN only as a NaN: Go's max returns a NaN, not necessarily its argument's bits) on
// every special value (±0, ±Inf, NaNs of both signs, subnormals, ±MaxFloat32) and random
// normals, for lengths 0…40 (whole groups of eight and tails).
func TestRelu32Vec(t *testing.T) {
	t.Parallel()
	special := []float32{0, math.Float32frombits(0x80000000), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(0x7fc00000), math.Float32frombits(0xffc00000), math.Float32frombits(0x7f800001),
		math.Float32frombits(1), math.Float32frombits(0x80000001), math.MaxFloat32, -math.MaxFloat32, 1, -1}
	r := rand.New(rand.NewPCG(63, 64))
	for n := 0; n <= 40; n++ {
		for trial := 0; trial < 20; trial++ {
			x, dy := make([]float32, n), make([]float32, n)
			for i := range x {
				if r.IntN(2) == 0 {
					x[i] = special[r.IntN(len(special))]
				} else {
					x[i] = float32(r.NormFloat64())
				}
				dy[i] = float32(r.NormFloat64())
			}
			y, dx := make([]float32, n), make([]float32, n)
			relu(x, y)
			reluGrad32(x, dy, dx) // the gradient's mask read from x: every special value as y
			for i := range x {
				wantY := max(x[i], 0)
				wantDx := math.Float32frombits(math.Float32bits(dy[i]) & reluMask32(x[i]))
				sameY := math.Float32bits(y[i]) == math.Float32bits(wantY) || y[i] != y[i] && wantY != wantY
				if !sameY || math.Float32bits(dx[i]) != math.Float32bits(wantDx) {
					t.Fatalf("n=%d x=%v (bits %#x): relu %v (%#x), want %v; grad %v, want %v",
						n, x[i], math.Float32bits(x[i]), y[i], math.Float32bits(y[i]), wantY, dx[i], wantDx)
				}
			}
		}
	}
}
