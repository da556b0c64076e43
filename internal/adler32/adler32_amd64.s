//go:build amd64 && !purego

#include "textflag.h"

// Weights of the bytes of a 32-byte vector: 32, 31, ..., 1.
DATA weights<>+0(SB)/8, $0x191a1b1c1d1e1f20
DATA weights<>+8(SB)/8, $0x1112131415161718
DATA weights<>+16(SB)/8, $0x090a0b0c0d0e0f10
DATA weights<>+24(SB)/8, $0x0102030405060708
GLOBL weights<>(SB), RODATA|NOPTR, $32

// func sumsAVX2(p []byte) (sum, weighted uint32)
//
// Y1: plain sums (four 64-bit lanes from VPSADBW, all below 2^32)
// Y2: weighted sums within each vector (eight 32-bit lanes)
// Y3: Y1 summed before each vector; ×32 at the end, the weight that
//     every later vector adds to the bytes before it
TEXT ·sumsAVX2(SB), NOSPLIT, $0-32
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VMOVDQU weights<>(SB), Y4
	VPCMPEQW Y5, Y5, Y5
	VPSRLW $15, Y5, Y5 // sixteen 16-bit ones
	TESTQ CX, CX
	JZ done

loop:
	VMOVDQU (SI), Y6
	VPADDD Y1, Y3, Y3
	VPSADBW Y0, Y6, Y7
	VPADDD Y7, Y1, Y1
	VPMADDUBSW Y4, Y6, Y8 // byte × weight, adjacent pairs added: 16 × int16
	VPMADDWD Y5, Y8, Y8   // adjacent pairs added again: 8 × int32
	VPADDD Y8, Y2, Y2
	ADDQ $32, SI
	SUBQ $32, CX
	JNZ loop

	VPSLLD $5, Y3, Y3
	VPADDD Y3, Y2, Y2

done:
	// Horizontal sums of the eight 32-bit lanes of Y1 and of Y2.
	VEXTRACTI128 $1, Y1, X7
	VPADDD X7, X1, X1
	VPSHUFD $0x4e, X1, X7
	VPADDD X7, X1, X1
	VPSHUFD $0xb1, X1, X7
	VPADDD X7, X1, X1
	VMOVD X1, AX
	VEXTRACTI128 $1, Y2, X7
	VPADDD X7, X2, X2
	VPSHUFD $0x4e, X2, X7
	VPADDD X7, X2, X2
	VPSHUFD $0xb1, X2, X7
	VPADDD X7, X2, X2
	VMOVD X2, DX
	MOVL AX, sum+24(FP)
	MOVL DX, weighted+28(FP)
	VZEROUPPER
	RET
