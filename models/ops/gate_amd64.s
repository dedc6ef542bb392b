#include "textflag.h"

// Constants of expScaled32 and gate32 (fastmath.go), each in eight float32 lanes.
#define CONST8(name, bits) \
	DATA name<>+0(SB)/4, $bits \
	DATA name<>+4(SB)/4, $bits \
	DATA name<>+8(SB)/4, $bits \
	DATA name<>+12(SB)/4, $bits \
	DATA name<>+16(SB)/4, $bits \
	DATA name<>+20(SB)/4, $bits \
	DATA name<>+24(SB)/4, $bits \
	DATA name<>+28(SB)/4, $bits \
	GLOBL name<>(SB), RODATA|NOPTR, $32

CONST8(gexplo, 0xc2aeac4f)   // expLo32 = −87.33654
CONST8(gcap, 0x42260000)     // gateCap32 = 41.5
CONST8(ginvl, 0x4238aa3b)    // 32/ln2
CONST8(ground, 0x4b400000)   // 1.5·2²³ (its bits are also the bias)
CONST8(gl1, 0x3cb17000)      // ln2/32, high part
CONST8(gl2, 0x3585fdf4)      // ln2/32, low part
CONST8(gone, 0x3f800000)     // 1
CONST8(ghalf, 0x3f000000)    // 0.5
CONST8(gc6, 0x3e2aaaab)      // 1/6
CONST8(gc3, 0x3eaaaaab)      // 1/3
CONST8(gtwo, 0x40000000)     // 2
CONST8(gneg1, 0xbf800000)    // −1
CONST8(gbig, 0x5d5e0b6b)     // 1e18
CONST8(gabs, 0x7fffffff)     // |x| mask
CONST8(gsmall, 0x3b83126f)   // 0.004

// 2^(j/32), j = 0…31 (exp2Table), as four tables of eight for VPERMPS.
DATA gtab<>+0(SB)/4, $0x3f800000
DATA gtab<>+4(SB)/4, $0x3f82cd87
DATA gtab<>+8(SB)/4, $0x3f85aac3
DATA gtab<>+12(SB)/4, $0x3f88980f
DATA gtab<>+16(SB)/4, $0x3f8b95c2
DATA gtab<>+20(SB)/4, $0x3f8ea43a
DATA gtab<>+24(SB)/4, $0x3f91c3d3
DATA gtab<>+28(SB)/4, $0x3f94f4f0
DATA gtab<>+32(SB)/4, $0x3f9837f0
DATA gtab<>+36(SB)/4, $0x3f9b8d3a
DATA gtab<>+40(SB)/4, $0x3f9ef532
DATA gtab<>+44(SB)/4, $0x3fa27043
DATA gtab<>+48(SB)/4, $0x3fa5fed7
DATA gtab<>+52(SB)/4, $0x3fa9a15b
DATA gtab<>+56(SB)/4, $0x3fad583f
DATA gtab<>+60(SB)/4, $0x3fb123f6
DATA gtab<>+64(SB)/4, $0x3fb504f3
DATA gtab<>+68(SB)/4, $0x3fb8fbaf
DATA gtab<>+72(SB)/4, $0x3fbd08a4
DATA gtab<>+76(SB)/4, $0x3fc12c4d
DATA gtab<>+80(SB)/4, $0x3fc5672a
DATA gtab<>+84(SB)/4, $0x3fc9b9be
DATA gtab<>+88(SB)/4, $0x3fce248c
DATA gtab<>+92(SB)/4, $0x3fd2a81e
DATA gtab<>+96(SB)/4, $0x3fd744fd
DATA gtab<>+100(SB)/4, $0x3fdbfbb8
DATA gtab<>+104(SB)/4, $0x3fe0ccdf
DATA gtab<>+108(SB)/4, $0x3fe5b907
DATA gtab<>+112(SB)/4, $0x3feac0c7
DATA gtab<>+116(SB)/4, $0x3fefe4ba
DATA gtab<>+120(SB)/4, $0x3ff5257d
DATA gtab<>+124(SB)/4, $0x3ffa83b3
GLOBL gtab<>(SB), RODATA|NOPTR, $128

// EXP sets OUT = e^min(max(V, expLo32), gateCap32), the operations of expScaled32 in the same
// order (no FMA, so every lane rounds as the scalar loop does); V and T0…T4 are clobbered.
#define EXP(V, OUT, T0, T1, T2, T3, T4) \
	VMAXPS V, Y15, V \
	VMINPS V, Y14, V \
	VMULPS ginvl<>(SB), V, T0 \
	VADDPS ground<>(SB), T0, T0 \
	VPSUBD ground<>(SB), T0, T1 \
	VSUBPS ground<>(SB), T0, T0 \
	VMULPS gl1<>(SB), T0, T2 \
	VSUBPS T2, V, T2 \
	VMULPS gl2<>(SB), T0, T0 \
	VSUBPS T0, T2, T2 \
	VMULPS gc6<>(SB), T2, T0 \
	VADDPS ghalf<>(SB), T0, T0 \
	VMULPS T2, T2, T3 \
	VMULPS T0, T3, T3 \
	VADDPS gone<>(SB), T2, T2 \
	VADDPS T3, T2, T2 \
	VPERMPS gtab<>+0(SB), T1, T0 \
	VPERMPS gtab<>+32(SB), T1, T3 \
	VPSLLD $28, T1, V \
	VBLENDVPS V, T3, T0, T0 \
	VPERMPS gtab<>+64(SB), T1, T3 \
	VPERMPS gtab<>+96(SB), T1, T4 \
	VBLENDVPS V, T4, T3, T3 \
	VPSLLD $27, T1, V \
	VBLENDVPS V, T3, T0, T0 \
	VPSRAD $5, T1, T1 \
	VPSLLD $23, T1, T1 \
	VPADDD T1, T0, T0 \
	VMULPS T0, T2, OUT

// func gate32AVX2(y, s, a, b *float32, n int)
// gate32 for n a multiple of 8: s = σ(b), y = tanh(a)·σ(b), lane by lane the same float32
// operations as the scalar loop, so the same bits.
TEXT ·gate32AVX2(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), DI
	MOVQ s+8(FP), DX
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), R8
	MOVQ n+32(FP), CX
	VMOVUPS gexplo<>(SB), Y15
	VMOVUPS gcap<>(SB), Y14
	VMOVUPS gbig<>(SB), Y12
	TESTQ CX, CX
	JLE done

loop:
	VMOVUPS (SI), Y13                // x = a
	VMULPS gtwo<>(SB), Y13, Y0       // 2a
	EXP(Y0, Y6, Y1, Y2, Y3, Y4, Y5)  // e = e^{2a}
	VMOVUPS (R8), Y0
	VMULPS gneg1<>(SB), Y0, Y0       // −b
	EXP(Y0, Y7, Y1, Y2, Y3, Y4, Y5)  // f = e^{−b}
	VMINPS Y6, Y12, Y6               // e capped at exactly 1e18
	VMINPS Y7, Y12, Y7
	VADDPS gone<>(SB), Y6, Y8        // e + 1
	VADDPS gone<>(SB), Y7, Y9        // 1 + f
	VMULPS Y9, Y8, Y9
	VMOVUPS gone<>(SB), Y10
	VDIVPS Y9, Y10, Y9               // q = 1/((e+1)(1+f))
	VMULPS Y9, Y8, Y8                // σ = (e+1)·q
	VMOVUPS Y8, (DX)
	VSUBPS gone<>(SB), Y6, Y6
	VMULPS Y9, Y6, Y6                // large = (e−1)·q
	VMULPS Y13, Y13, Y10
	VMULPS Y13, Y10, Y10
	VMULPS gc3<>(SB), Y10, Y10
	VSUBPS Y10, Y13, Y10
	VMULPS Y8, Y10, Y10              // small = (x − x³/3)·σ
	VPAND gabs<>(SB), Y13, Y11
	VMOVDQU gsmall<>(SB), Y9
	VPCMPGTD Y11, Y9, Y11            // |x| < 0.004
	VBLENDVPS Y11, Y10, Y6, Y6
	VMOVUPS Y6, (DI)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, DI
	ADDQ $32, DX
	SUBQ $8, CX
	JNZ loop

done:
	VZEROUPPER
	RET

// func gatedBackward32AVX2(wrtB bool, y, dy, sig, out *float32, n int)
// gatedBackward for n a multiple of 8: wrt b, out = dy·y·(1 − σ); wrt a, out = dy·(σ − y²/σ),
// or 0 where σ = 0.
TEXT ·gatedBackward32AVX2(SB), NOSPLIT, $0-48
	MOVBQZX wrtB+0(FP), AX
	MOVQ y+8(FP), SI
	MOVQ dy+16(FP), R8
	MOVQ sig+24(FP), R9
	MOVQ out+32(FP), DI
	MOVQ n+40(FP), CX
	VMOVUPS gone<>(SB), Y15
	VXORPS Y14, Y14, Y14
	TESTQ CX, CX
	JLE bdone
	TESTQ AX, AX
	JZ wrta

wrtb:
	VMOVUPS (R8), Y0
	VMULPS (SI), Y0, Y0              // dy·y
	VSUBPS (R9), Y15, Y1             // 1 − σ
	VMULPS Y1, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ wrtb
	JMP bdone

wrta:
	VMOVUPS (SI), Y0
	VMULPS Y0, Y0, Y0                // y²
	VMOVUPS (R9), Y1
	VDIVPS Y1, Y0, Y0                // y²/σ
	VSUBPS Y0, Y1, Y0                // σ − y²/σ
	VMOVUPS (R8), Y2
	VMULPS Y0, Y2, Y0                // dy·(σ − y²/σ)
	VCMPPS $0, Y14, Y1, Y1           // σ == 0 (ordered: a NaN σ is kept)
	VBLENDVPS Y1, Y14, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ wrta

bdone:
	VZEROUPPER
	RET
