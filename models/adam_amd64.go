package models

import "golang.org/x/sys/cpu"

//go:noescape
func adam32AVX2(p, grad, m, v *float32, n int, b1, b2, c1, c2, step, inv, eps, decay float32, fg, fv uint32)

// adamVec runs adam32AVX2 on the longest multiple of 8 of p when the CPU has AVX2 and returns
// how many parameters it updated (adamRange's scalar loop does the rest).
func adamVec(p, g, m, v []float32, c *adamConsts, fg, fv uint32) int {
	n := len(p) &^ 7
	if n == 0 || !cpu.X86.HasAVX2 {
		return 0
	}
	adam32AVX2(&p[0], &g[:n][0], &m[:n][0], &v[:n][0], n, c.b1, c.b2, c.c1, c.c2, c.step, c.invSqrtBC2, c.eps, c.decay, fg, fv)
	return n
}

//go:noescape
func anyNonFinite32AVX2(x *float32, n int) bool

// anyNonFiniteVec reports whether the longest multiple of 8 of xs holds a NaN or ±Inf and how
// many elements it looked at, or false, 0 without AVX2.
func anyNonFiniteVec(xs []float32) (bad bool, done int) {
	n := len(xs) &^ 7
	if n == 0 || !cpu.X86.HasAVX2 {
		return false, 0
	}
	return anyNonFinite32AVX2(&xs[0], n), n
}
