package ops

import "golang.org/x/sys/cpu"

// gate32AVX2 is gate32 for n a multiple of 8, eight lanes at a time (gate_amd64.s): the same
// float32 operations in the same order (no FMA; the 2^(j/32) table read by VPERMPS), so the
// same bits as the scalar loop (NaN payloads aside: with two NaN operands x86 returns the
// first, and the scalar loop's operand order is the compiler's).
//
//go:noescape
func gate32AVX2(y, s, a, b *float32, n int)

// gatedBackward32AVX2 is gatedBackward's float32 loop for n a multiple of 8.
//
//go:noescape
func gatedBackward32AVX2(wrtB bool, y, dy, sig, out *float32, n int)

// gate32Vec runs gate32AVX2 on the longest multiple of 8 of the slices when the CPU has AVX2 and
// returns how many elements it did.
func gate32Vec(y, s, a, b []float32) int {
	n := len(y) &^ 7
	if n == 0 || !cpu.X86.HasAVX2 {
		return 0
	}
	gate32AVX2(&y[0], &s[:n][0], &a[:n][0], &b[:n][0], n)
	return n
}

// gatedBackward32Vec is gate32Vec for gatedBackward.
func gatedBackward32Vec(wrtB bool, y, dy, sig, out []float32) int {
	n := len(out) &^ 7
	if n == 0 || !cpu.X86.HasAVX2 {
		return 0
	}
	gatedBackward32AVX2(wrtB, &y[:n][0], &dy[:n][0], &sig[:n][0], &out[0], n)
	return n
}
