#include "textflag.h"

// Window offsets 2j of the eight windows of a group, in the order VSHUFPS leaves them
// (windows 0, 1, 4, 5 | 2, 3, 6, 7), and the lane numbers 0…7 for the tail mask.
DATA poolofs<>+0(SB)/4, $0
DATA poolofs<>+4(SB)/4, $2
DATA poolofs<>+8(SB)/4, $8
DATA poolofs<>+12(SB)/4, $10
DATA poolofs<>+16(SB)/4, $4
DATA poolofs<>+20(SB)/4, $6
DATA poolofs<>+24(SB)/4, $12
DATA poolofs<>+28(SB)/4, $14
GLOBL poolofs<>(SB), RODATA|NOPTR, $32

DATA poollane<>+0(SB)/4, $0
DATA poollane<>+4(SB)/4, $1
DATA poollane<>+8(SB)/4, $2
DATA poollane<>+12(SB)/4, $3
DATA poollane<>+16(SB)/4, $4
DATA poollane<>+20(SB)/4, $5
DATA poollane<>+24(SB)/4, $6
DATA poollane<>+28(SB)/4, $7
GLOBL poollane<>(SB), RODATA|NOPTR, $32

// KEY turns the float32 lanes of V into poolKey32 keys in K, using T0 and T1:
// mag = bits & 0x7fffffff (Y15), s = bits >> 31, k = (mag ^ s) − s, NaN (mag > 0x7f800000, Y14)
// → 0x7fffffff.
#define KEY(V, K, T0, T1) \
	VPAND   Y15, V, T0   \
	VPSRAD  $31, V, T1   \
	VPXOR   T1, T0, K    \
	VPSUBD  T1, K, K     \
	VPSUBD  T0, Y14, T1  \
	VPSRAD  $31, T1, T1  \
	VPBLENDVB T1, Y15, K, K

// func maxPoolPlaneAVX2(x, y *float32, arg *int32, oh, ow, w int)
//
// One plane of maxPoolForward32: for every output row i < oh and column j < ow, y[i·ow+j] is the
// first maximum (row-major, by poolKey32) of x[2i·w+2j], x[2i·w+2j+1], x[(2i+1)·w+2j],
// x[(2i+1)·w+2j+1], and arg[i·ow+j] its index in the plane. Eight windows per group; the last
// group of a row stores only its ow mod 8 windows but reads all 16 floats of both rows, so the
// caller guarantees 16·⌈ow/8⌉ floats readable from the start of every row pair.
TEXT ·maxPoolPlaneAVX2(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ arg+16(FP), DX
	MOVQ oh+24(FP), R8
	MOVQ ow+32(FP), R9
	MOVQ w+40(FP), R10

	MOVL $0x7fffffff, AX
	VMOVQ AX, X15
	VPBROADCASTD X15, Y15
	MOVL $0x7f800000, AX
	VMOVQ AX, X14
	VPBROADCASTD X14, Y14
	MOVL $16, AX
	VMOVQ AX, X12
	VPBROADCASTD X12, Y12
	VMOVQ R10, X11
	VPBROADCASTD X11, Y11 // w
	MOVL $1, AX
	VMOVQ AX, X10
	VPBROADCASTD X10, Y10

	XORQ R11, R11 // 2i·w, the plane index of row pair i
	LEAQ (R10*4), R12 // w·4: bytes from the top row to the bottom row
	TESTQ R8, R8
	JLE done

row:
	LEAQ (SI)(R11*4), R13 // top row of the pair
	VMOVQ R11, X13
	VPBROADCASTD X13, Y13
	VPADDD poolofs<>(SB), Y13, Y13 // indices 2i·w + 2j of this group's windows
	MOVQ R9, CX // windows left in this row

group:
	VMOVUPS (R13), Y0
	VMOVUPS 32(R13), Y1
	VSHUFPS $0x88, Y1, Y0, Y2 // a: top-left
	VSHUFPS $0xDD, Y1, Y0, Y3 // b: top-right
	KEY(Y2, Y4, Y0, Y1)
	KEY(Y3, Y5, Y0, Y1)
	VPCMPGTD Y4, Y5, Y6       // b > a
	VPBLENDVB Y6, Y5, Y4, Y4  // top key
	VPBLENDVB Y6, Y3, Y2, Y2  // top value
	VPAND Y10, Y6, Y6         // top offset: 0 or 1

	VMOVUPS (R13)(R12*1), Y0
	VMOVUPS 32(R13)(R12*1), Y1
	VSHUFPS $0x88, Y1, Y0, Y3 // c: bottom-left
	VSHUFPS $0xDD, Y1, Y0, Y5 // d: bottom-right
	KEY(Y3, Y7, Y0, Y1)
	KEY(Y5, Y8, Y0, Y1)
	VPCMPGTD Y7, Y8, Y9       // d > c
	VPBLENDVB Y9, Y8, Y7, Y7  // bottom key
	VPBLENDVB Y9, Y5, Y3, Y3  // bottom value
	VPAND Y10, Y9, Y9
	VPADDD Y11, Y9, Y9        // bottom offset: w or w+1

	VPCMPGTD Y4, Y7, Y0       // bottom > top (strictly: the top wins ties)
	VPBLENDVB Y0, Y3, Y2, Y2  // value
	VPBLENDVB Y0, Y9, Y6, Y6  // offset
	VPADDD Y13, Y6, Y6        // index
	VPERMQ $0xD8, Y2, Y2      // back to windows 0…7
	VPERMQ $0xD8, Y6, Y6

	CMPQ CX, $8
	JLT tail
	VMOVUPS Y2, (DI)
	VMOVDQU Y6, (DX)
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $64, R13
	VPADDD Y12, Y13, Y13
	SUBQ $8, CX
	JNZ group
	JMP nextrow

tail: // 1…7 windows: store lanes < CX
	VMOVQ CX, X1
	VPBROADCASTD X1, Y1
	VMOVDQU poollane<>(SB), Y0
	VPCMPGTD Y0, Y1, Y1 // CX > lane
	VMASKMOVPS Y2, Y1, (DI)
	VPMASKMOVD Y6, Y1, (DX)
	LEAQ (DI)(CX*4), DI
	LEAQ (DX)(CX*4), DX

nextrow:
	LEAQ (R11)(R10*2), R11
	DECQ R8
	JNZ row

done:
	VZEROUPPER
	RET
