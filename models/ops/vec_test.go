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
