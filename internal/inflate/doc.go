// Package inflate decodes raw DEFLATE streams (RFC 1951) held whole in
// memory into an output buffer of known size.
//
// It exists for isz: every chunk of a zlib ISZ image is an independent zlib
// stream (RFC 1950: a 2-byte header, raw DEFLATE, a big-endian Adler-32)
// that decodes to exactly one chunk, 128 KiB by default; so is every block
// of a zisofs file in iso9660view. Both call [Zlib], which checks the zlib
// framing and hands the DEFLATE part to [Decode]:
//
//	err := inflate.Zlib(chunk, stream) // fills chunk exactly, or fails
//
//	n, used, err := inflate.Decode(chunk, stream[2:]) // raw DEFLATE
//	// n == len(chunk), the Adler-32 is at stream[2+used:]
//
// # Why whole-buffer
//
// A streaming decoder (compress/flate, klauspost/compress/flate) must work
// with input that arrives in pieces and output that leaves in pieces: it
// reads through an io.ByteReader, keeps a 32 KiB sliding window and copies
// out of it, and checks for the end of both at every step. When the whole
// input is a byte slice and the output buffer holds the whole result, none
// of that is needed. Decode reads eight input bytes at a time with one
// load, and a back-reference is a copy within dst itself: dst is the
// window. On 128 KiB chunks of real files this decodes about twice as
// fast as klauspost/compress/flate (see BenchmarkDecode), and at 0.76 to
// 0.94 of libdeflate's speed per core on the same streams, literal-heavy
// binaries at the low end (the benchmark harness's measurement 7).
//
// # Bit buffer
//
// The input is consumed least significant bit first through a 64-bit
// buffer. While at least eight bytes of input remain, a refill ORs in the
// next eight bytes above the buffered bits and advances by the whole bytes
// that fit, leaving 56 to 63 bits buffered: enough for a length code and
// its extra bits (15+5) and a distance code and its extra bits (15+13)
// together, so the decoder refills once per match, or per run of up to
// three literals, and never checks for the end of the input in between.
// Near the end of the input bytes are loaded one at a time and bytes past
// the end read as zero; the decoder then checks whether it consumed any
// of those made-up bits, which means the stream is truncated.
//
// # Tables
//
// Huffman codes are decoded by table lookup. The literal/length table is
// indexed by the next 11 bits of input, the distance table by the next 8;
// a code longer than that is found in a subtable, stored after the primary
// table in the same array, indexed by the bits that follow. Each entry is
// one uint32:
//
//	bits  0-7   n: bits the symbol takes at this level, its code and,
//	            for a length or distance, the extra bits after it
//	bits  8-11  l: bits of the code alone (for a subtable pointer: the
//	            subtable's index bits)
//	bits 12-15  flags: literal, end of block, subtable pointer, invalid
//	bits 16-31  literal byte, length or distance base, or subtable offset
//
// so a single load says what the symbol is and how to finish decoding it:
// a length or distance is the base plus the low n bits of the buffer
// shifted right by l, and one shift by n consumes the whole symbol. A
// table is built by storing each code of l bits once in the first 1<<l
// entries and doubling that part of the table between code lengths. The
// fixed-Huffman tables are built once at start-up; a dynamic block's
// tables are built into a pooled decoder (about 19 KiB).
//
// # Two loops
//
// A block is decoded by a fast loop for as long as at least 8 bytes of
// input and 290 of output are left, then by a careful one. The fast loop
// checks those margins once per iteration (a literal run or a match) and
// nothing else: no refill can read past src and no symbol can write past
// dst within an iteration. It looks up the entry of the next symbol
// before it refills or copies, so that load overlaps the work before it;
// the time per symbol is the chain of dependent steps from one entry to
// the next (load, shift the buffer, mask, load), which is what the loop
// is arranged to keep short. The careful loop checks each refill and
// each write; it decodes the last few hundred bytes of each block, and
// the small streams the fast loop never reaches.
//
// On amd64 with BMI2 the fast loop is in assembly (fast_amd64.s): Go's
// register allocator keeps the bit buffer, its count and the positions in
// memory across the loop, where the assembly keeps every piece of state
// in a register and uses BMI2's shifts by any register (SHRX, SHLX) and
// its "low n bits" (BZHI). It decodes exactly what the Go fast loop
// decodes, stops before the same symbols (end of block, an invalid code),
// and leaves them to it; tests and fuzz targets run every case with the
// assembly and with the Go loop (by clearing fastAsm). The Go loop runs
// on other CPUs and with the purego build tag.
//
// # Output
//
// Literals are stored straight into dst. A match is copied within dst,
// which is the window: in the fast loops, the first 16 or 32 bytes
// unconditionally (most matches are short) and then 8 or 16 at a time
// when the distance is at least that, each load only of bytes already
// written; a distance of 1 (a run) stores an eight-byte pattern, one of 2
// to 7 stores each word that many bytes after the last. The careful loop
// uses the same copy while 15 bytes of room remain after the match, and
// copies byte by byte at the very end of dst. The wide copies write up to
// 31 bytes past the match, which later output overwrites: Decode may
// change any byte of dst, not only dst[:nOut].
//
// [Zlib] checks the Adler-32 with internal/adler32 (AVX2 where the CPU
// has it, several times faster than hash/adler32).
//
// # What it rejects
//
// Decode returns an [*Error] carrying the input offset and wrapping a
// sentinel. [ErrCorrupt] covers the reserved block type 3; a stored
// block whose LEN is not the complement of NLEN; a dynamic header with more
// than 286 literal/length or 30 distance codes; an over-subscribed code,
// or an incomplete one (accepted only as compress/flate, klauspost and zlib
// do: a code with a single one-bit code, or, for distances, no code at
// all, which is an error only if a match uses it); a code length repeat
// with no previous length or past the last code; a block with no
// end-of-block code; the symbols 286 and 287 and distances 30 and 31 of
// the fixed code; and a distance reaching before the start of the output.
// [ErrOutputFull] means the stream decodes to more than len(dst) bytes,
// [ErrTruncated] that the input ends before the final block does. Decode
// never reads or writes outside src and dst; FuzzDecode holds it to
// klauspost/compress/flate's verdict on arbitrary input.
package inflate
