#include "textflag.h"

// STORE4_NEXT stores Y0…Y3 to the 128 bytes at DI, moves SI and DI on by 128 bytes and counts
// 32 elements off CX: the end of addConst32AVX2's and add32AVX2's 32-element loops.
#define STORE4_NEXT \
	VMOVUPS Y0, (DI) \
	VMOVUPS Y1, 32(DI) \
	VMOVUPS Y2, 64(DI) \
	VMOVUPS Y3, 96(DI) \
	ADDQ $128, SI \
	ADDQ $128, DI \
	SUBQ $32, CX

// func addConst32AVX2(dst, src *float32, n int, v float32)
// dst[i] = src[i] + v for i < n; n is a multiple of 8.
TEXT ·addConst32AVX2(SB), NOSPLIT, $0-28
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS v+24(FP), Y15
	CMPQ CX, $32
	JLT eight

thirtytwo:
	VADDPS (SI), Y15, Y0
	VADDPS 32(SI), Y15, Y1
	VADDPS 64(SI), Y15, Y2
	VADDPS 96(SI), Y15, Y3
	STORE4_NEXT
	CMPQ CX, $32
	JGE thirtytwo

eight:
	TESTQ CX, CX
	JLE done
	VADDPS (SI), Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP eight

done:
	VZEROUPPER
	RET

// func add32AVX2(dst, src *float32, n int)
// dst[i] += src[i] for i < n; n is a multiple of 8.
TEXT ·add32AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	CMPQ CX, $32
	JLT eight

thirtytwo:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	VADDPS 64(SI), Y2, Y2
	VADDPS 96(SI), Y3, Y3
	STORE4_NEXT
	CMPQ CX, $32
	JGE thirtytwo

eight:
	TESTQ CX, CX
	JLE done
	VMOVUPS (DI), Y0
	VADDPS (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP eight

done:
	VZEROUPPER
	RET

// func sum32AVX2(x *float32, n int) float32
// The sum of x[:n], n a multiple of 8: 32 lanes of partial sums (lane i collects x[i], x[i+32],
// …; then x[i] of the last < 32 elements in eight lanes), added pairwise at the end.
TEXT ·sum32AVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ CX, $32
	JLT eight

thirtytwo:
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	VADDPS 64(SI), Y2, Y2
	VADDPS 96(SI), Y3, Y3
	ADDQ $128, SI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE thirtytwo

eight:
	TESTQ CX, CX
	JLE reduce
	VADDPS (SI), Y0, Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JMP eight

reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VMOVHLPS X0, X0, X1
	VADDPS X1, X0, X0
	VMOVSHDUP X0, X1
	VADDSS X1, X0, X0
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func relu32AVX2(dst, src *float32, n int)
// dst[i] = src[i] where src[i] > 0 or is NaN, else +0 (max(v, 0) in Go: NaN stays, −0 → +0);
// n is a multiple of 8.
TEXT ·relu32AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y15, Y15, Y15
	TESTQ CX, CX
	JLE rdone

rloop:
	VMOVUPS (SI), Y0
	VCMPPS $6, Y15, Y0, Y1 // !(v <= 0): v > 0 or NaN
	VANDPS Y0, Y1, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ rloop

rdone:
	VZEROUPPER
	RET

// func reluGrad32AVX2(y, dy, dx *float32, n int)
// dx[i] = dy[i] where y[i] > 0 (+Inf included, NaN not), else +0 (reluMask32); n is a
// multiple of 8.
TEXT ·reluGrad32AVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), SI
	MOVQ dy+8(FP), R8
	MOVQ dx+16(FP), DI
	MOVQ n+24(FP), CX
	VXORPS Y15, Y15, Y15
	TESTQ CX, CX
	JLE gdone

gloop:
	VMOVUPS (SI), Y0
	VCMPPS $14, Y15, Y0, Y1 // y > 0 (false for NaN)
	VANDPS (R8), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ gloop

gdone:
	VZEROUPPER
	RET
