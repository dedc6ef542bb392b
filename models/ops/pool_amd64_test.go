package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestMaxPoolPlaneAVX2 compares the AVX2 plane kernel with the scalar loop, bit for bit (values
// and argmax), on planes of every size from 2×2 to 21×21 (odd sizes drop their last row and
// column; 1…10 windows a row, so full groups of eight, tails and both) filled from a pool of
// special values: NaNs of both signs and several payloads, ±Inf, ±0, subnormals, repeats.
func TestMaxPoolPlaneAVX2(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2 on this CPU: the scalar loop is the only path")
	}
	t.Parallel()
	special := []float32{
		float32(math.Inf(-1)), float32(math.Inf(1)), -1, 1, 0.5, -0.5, 3,
		math.Float32frombits(0x80000000), 0, // −0, +0
		math.Float32frombits(0x00000001), math.Float32frombits(0x80000001), // ±smallest subnormal
		math.Float32frombits(0x7fc00000), math.Float32frombits(0xffc00000), // ±quiet NaN
		math.Float32frombits(0x7f800001), math.Float32frombits(0x7fffffff), // NaN payloads
		math.MaxFloat32, -math.MaxFloat32,
	}
	r := rand.New(rand.NewPCG(51, 52))
	for h := 2; h <= 21; h++ {
		for w := 2; w <= 21; w++ {
			p := poolGeom{n: 1, c: 3, h: h, w: w}
			// Room after the last plane for the kernel's over-read, so every plane takes it.
			x := make([]float32, p.c*h*w+32)
			for i := range x {
				if r.IntN(3) == 0 {
					x[i] = float32(r.NormFloat64())
				} else {
					x[i] = special[r.IntN(len(special))]
				}
			}
			ol := p.oh() * p.ow()
			for pl := 0; pl < p.c; pl++ {
				got, gotArg := make([]float32, ol), make([]int32, ol)
				want, wantArg := make([]float32, ol), make([]int32, ol)
				if !maxPoolPlaneFast(p, x, pl*h*w, got, gotArg) {
					t.Fatalf("%dx%d plane %d: the AVX2 kernel was not used", h, w, pl)
				}
				maxPoolPlane32(p, x[pl*h*w:][:h*w], want, wantArg)
				for i := range want {
					if gotArg[i] != wantArg[i] || math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%dx%d plane %d window %d: AVX2 %v (bits %#x) at %d, scalar %v (%#x) at %d",
							h, w, pl, i, got[i], math.Float32bits(got[i]), gotArg[i], want[i], math.Float32bits(want[i]), wantArg[i])
					}
				}
			}
		}
	}
}

// TestMaxPoolPlaneFastBounds checks that the kernel is refused when its over-read would leave x:
// the last plane of a tightly sized tensor falls back to the scalar loop.
func TestMaxPoolPlaneFastBounds(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	for _, tc := range []struct{ h, w int }{{14, 14}, {28, 28}, {7, 7}, {2, 2}} {
		t.Run(fmt.Sprintf("%dx%d", tc.h, tc.w), func(t *testing.T) {
			p := poolGeom{n: 1, c: 2, h: tc.h, w: tc.w}
			x := make([]float32, 2*tc.h*tc.w)
			ol := p.oh() * p.ow()
			y, arg := make([]float32, ol), make([]int32, ol)
			over := (2*p.oh()-1)*tc.w + 16*((p.ow()+7)/8) - tc.h*tc.w // floats read past the plane
			if got := maxPoolPlaneFast(p, x, tc.h*tc.w, y, arg); got != (over <= 0) {
				t.Fatalf("last plane (over-read %d floats): fast path %t", over, got)
			}
		})
	}
}
