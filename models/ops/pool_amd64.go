package ops

import "golang.org/x/sys/cpu"

// maxPoolPlaneAVX2 is maxPoolForward32 for one plane in AVX2 (pool_amd64.s): eight windows at a
// time, each a few integer compares and blends on poolKey32's keys, so it picks the same element
// as the scalar loop, ties, signed zeros and NaNs included. It reads 16·⌈ow/8⌉ floats from the
// start of every row pair (up to 14 past the row's last window).
//
//go:noescape
func maxPoolPlaneAVX2(x, y *float32, arg *int32, oh, ow, w int)

// maxPoolPlaneFast runs maxPoolPlaneAVX2 on the plane at x[off:] when the CPU has AVX2 and the
// over-read of its last row pair stays inside x; it reports whether it did.
func maxPoolPlaneFast(p poolGeom, x []float32, off int, y []float32, arg []int32) bool {
	oh, ow := p.oh(), p.ow()
	if !cpu.X86.HasAVX2 || oh == 0 || ow == 0 {
		return false
	}
	if off+(2*oh-1)*p.w+16*((ow+7)/8) > len(x) {
		return false
	}
	maxPoolPlaneAVX2(&x[off], &y[0], &arg[0], oh, ow, p.w)
	return true
}
