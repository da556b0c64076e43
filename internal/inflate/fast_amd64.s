//go:build amd64 && !purego

#include "go_asm.h"
#include "textflag.h"

// The fast loop of fast.go in assembly, for CPUs with BMI2 (SHRX, SHLX,
// BZHI: shifts by a register other than CL, and "keep the low n bits", in
// one instruction each). Go's register allocator spills the bit buffer of
// the Go loop to the stack; here every piece of state stays in a register:
//
//	AX  the current table entry        SI  next input byte (&src[pos])
//	BX  bit buffer                     DI  next output byte (&dst[o])
//	CX  buffered bit count (nb)        R13 &dst[0]
//	R11 literal/length table           R12 distance table
//	DX, R8, R9, R10, X0 scratch; inlim-8(SP), outlim-16(SP): the margins
//
// It decodes the same symbols as the Go loop (three literals per refill
// where the Go loop takes two, and 16-byte copies), and stops (status 0)
// before a symbol it leaves to the Go loop: end of block, an invalid
// literal/length code, or one past the margins. Status 1 (invalid distance
// code) and 2 (distance before the start of the output) are returned after
// the distance was consumed, where the Go loop reports them.

// REFILL: nb >= 56, loading eight bytes at SI (see bitReader.refill).
#define REFILL \
	MOVQ (SI), DX \
	SHLXQ CX, DX, DX \
	ORQ DX, BX \
	MOVL $63, DX \
	SUBL CX, DX \
	SHRL $3, DX \
	ADDQ DX, SI \
	ORQ $56, CX

// LOOKUP: AX = the primary literal/length entry of the low bits of BX.
#define LOOKUP \
	MOVL BX, DX \
	ANDL $((1<<const_litlenBits)-1), DX \
	MOVL (R11)(DX*4), AX

// CONSUME: drop the n bits of entry AX from BX. SHRX takes its count
// from the low 6 bits of AX, which are n (n < 64 and bits 6-7 of an
// entry are 0), so the shift waits only for the entry's load; the count
// in CX is updated beside it. Leaves n in DX.
#define CONSUME \
	SHRXQ AX, BX, BX \
	MOVBQZX AL, DX \
	SUBQ DX, CX

// LITERAL: store the literal of entry AX, look up the next entry (before
// any refill: it needs only the low 11 bits of BX to be real).
#define LITERAL \
	CONSUME \
	SHRL $16, AX \
	MOVB AX, (DI) \
	INCQ DI \
	LOOKUP

// func fastBMI2(dst []byte, o int, br *bitReader, lt *[litlenTableSize]uint32, dt *[distTableSize]uint32) (nOut int, status int)
TEXT ·fastBMI2(SB), NOSPLIT, $16-72
	MOVQ dst_base+0(FP), R13
	MOVQ dst_len+8(FP), DX
	LEAQ -const_fastOutMargin(R13)(DX*1), DX
	MOVQ DX, outlim-16(SP)
	MOVQ o+24(FP), DI
	ADDQ R13, DI
	MOVQ br+32(FP), R8
	MOVQ bitReader_src(R8), SI
	MOVQ bitReader_src+8(R8), DX
	LEAQ -const_fastInMargin(SI)(DX*1), DX
	MOVQ DX, inlim-8(SP)
	ADDQ bitReader_pos(R8), SI
	MOVQ bitReader_bits(R8), BX
	MOVQ bitReader_nb(R8), CX
	MOVQ lt+40(FP), R11
	MOVQ dt+48(FP), R12
	XORL R10, R10 // status
	CMPQ SI, inlim-8(SP)
	JHI  done
	CMPQ DI, outlim-16(SP)
	JHI  done
	REFILL
	LOOKUP

loop:
	CMPQ SI, inlim-8(SP)
	JHI  stop
	CMPQ DI, outlim-16(SP)
	JHI  stop

dispatch:
	BTL  $15, AX // flagLit
	JCC  notlit
	// Up to three literals per refill: each takes at most 15 bits, so
	// the lookup after the third still has 11 real bits.
	LITERAL
	BTL  $15, AX
	JCC  litdone
	LITERAL
	BTL  $15, AX
	JCC  litdone
	LITERAL

litdone:
	REFILL
	JMP loop

notlit:
	TESTL $(const_flagSub|const_flagEOB|const_flagBad), AX
	JZ    length
	BTL   $14, AX // flagSub
	JCC   stop
	// A code longer than the primary table: keep the state to put back
	// if the symbol is one the Go loop handles, then look it up.
	MOVQ BX, R8
	MOVQ CX, R9
	SHRQ $const_litlenBits, BX
	SUBQ $const_litlenBits, CX
	MOVL AX, DX
	SHRL $8, DX
	ANDL $15, DX
	BZHIQ DX, BX, DX
	SHRL $16, AX
	ADDL AX, DX
	ANDL $(const_litlenTableSize-1), DX
	MOVL (R11)(DX*4), AX
	BTL  $15, AX
	JCS  dispatch // a literal: the bit budget is that of a 15-bit code
	TESTL $(const_flagEOB|const_flagBad), AX
	JZ   length
	MOVQ R8, BX
	MOVQ R9, CX
	JMP  stop

length:
	// length = base + the low n bits shifted right by l (see value);
	// BZHI, like SHRX, takes n straight from the entry's low byte.
	MOVL AX, R9
	SHRL $8, R9
	ANDL $15, R9
	BZHIQ AX, BX, R8
	SHRXQ R9, R8, R8
	CONSUME
	SHRL $16, AX
	ADDL AX, R8 // R8 = length

	// The distance, the same way from the distance table.
	MOVL BX, DX
	ANDL $((1<<const_distBits)-1), DX
	MOVL (R12)(DX*4), AX
	BTL  $14, AX // flagSub
	JCC  distentry
	SHRQ $const_distBits, BX
	SUBQ $const_distBits, CX
	MOVL AX, DX
	SHRL $8, DX
	ANDL $15, DX
	BZHIQ DX, BX, DX
	MOVL AX, R9
	SHRL $16, R9
	ADDL R9, DX
	ANDL $(const_distTableSize-1), DX
	MOVL (R12)(DX*4), AX

distentry:
	MOVL AX, R9
	SHRL $8, R9
	ANDL $15, R9
	BZHIQ AX, BX, R10
	SHRXQ R9, R10, R10
	CONSUME
	BTL  $12, AX // flagBad
	JCS  baddist
	SHRL $16, AX
	ADDL AX, R10 // R10 = dist
	MOVQ DI, DX
	SUBQ R13, DX
	CMPQ R10, DX
	JHI  fardist

	REFILL
	LOOKUP

	// Copy length (R8) bytes from DI-dist (R10) to DI.
	MOVQ DI, DX
	SUBQ R10, DX
	ADDQ DI, R8 // R8 = end
	CMPQ R10, $8
	JCS  short
	CMPQ R10, $16
	JCS  words8
	// Distance 16 or more: 32 bytes unconditionally (most matches are
	// short), then 16 at a time.
	MOVOU (DX), X0
	MOVOU X0, (DI)
	MOVOU 16(DX), X0
	MOVOU X0, 16(DI)
	ADDQ  $32, DX
	ADDQ  $32, DI
	CMPQ  DI, R8
	JCC   copied

vectors:
	MOVOU (DX), X0
	MOVOU X0, (DI)
	ADDQ  $16, DX
	ADDQ  $16, DI
	CMPQ  DI, R8
	JCS   vectors
	JMP   copied

words8:
	// Distance 8 to 15: two words unconditionally, then words.
	MOVQ (DX), R9
	MOVQ R9, (DI)
	MOVQ 8(DX), R9
	MOVQ R9, 8(DI)
	ADDQ $16, DX
	ADDQ $16, DI
	CMPQ DI, R8
	JCC  copied

words:
	MOVQ (DX), R9
	MOVQ R9, (DI)
	ADDQ $8, DX
	ADDQ $8, DI
	CMPQ DI, R8
	JCS  words

copied:
	MOVQ R8, DI
	JMP  loop

short:
	CMPQ R10, $1
	JNE  steps
	// A run of one byte: store an eight-byte pattern.
	MOVBQZX (DX), R9
	MOVQ $0x0101010101010101, DX
	IMULQ DX, R9

run:
	MOVQ R9, (DI)
	ADDQ $8, DI
	CMPQ DI, R8
	JCS  run
	JMP  copied

steps:
	// Distance 2 to 7: each word stored dist bytes after the last, so
	// every word loaded is of bytes already written.
	MOVQ (DX), R9
	MOVQ R9, (DI)
	ADDQ R10, DX
	ADDQ R10, DI
	CMPQ DI, R8
	JCS  steps
	JMP  copied

baddist:
	MOVL $1, R10
	JMP  done

fardist:
	MOVL $2, R10
	JMP  done

stop:
	XORL R10, R10

done:
	MOVQ br+32(FP), R8
	MOVQ BX, bitReader_bits(R8)
	MOVQ CX, bitReader_nb(R8)
	SUBQ bitReader_src(R8), SI
	MOVQ SI, bitReader_pos(R8)
	SUBQ R13, DI
	MOVQ DI, nOut+56(FP)
	MOVQ R10, status+64(FP)
	RET
