package inflate

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"testing"
)

// bitWriter assembles DEFLATE streams bit by bit for the table tests.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

// put writes the n low bits of v, least significant first.
func (w *bitWriter) put(v uint64, n uint) {
	w.acc |= v << w.n
	w.n += n
	for w.n >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

// code writes a Huffman code of n bits, most significant bit first.
func (w *bitWriter) code(c uint16, n uint) {
	w.put(uint64(bits.Reverse16(c)>>(16-n)), n)
}

func (w *bitWriter) align() {
	if w.n > 0 {
		w.put(0, 8-w.n)
	}
}

func (w *bitWriter) bytes() []byte {
	w.align()
	return w.out
}

// stored writes a stored block with the given LEN and NLEN.
func (w *bitWriter) stored(final bool, data []byte, nlen uint16) {
	w.put(b2u(final), 1)
	w.put(0, 2)
	w.align()
	w.put(uint64(len(data)), 16)
	w.put(uint64(nlen), 16)
	for _, c := range data {
		w.put(uint64(c), 8)
	}
}

// fixedSym writes literal/length symbol s with the fixed code.
func (w *bitWriter) fixedSym(s int) {
	switch {
	case s < 144:
		w.code(uint16(0x30+s), 8)
	case s < 256:
		w.code(uint16(0x190+s-144), 9)
	case s < 280:
		w.code(uint16(s-256), 7)
	default:
		w.code(uint16(0xc0+s-280), 8)
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// canonical returns the canonical codes for lens (RFC 1951 3.2.2).
func canonical(lens []uint8) []uint16 {
	var count [16]uint16
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [16]uint16
	c := uint16(0)
	for l := 1; l < 16; l++ {
		c = (c + count[l-1]) << 1
		next[l] = c
	}
	codes := make([]uint16, len(lens))
	for s, l := range lens {
		if l != 0 {
			codes[s] = next[l]
			next[l]++
		}
	}
	return codes
}

// clSym is a code length symbol with its extra bits.
type clSym struct {
	sym    int
	extra  uint64
	nextra uint
}

// dynamicHeader writes a dynamic block header: nlit and ndist counts, the
// code length code clLens (in symbol order), then seq coded with it.
func (w *bitWriter) dynamicHeader(final bool, nlit, ndist int, clLens [19]uint8, seq []clSym) {
	w.put(b2u(final), 1)
	w.put(2, 2)
	w.put(uint64(nlit-257), 5)
	w.put(uint64(ndist-1), 5)
	w.put(19-4, 4)
	for _, s := range codelenOrder {
		w.put(uint64(clLens[s]), 3)
	}
	codes := canonical(clLens[:])
	for _, c := range seq {
		w.code(codes[c.sym], uint(clLens[c.sym]))
		w.put(c.extra, c.nextra)
	}
}

// plainCL is a code length code giving symbols 0-15 four bits each.
var plainCL = [19]uint8{4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}

// lensSeq sends each length as its own symbol.
func lensSeq(lens ...[]uint8) []clSym {
	var seq []clSym
	for _, l := range lens {
		for _, v := range l {
			seq = append(seq, clSym{sym: int(v)})
		}
	}
	return seq
}

// dynamicBlock is a header for litLens/distLens plus their codes, so a
// test can write symbols.
type dynamicBlock struct {
	litLens, distLens   []uint8
	litCodes, distCodes []uint16
}

func (w *bitWriter) dynamic(final bool, litLens, distLens []uint8) dynamicBlock {
	w.dynamicHeader(final, len(litLens), len(distLens), plainCL, lensSeq(litLens, distLens))
	return dynamicBlock{litLens, distLens, canonical(litLens), canonical(distLens)}
}

func (w *bitWriter) lit(b dynamicBlock, s int) { w.code(b.litCodes[s], uint(b.litLens[s])) }
func (w *bitWriter) dist(b dynamicBlock, s int) {
	w.code(b.distCodes[s], uint(b.distLens[s]))
}

// smallLitLens: literals 'a' and 'b', end of block and length symbol 257
// (length 3) with two bits each: a complete code.
func smallLitLens() []uint8 {
	l := make([]uint8, 258)
	l['a'], l['b'], l[256], l[257] = 2, 2, 2, 2
	return l
}

func TestBlocks(t *testing.T) {
	type tc struct {
		name    string
		stream  func(w *bitWriter)
		dstLen  int
		want    string // decoded output when err is nil
		wantErr error
	}
	tests := []tc{
		{"stored", func(w *bitWriter) { w.stored(true, []byte("hello"), ^uint16(5)) }, 10, "hello", nil},
		{"stored empty", func(w *bitWriter) { w.stored(true, nil, 0xffff) }, 0, "", nil},
		{"stored LEN/NLEN mismatch", func(w *bitWriter) { w.stored(true, []byte("hello"), ^uint16(4)) }, 10, "", ErrCorrupt},
		{"stored too long for dst", func(w *bitWriter) { w.stored(true, []byte("hello"), ^uint16(5)) }, 4, "", ErrOutputFull},
		{"stored header cut", func(w *bitWriter) { w.put(1, 3); w.align(); w.put(5, 16) }, 10, "", ErrTruncated},
		{"stored data cut", func(w *bitWriter) { w.stored(true, []byte("hello"), ^uint16(5)); w.out = w.out[:len(w.out)-1] }, 10, "", ErrTruncated},
		{"reserved type 3", func(w *bitWriter) { w.put(1|3<<1, 3) }, 10, "", ErrCorrupt},
		{"empty input", func(w *bitWriter) {}, 10, "", ErrTruncated},
		{"no final block", func(w *bitWriter) { w.stored(false, []byte("x"), ^uint16(1)) }, 10, "", ErrTruncated},
		{"fixed", func(w *bitWriter) {
			w.put(1|1<<1, 3)
			w.fixedSym('a')
			w.fixedSym('b')
			w.fixedSym(258) // length 4
			w.code(1, 5)    // distance 2
			w.fixedSym(256)
		}, 10, "ababab", nil},
		{"fixed run", func(w *bitWriter) {
			w.put(1|1<<1, 3)
			w.fixedSym('z')
			w.fixedSym(285) // length 258
			w.code(0, 5)    // distance 1
			w.fixedSym(256)
		}, 259, string(bytes.Repeat([]byte("z"), 259)), nil},
		{"fixed no end of block", func(w *bitWriter) { w.put(1|1<<1, 3); w.fixedSym('a') }, 10, "", ErrTruncated},
		{"fixed literal 286", func(w *bitWriter) { w.put(1|1<<1, 3); w.fixedSym(286) }, 10, "", ErrCorrupt},
		{"fixed literal 287", func(w *bitWriter) { w.put(1|1<<1, 3); w.fixedSym(287) }, 10, "", ErrCorrupt},
		{"fixed distance 30", func(w *bitWriter) {
			w.put(1|1<<1, 3)
			w.fixedSym('a')
			w.fixedSym(257)
			w.code(30, 5)
			w.fixedSym(256)
		}, 10, "", ErrCorrupt},
		{"fixed distance 31", func(w *bitWriter) {
			w.put(1|1<<1, 3)
			w.fixedSym('a')
			w.fixedSym(257)
			w.code(31, 5)
			w.fixedSym(256)
		}, 10, "", ErrCorrupt},
		{"distance beyond output", func(w *bitWriter) {
			w.put(1|1<<1, 3)
			w.fixedSym('a')
			w.fixedSym(257)
			w.code(1, 5) // distance 2, only 1 byte written
			w.fixedSym(256)
		}, 10, "", ErrCorrupt},
		{"match past dst", func(w *bitWriter) {
			w.put(1|1<<1, 3)
			w.fixedSym('a')
			w.fixedSym(260) // length 6
			w.code(0, 5)
			w.fixedSym(256)
		}, 6, "", ErrOutputFull},
		{"literal past dst", func(w *bitWriter) {
			w.put(1|1<<1, 3)
			w.fixedSym('a')
			w.fixedSym('b')
			w.fixedSym(256)
		}, 1, "", ErrOutputFull},
		{"stored fixed stored", func(w *bitWriter) {
			w.stored(false, []byte("he"), ^uint16(2))
			w.put(0|1<<1, 3)
			w.fixedSym('l')
			w.fixedSym(257) // length 3 ...
			w.code(0, 5)    // ... distance 1: "lll"
			w.fixedSym(256)
			w.stored(false, []byte("o"), ^uint16(1))
			w.put(1|1<<1, 3)
			w.fixedSym(258) // length 4
			w.code(5, 5)    // distance 7: from "hellllo" start
			w.fixedSym(256)
		}, 20, "hellllohell", nil},
		{"dynamic", func(w *bitWriter) {
			b := w.dynamic(true, smallLitLens(), []uint8{1, 1})
			w.lit(b, 'a')
			w.lit(b, 'b')
			w.lit(b, 257)
			w.dist(b, 1) // distance 2
			w.lit(b, 256)
		}, 10, "ababa", nil},
		{"dynamic single distance code", func(w *bitWriter) {
			b := w.dynamic(true, smallLitLens(), []uint8{1})
			w.lit(b, 'a')
			w.lit(b, 257)
			w.dist(b, 0)
			w.lit(b, 256)
		}, 10, "aaaa", nil},
		{"dynamic unused half of single distance code", func(w *bitWriter) {
			b := w.dynamic(true, smallLitLens(), []uint8{1})
			w.lit(b, 'a')
			w.lit(b, 257)
			w.put(1, 1)
			w.lit(b, 256)
		}, 10, "", ErrCorrupt},
		{"dynamic no distance codes", func(w *bitWriter) {
			b := w.dynamic(true, smallLitLens(), []uint8{0})
			w.lit(b, 'a')
			w.lit(b, 256)
		}, 10, "a", nil},
		{"dynamic length with no distance codes", func(w *bitWriter) {
			b := w.dynamic(true, smallLitLens(), []uint8{0})
			w.lit(b, 'a')
			w.lit(b, 257)
			w.put(0, 8)
			w.lit(b, 256)
		}, 10, "", ErrCorrupt},
		{"dynamic only end of block", func(w *bitWriter) {
			l := make([]uint8, 257)
			l[256] = 1
			b := w.dynamic(true, l, []uint8{0})
			w.lit(b, 256)
		}, 0, "", nil},
		{"dynamic no end of block code", func(w *bitWriter) {
			l := make([]uint8, 258)
			l['a'], l['b'] = 1, 1
			w.dynamic(true, l, []uint8{1, 1})
		}, 10, "", ErrCorrupt},
		{"dynamic incomplete literal code", func(w *bitWriter) {
			l := smallLitLens()
			l[257] = 3
			w.dynamic(true, l, []uint8{1, 1})
		}, 10, "", ErrCorrupt},
		{"dynamic over-subscribed literal code", func(w *bitWriter) {
			l := smallLitLens()
			l['c'] = 2
			w.dynamic(true, l, []uint8{1, 1})
		}, 10, "", ErrCorrupt},
		{"dynamic incomplete distance code", func(w *bitWriter) {
			w.dynamic(true, smallLitLens(), []uint8{1, 2})
		}, 10, "", ErrCorrupt},
		{"dynamic over-subscribed distance code", func(w *bitWriter) {
			w.dynamic(true, smallLitLens(), []uint8{1, 1, 1})
		}, 10, "", ErrCorrupt},
		{"dynamic 287 literal/length codes", func(w *bitWriter) {
			l := make([]uint8, 287)
			l[256] = 1
			w.dynamicHeader(true, 287, 1, plainCL, lensSeq(l, []uint8{0}))
		}, 10, "", ErrCorrupt},
		{"dynamic 31 distance codes", func(w *bitWriter) {
			l := make([]uint8, 257)
			l[256] = 1
			w.dynamicHeader(true, 257, 31, plainCL, lensSeq(l, make([]uint8, 31)))
		}, 10, "", ErrCorrupt},
		{"dynamic over-subscribed code length code", func(w *bitWriter) {
			cl := plainCL
			cl[16] = 1
			w.dynamicHeader(true, 257, 1, cl, nil)
		}, 10, "", ErrCorrupt},
		{"dynamic repeat with no previous length", func(w *bitWriter) {
			cl := plainCL
			cl[0], cl[16] = 5, 5 // 15 codes of 4 bits, 2 of 5: complete
			w.dynamicHeader(true, 257, 1, cl, []clSym{{16, 0, 2}})
		}, 10, "", ErrCorrupt},
		{"dynamic repeat past the last length", func(w *bitWriter) {
			cl := plainCL
			cl[0], cl[18] = 5, 5
			seq := []clSym{{18, 127, 7}, {18, 127, 7}, {18, 127, 7}} // 3*138 > 258
			w.dynamicHeader(true, 257, 1, cl, seq)
		}, 10, "", ErrCorrupt},
		{"dynamic with run-length codes", func(w *bitWriter) {
			var cl [19]uint8
			cl[3], cl[16], cl[18], cl[17], cl[2] = 2, 2, 2, 3, 3
			seq := []clSym{
				{18, 97 - 11, 7},                                   // lengths 0-96: 0
				{3, 0, 0},                                          // 'a': 3 bits
				{16, 0, 2},                                         // 'b', 'c', 'd': the same
				{18, 138 - 11, 7}, {17, 10 - 3, 3}, {17, 7 - 3, 3}, // up to 255: 0
				{2, 0, 0}, {2, 0, 0}, // 256, 257 (length 3): 2 bits
				{2, 0, 0}, {16, 0, 2}, // distance codes 0-3: 2 bits
			}
			w.dynamicHeader(true, 258, 4, cl, seq)
			lit := make([]uint8, 258)
			lit['a'], lit['b'], lit['c'], lit['d'], lit[256], lit[257] = 3, 3, 3, 3, 2, 2
			b := dynamicBlock{lit, []uint8{2, 2, 2, 2}, canonical(lit), canonical([]uint8{2, 2, 2, 2})}
			for _, c := range "abcd" {
				w.lit(b, int(c))
			}
			w.lit(b, 257)
			w.dist(b, 3) // distance 4
			w.lit(b, 256)
		}, 10, "abcdabc", nil},
	}
	// Each case runs with each fast loop. The small buffers keep the
	// blocks in the careful loop, so corrupt streams and good ones are
	// also run padded, with 16 bytes of input after the stream and 300
	// more of output, which the fast loops take (a truncated stream would
	// read the padding, and a bigger dst would hold a stream too long for
	// the small one).
	for _, tt := range tests {
		eachLoop(func(loop string) {
			for _, pad := range []bool{false, true} {
				if pad && (tt.wantErr == ErrTruncated || tt.wantErr == ErrOutputFull) {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s/pad=%v", tt.name, loop, pad), func(t *testing.T) {
					blockCase(t, tt.stream, tt.dstLen, tt.want, tt.wantErr, pad)
				})
			}
		})
	}
}

// blockCase decodes the stream written by stream into dstLen bytes (with
// padding, 300 more, and 16 zero bytes after the stream) and checks the
// output or the error.
func blockCase(t *testing.T, stream func(w *bitWriter), dstLen int, want string, wantErr error, pad bool) {
	var w bitWriter
	stream(&w)
	src := w.bytes()
	end := len(src)
	if pad {
		src = append(src, make([]byte, 16)...)
		dstLen += 300
	}
	dst := make([]byte, dstLen)
	n, nIn, err := Decode(dst, src)
	if wantErr != nil {
		var e *Error
		if !errors.Is(err, wantErr) || !errors.As(err, &e) {
			t.Fatalf("Decode(%x) = %d, %v; want an *Error wrapping %v", src, n, err, wantErr)
		}
		if e.Offset < 0 || e.Offset > len(src) || nIn < 0 || nIn > len(src) || n < 0 || n > len(dst) {
			t.Fatalf("error offsets out of range: n=%d nIn=%d %+v", n, nIn, e)
		}
		return
	}
	if err != nil {
		t.Fatalf("Decode(%x): %v", src, err)
	}
	if string(dst[:n]) != want || nIn != end {
		t.Fatalf("Decode(%x) = %q, consumed %d; want %q, %d", src, dst[:n], nIn, want, end)
	}
}

// TestTrailingInput checks that nIn stops at the end of the final block.
func TestTrailingInput(t *testing.T) {
	var w bitWriter
	w.stored(true, []byte("abc"), ^uint16(3))
	src := append(w.bytes(), 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	dst := make([]byte, 3)
	n, nIn, err := Decode(dst, src)
	if err != nil || n != 3 || nIn != 8 {
		t.Fatalf("Decode = %d, %d, %v; want 3, 8, nil", n, nIn, err)
	}
	comp := deflate(t, []byte("a text long enough for a Huffman block, a text long enough"), 9)
	src = append(comp, bytes.Repeat([]byte{0xff}, 20)...)
	n, nIn, err = Decode(make([]byte, 100), src)
	if err != nil || nIn != len(comp) {
		t.Fatalf("Decode = %d, %d, %v; want nIn %d", n, nIn, err, len(comp))
	}
}
