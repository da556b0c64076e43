package inflate

import "encoding/binary"

// The fast loop runs while these many bytes of input and of output are
// left: enough that no symbol it decodes can reach the end of either, so
// it checks the ends once per iteration instead of once per read and
// write.
const (
	// One refill per iteration loads eight bytes.
	fastInMargin = 8
	// A match writes at most 258 bytes, and its copy overshoots by up
	// to 31 (the assembly loop copies 32 bytes before it looks at the
	// length); literals write at most 3.
	fastOutMargin = 258 + 32
)

// fastAsm says whether fastHuffman runs the fast loop in assembly
// (fastBMI2) first: it decodes the same symbols as the Go loop below,
// keeping the bit buffer in registers, and stops before an end of block or
// an invalid literal/length code (status 0, left to the Go loop), or after
// a distance it reports as asmBadDist or asmFarDist. It is set at start-up
// where the CPU supports it; tests clear it to check the Go loop. It is a
// flag and fastBMI2 is called directly, not through a function value:
// through one the compiler cannot see that br does not escape, and Decode's
// bit reader went to the heap on every call.
var fastAsm bool

const (
	asmBadDist = 1
	asmFarDist = 2

	msgBadDist = "invalid distance code"
	msgFarDist = "distance before the start of the output"
)

// fastHuffman decodes the symbols of a Huffman-coded block while the
// margins hold. It stops at the end of the block (done is true), at an
// error, or before the first symbol that could come near the end of src
// or dst, and leaves the rest to huffman's careful loop; the bit buffer in
// br is where it stopped.
//
// Each iteration starts with at least 56 bits buffered and the
// primary-table entry of the next symbol already looked up, and ends with
// a refill and the lookup of the next entry: that load is started before
// a match's copy or a literal's store, so its latency overlaps them. A
// literal takes at most 15 bits, so two literals fit in one refill (three
// in the assembly loop, whose lookups need 11 bits); a length and a
// distance with their extra bits take at most 48.
func fastHuffman(dst []byte, o int, br *bitReader, lt *[litlenTableSize]uint32, dt *[distTableSize]uint32) (nOut int, done bool, err error) {
	if fastAsm {
		var status int
		switch o, status = fastBMI2(dst, o, br, lt, dt); status {
		case asmBadDist:
			return o, false, br.fail(ErrCorrupt, msgBadDist)
		case asmFarDist:
			return o, false, br.fail(ErrCorrupt, msgFarDist)
		}
	}
	src := br.src
	bits, nb, pos := br.bits, br.nb, br.pos
	if pos > len(src)-fastInMargin || o > len(dst)-fastOutMargin {
		return o, false, nil
	}
	// The same refill as bitReader.refill, without its end check.
	bits |= binary.LittleEndian.Uint64(src[pos:]) << (nb & 63)
	pos += int((63 - nb) >> 3)
	nb |= 56
	e := lt[bits&(1<<litlenBits-1)]
	for pos <= len(src)-fastInMargin && o <= len(dst)-fastOutMargin {
		if e&flagLit != 0 {
			bits >>= e & 63
			nb -= uint(e & 0xff)
			lit := byte(e >> 16)
			e = lt[bits&(1<<litlenBits-1)]
			dst[o] = lit
			o++
			if e&flagLit != 0 {
				// A second literal: at least 41 bits were left, and
				// 26 remain, enough to look up the next entry before
				// the refill that follows.
				bits >>= e & 63
				nb -= uint(e & 0xff)
				dst[o] = byte(e >> 16)
				o++
				e = lt[bits&(1<<litlenBits-1)]
			}
			bits |= binary.LittleEndian.Uint64(src[pos:]) << (nb & 63)
			pos += int((63 - nb) >> 3)
			nb |= 56
			continue
		}
		if e&(flagSub|flagEOB|flagBad) != 0 {
			if e&flagSub != 0 {
				bits >>= litlenBits
				nb -= litlenBits
				e = lt[(e>>16+uint32(bits)&(1<<(e>>8&15)-1))&(litlenTableSize-1)]
			}
			if e&flagLit != 0 {
				// A literal with a long code, after a refill the loop
				// top would not have done; rare.
				bits >>= e & 63
				nb -= uint(e & 0xff)
				dst[o] = byte(e >> 16)
				o++
				bits |= binary.LittleEndian.Uint64(src[pos:]) << (nb & 63)
				pos += int((63 - nb) >> 3)
				nb |= 56
				e = lt[bits&(1<<litlenBits-1)]
				continue
			}
			if e&(flagEOB|flagBad) != 0 {
				bits >>= e & 63
				nb -= uint(e & 0xff)
				br.bits, br.nb, br.pos = bits, nb, pos
				if e&flagBad != 0 {
					return o, false, br.fail(ErrCorrupt, "invalid literal/length code")
				}
				return o, true, nil
			}
		}
		length := value(e, bits)
		bits >>= e & 63
		nb -= uint(e & 0xff)

		e = dt[bits&(1<<distBits-1)]
		if e&flagSub != 0 {
			bits >>= distBits
			nb -= distBits
			e = dt[(e>>16+uint32(bits)&(1<<(e>>8&15)-1))&(distTableSize-1)]
		}
		dist := value(e, bits)
		bits >>= e & 63
		nb -= uint(e & 0xff)
		if e&flagBad != 0 || dist > o {
			br.bits, br.nb, br.pos = bits, nb, pos
			if e&flagBad != 0 {
				return o, false, br.fail(ErrCorrupt, msgBadDist)
			}
			return o, false, br.fail(ErrCorrupt, msgFarDist)
		}

		bits |= binary.LittleEndian.Uint64(src[pos:]) << (nb & 63)
		pos += int((63 - nb) >> 3)
		nb |= 56
		e = lt[bits&(1<<litlenBits-1)]

		o = copyMatch(dst, o, dist, o+length)
	}
	br.bits, br.nb, br.pos = bits, nb, pos
	return o, false, nil
}

// copyMatch copies the match at dst[o-dist:] to dst[o:end] (1 <= dist <=
// o) and returns end. It may write up to 15 bytes past end, so end+15 must
// be within dst: matches of distance 8 or more copy two whole words and
// then a word at a time, a run of one byte (distance 1) stores an
// eight-byte pattern, and distances 2 to 7 store each word dist bytes
// after the last, so that every word loaded is of bytes already written.
func copyMatch(dst []byte, o, dist, end int) int {
	s := o - dist
	switch {
	case dist >= 8:
		// Most matches are short: the first 16 bytes need no loop.
		binary.LittleEndian.PutUint64(dst[o:], binary.LittleEndian.Uint64(dst[s:]))
		binary.LittleEndian.PutUint64(dst[o+8:], binary.LittleEndian.Uint64(dst[s+8:]))
		for o, s = o+16, s+16; o < end; o, s = o+8, s+8 {
			binary.LittleEndian.PutUint64(dst[o:], binary.LittleEndian.Uint64(dst[s:]))
		}
	case dist == 1:
		v := uint64(dst[s]) * 0x0101010101010101
		for ; o < end; o += 8 {
			binary.LittleEndian.PutUint64(dst[o:], v)
		}
	default:
		for ; o < end; o, s = o+dist, s+dist {
			binary.LittleEndian.PutUint64(dst[o:], binary.LittleEndian.Uint64(dst[s:]))
		}
	}
	return end
}
