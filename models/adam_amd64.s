#include "textflag.h"

// func adam32AVX2(p, grad, m, v *float32, n int, b1, b2, c1, c2, step, inv, eps, decay float32, fg, fv uint32)
//
// adamRange for n a multiple of 8, eight parameters at a time, with the scalar loop's float32
// operations in the same order (no FMA; VSQRTPS is correctly rounded like SQRTSS), so the same
// bits. tiny(x, lim) is (bits(x) & 0x7fffffff) < lim, an integer compare, as in the scalar loop.
TEXT ·adam32AVX2(SB), NOSPLIT, $0-80
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS b1+40(FP), Y15
	VBROADCASTSS b2+44(FP), Y14
	VBROADCASTSS c1+48(FP), Y13
	VBROADCASTSS c2+52(FP), Y12
	VBROADCASTSS step+56(FP), Y11
	VBROADCASTSS inv+60(FP), Y10
	VBROADCASTSS eps+64(FP), Y9
	VBROADCASTSS decay+68(FP), Y8
	VBROADCASTSS fg+72(FP), Y7
	VBROADCASTSS fv+76(FP), Y6
	MOVL $0x7fffffff, AX
	VMOVD AX, X5
	VPBROADCASTD X5, Y5
	TESTQ CX, CX
	JLE done

loop:
	VMOVUPS (SI), Y0          // g
	VPAND Y5, Y0, Y1
	VPCMPGTD Y1, Y7, Y1       // |g| < flushGrad
	VPANDN Y0, Y1, Y0         // g = 0 where tiny

	VMULPS (R8), Y15, Y1      // b1·m
	VMULPS Y0, Y13, Y2        // c1·g
	VADDPS Y2, Y1, Y1         // m' = b1·m + c1·g
	VPAND Y5, Y1, Y2
	VPCMPGTD Y2, Y7, Y2
	VPANDN Y1, Y2, Y1         // m' = 0 where tiny
	VMOVUPS Y1, (R8)

	VMULPS (R9), Y14, Y2      // b2·v
	VMULPS Y0, Y12, Y3        // c2·g
	VMULPS Y0, Y3, Y3         // c2·g·g
	VADDPS Y3, Y2, Y2         // v'
	VPAND Y5, Y2, Y3
	VPCMPGTD Y3, Y6, Y3       // v' < flushGrad²
	VPANDN Y2, Y3, Y2
	VMOVUPS Y2, (R9)

	VSQRTPS Y2, Y2
	VMULPS Y10, Y2, Y2        // √v'·inv
	VADDPS Y9, Y2, Y2         // den = √v'·inv + eps
	VMULPS Y1, Y11, Y1        // step·m'
	VDIVPS Y2, Y1, Y1         // step·m'/den
	VMULPS (DI), Y8, Y0       // p·decay
	VSUBPS Y1, Y0, Y0
	VMOVUPS Y0, (DI)

	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	SUBQ $8, CX
	JNZ loop

done:
	VZEROUPPER
	RET

// func anyNonFinite32AVX2(x *float32, n int) bool
// Whether any of x[:n] (n a multiple of 8) has all exponent bits set, that is is ±Inf or NaN:
// (bits & 0x7f800000) == 0x7f800000 in each lane, OR-ed over the slice, tested once at the end.
TEXT ·anyNonFinite32AVX2(SB), NOSPLIT, $0-17
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVL $0x7f800000, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	VPXOR Y0, Y0, Y0
	CMPQ CX, $32
	JLT neight

nloop:
	VPAND (SI), Y15, Y1
	VPAND 32(SI), Y15, Y2
	VPAND 64(SI), Y15, Y3
	VPAND 96(SI), Y15, Y4
	VPCMPEQD Y15, Y1, Y1
	VPCMPEQD Y15, Y2, Y2
	VPCMPEQD Y15, Y3, Y3
	VPCMPEQD Y15, Y4, Y4
	VPOR Y1, Y2, Y2
	VPOR Y3, Y4, Y4
	VPOR Y2, Y0, Y0
	VPOR Y4, Y0, Y0
	ADDQ $128, SI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE nloop

neight:
	TESTQ CX, CX
	JLE ntest
	VPAND (SI), Y15, Y1
	VPCMPEQD Y15, Y1, Y1
	VPOR Y1, Y0, Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JMP neight

ntest:
	VPTEST Y0, Y0
	SETNE ret+16(FP)
	VZEROUPPER
	RET
