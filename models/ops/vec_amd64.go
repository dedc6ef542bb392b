package ops

import "golang.org/x/sys/cpu"

// AVX2 loops (vec_amd64.s) for the memory-bound float32 passes between GEMMs. Each takes a
// length that is a multiple of 8; the Go wrappers below finish the rest.

//go:noescape
func addConst32AVX2(dst, src *float32, n int, v float32)

//go:noescape
func add32AVX2(dst, src *float32, n int)

//go:noescape
func sum32AVX2(x *float32, n int) float32

//go:noescape
func relu32AVX2(dst, src *float32, n int)

//go:noescape
func reluGrad32AVX2(y, dy, dx *float32, n int)

// relu32Vec runs relu32AVX2 on the longest multiple of 8 of dst when the CPU has AVX2 and
// returns how many elements it did.
func relu32Vec(dst, src []float32) int {
	n := len(dst) &^ 7
	if n == 0 || !cpu.X86.HasAVX2 {
		return 0
	}
	relu32AVX2(&dst[0], &src[:n][0], n)
	return n
}

// reluGrad32Vec is relu32Vec for reluGrad32AVX2.
func reluGrad32Vec(y, dy, dx []float32) int {
	n := len(y) &^ 7
	if n == 0 || !cpu.X86.HasAVX2 {
		return 0
	}
	reluGrad32AVX2(&y[0], &dy[:n][0], &dx[:n][0], n)
	return n
}

// addConst32 sets dst[i] = src[i] + v (the same float32 additions as the plain loop).
func addConst32(dst, src []float32, v float32) {
	src = src[:len(dst)]
	i := 0
	if n := len(dst) &^ 7; n > 0 && cpu.X86.HasAVX2 {
		addConst32AVX2(&dst[0], &src[0], n, v)
		i = n
	}
	for ; i < len(dst); i++ {
		dst[i] = src[i] + v
	}
}

// add32 sets dst[i] += src[i] (the same float32 additions as the plain loop).
func add32(dst, src []float32) {
	dst = dst[:len(src)]
	i := 0
	if n := len(src) &^ 7; n > 0 && cpu.X86.HasAVX2 {
		add32AVX2(&dst[0], &src[0], n)
		i = n
	}
	for ; i < len(src); i++ {
		dst[i] += src[i]
	}
}

// sum32 returns Σ x[i], in 32 partial sums (an order of additions of its own, fixed for a given
// length, so the result is deterministic but not the plain loop's to the last bit).
func sum32(x []float32) float32 {
	var s float32
	i := 0
	if n := len(x) &^ 7; n > 0 && cpu.X86.HasAVX2 {
		s = sum32AVX2(&x[0], n)
		i = n
	}
	var t0, t1 float32
	for ; i+2 <= len(x); i += 2 {
		t0 += x[i]
		t1 += x[i+1]
	}
	if i < len(x) {
		t0 += x[i]
	}
	return s + (t0 + t1)
}
