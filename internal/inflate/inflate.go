package inflate

import (
	"encoding/binary"
	"sync"
)

// bitReader reads src least significant bit first through a 64-bit buffer.
// Past the end of src it reads zero bytes (pos then exceeds len(src)) so
// that the decoder needs no end check per symbol; overrun tells whether any
// of those made-up bits were consumed, which means the stream is
// truncated.
type bitReader struct {
	src  []byte
	pos  int    // next byte of src to load
	bits uint64 // buffered bits; bits above nb are zero or the bytes that follow
	nb   uint   // number of buffered bits, at most 63
}

// refill makes nb at least 56: eight bytes at once while they exist (the
// upper byte of the load overlaps the next refill, which ORs in the same
// value), one at a time near the end.
func (br *bitReader) refill() {
	if br.pos <= len(br.src)-8 {
		br.bits |= binary.LittleEndian.Uint64(br.src[br.pos:]) << br.nb
		br.pos += int((63 - br.nb) >> 3)
		br.nb |= 56
		return
	}
	br.refillSlow()
}

func (br *bitReader) refillSlow() {
	for br.nb < 56 {
		if br.pos < len(br.src) {
			br.bits |= uint64(br.src[br.pos]) << br.nb
		}
		br.pos++
		br.nb += 8
	}
}

// take consumes and returns n <= nb bits.
func (br *bitReader) take(n uint) uint32 {
	v := uint32(br.bits & (1<<n - 1))
	br.bits >>= n
	br.nb -= n
	return v
}

// used returns the number of bits consumed so far.
func (br *bitReader) used() int { return br.pos*8 - int(br.nb) }

// overrun reports whether bits past the end of src were consumed.
func (br *bitReader) overrun() bool { return br.used() > len(br.src)*8 }

// fail returns an *Error for err at the current position, or an
// ErrTruncated one if the decoder has already read past the end of the
// input: whatever it found there was made up.
func (br *bitReader) fail(err error, detail string) error {
	if br.overrun() {
		return &Error{Offset: len(br.src), Err: ErrTruncated, Detail: "input ends inside the stream"}
	}
	return &Error{Offset: br.used() / 8, Err: err, Detail: detail}
}

// decoder holds the tables of a dynamic-Huffman block; pooled, as they are
// too big to zero on every call.
type decoder struct {
	litlen  [litlenTableSize]uint32
	dist    [distTableSize]uint32
	codelen [codelenSize]uint32
	lens    [maxHLIT + maxHDIST]uint8
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// Decode decodes the raw DEFLATE stream at the start of src into dst and
// returns the bytes written and the bytes of src consumed (up to the end of
// the final block, rounded up to a whole byte). On error, nOut is the
// number of bytes decoded before it and nIn how far decoding got; the
// error is an *Error. Decode may write anywhere in dst, not only in
// dst[:nOut].
func Decode(dst, src []byte) (nOut, nIn int, err error) {
	br := bitReader{src: src}
	var d *decoder
	defer func() {
		if d != nil {
			decoders.Put(d)
		}
	}()
	o := 0
	for {
		br.refill()
		hdr := br.take(3)
		switch hdr >> 1 {
		case 0:
			o, err = stored(dst, o, &br)
		case 1:
			o, err = huffman(dst, o, &br, &fixedLitlen, &fixedDist)
		case 2:
			if d == nil {
				d = decoders.Get().(*decoder)
			}
			if err = d.readTables(&br); err == nil {
				o, err = huffman(dst, o, &br, &d.litlen, &d.dist)
			}
		default:
			err = br.fail(ErrCorrupt, "reserved block type 3")
		}
		if err == nil && br.overrun() {
			err = br.fail(ErrTruncated, "")
		}
		if err != nil {
			return o, min(br.used()/8, len(src)), err
		}
		if hdr&1 != 0 {
			return o, (br.used() + 7) / 8, nil
		}
	}
}

// stored copies a stored block (RFC 1951 section 3.2.4).
func stored(dst []byte, o int, br *bitReader) (int, error) {
	br.take(br.nb & 7) // to a byte boundary
	p := br.pos - int(br.nb>>3)
	br.pos, br.bits, br.nb = p, 0, 0
	src := br.src
	if p > len(src)-4 {
		return o, &Error{Offset: min(p, len(src)), Err: ErrTruncated, Detail: "input ends in a stored block header"}
	}
	n := int(binary.LittleEndian.Uint16(src[p:]))
	if n^int(binary.LittleEndian.Uint16(src[p+2:])) != 0xffff {
		return o, &Error{Offset: p, Err: ErrCorrupt, Detail: "stored block LEN and NLEN do not match"}
	}
	p += 4
	if n > len(src)-p {
		return o, &Error{Offset: len(src), Err: ErrTruncated, Detail: "input ends inside a stored block"}
	}
	if n > len(dst)-o {
		return o, &Error{Offset: p, Err: ErrOutputFull}
	}
	copy(dst[o:], src[p:p+n])
	br.pos = p + n
	return o + n, nil
}

// codelenOrder is the order in which a dynamic block header sends the
// code lengths of the code length alphabet.
var codelenOrder = [numCodelen]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// readTables reads a dynamic block header (RFC 1951 section 3.2.7) and
// builds d.litlen and d.dist.
func (d *decoder) readTables(br *bitReader) error {
	br.refill()
	nlit := int(br.take(5)) + 257
	ndist := int(br.take(5)) + 1
	nclen := int(br.take(4)) + 4
	if nlit > maxHLIT {
		return br.fail(ErrCorrupt, "more than 286 literal/length codes")
	}
	if ndist > maxHDIST {
		return br.fail(ErrCorrupt, "more than 30 distance codes")
	}
	var cl [numCodelen]uint8
	for _, s := range codelenOrder[:nclen] {
		if br.nb < 3 {
			br.refill()
		}
		cl[s] = uint8(br.take(3))
	}
	if !build(d.codelen[:], codelenBits, cl[:], codelenInfo[:]) {
		return br.fail(ErrCorrupt, "invalid code length code")
	}
	lens := d.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		if br.nb < 2*codelenBits {
			br.refill()
		}
		e := d.codelen[br.bits&(codelenSize-1)]
		if e&flagBad != 0 {
			return br.fail(ErrCorrupt, "invalid code length symbol")
		}
		br.take(uint(e & 0xff))
		sym := uint8(e >> 16)
		if sym < 16 {
			lens[i] = sym
			i++
			continue
		}
		var v uint8
		var rep int
		switch sym {
		case 16:
			if i == 0 {
				return br.fail(ErrCorrupt, "code length repeat with no previous length")
			}
			v, rep = lens[i-1], 3+int(br.take(2))
		case 17:
			rep = 3 + int(br.take(3))
		default:
			rep = 11 + int(br.take(7))
		}
		if rep > len(lens)-i {
			return br.fail(ErrCorrupt, "code length repeat past the last code")
		}
		for range rep {
			lens[i] = v
			i++
		}
	}
	if lens[256] == 0 {
		return br.fail(ErrCorrupt, "no end-of-block code")
	}
	if !build(d.litlen[:], litlenBits, lens[:nlit], litlenInfo[:]) {
		return br.fail(ErrCorrupt, "invalid literal/length code")
	}
	if !build(d.dist[:], distBits, lens[nlit:], distInfo[:]) {
		return br.fail(ErrCorrupt, "invalid distance code")
	}
	return nil
}

// huffman decodes the symbols of a Huffman-coded block up to its end of
// block code. The bit buffer lives in locals for the whole loop and is
// written back to br before any return.
//
// Loop invariant: nb >= 56 and e is the primary-table entry for the low
// bits of bits. 56 bits cover the longest length (15+5 bits) and distance
// (15+13) codes together. After a literal (at most 15 bits) at least 41
// bits remain, so the next entry is looked up before the refill: the
// refill only ORs bits above nb, and the lookup does not wait for it.
func huffman(dst []byte, o int, br *bitReader, lt *[litlenTableSize]uint32, dt *[distTableSize]uint32) (int, error) {
	o, done, err := fastHuffman(dst, o, br, lt, dt)
	if done || err != nil {
		return o, err
	}
	src := br.src
	bits, nb, pos := br.bits, br.nb, br.pos
	var ok bool
	if bits, nb, pos, ok = refill(src, bits, nb, pos); !ok {
		return o, br.overran(bits, nb, pos)
	}
	e := lt[bits&(1<<litlenBits-1)]
	for {
		if e&flagSub != 0 {
			bits >>= litlenBits
			nb -= litlenBits
			e = lt[(e>>16+uint32(bits)&(1<<(e>>8&15)-1))&(litlenTableSize-1)]
		}
		n := uint(e & 0xff)
		if e&flagLit != 0 {
			bits >>= n & 63
			nb -= n
			if uint(o) >= uint(len(dst)) {
				br.bits, br.nb, br.pos = bits, nb, pos
				return o, br.fail(ErrOutputFull, "")
			}
			dst[o] = byte(e >> 16)
			o++
			e = lt[bits&(1<<litlenBits-1)]
			// The fast refill is written out here and after a match, on
			// the loop's locals; near the end of src, refill shares
			// bitReader's slow path.
			if pos <= len(src)-8 {
				bits |= binary.LittleEndian.Uint64(src[pos:]) << nb
				pos += int((63 - nb) >> 3)
				nb |= 56
			} else if bits, nb, pos, ok = refill(src, bits, nb, pos); !ok {
				return o, br.overran(bits, nb, pos)
			}
			continue
		}
		if e&(flagEOB|flagBad) != 0 {
			bits >>= n & 63
			nb -= n
			br.bits, br.nb, br.pos = bits, nb, pos
			if e&flagBad != 0 {
				return o, br.fail(ErrCorrupt, "invalid literal/length code")
			}
			return o, nil
		}
		length := value(e, bits)
		bits >>= n & 63
		nb -= n

		e = dt[bits&(1<<distBits-1)]
		if e&flagSub != 0 {
			bits >>= distBits
			nb -= distBits
			e = dt[(e>>16+uint32(bits)&(1<<(e>>8&15)-1))&(distTableSize-1)]
		}
		n = uint(e & 0xff)
		dist := value(e, bits)
		bits >>= n & 63
		nb -= n
		if e&flagBad != 0 || dist > o || length > len(dst)-o {
			br.bits, br.nb, br.pos = bits, nb, pos
			switch {
			case e&flagBad != 0:
				return o, br.fail(ErrCorrupt, msgBadDist)
			case dist > o:
				return o, br.fail(ErrCorrupt, msgFarDist)
			}
			return o, br.fail(ErrOutputFull, "")
		}

		if end := o + length; end <= len(dst)-15 {
			o = copyMatch(dst, o, dist, end)
		} else {
			for s := o - dist; o < end; o, s = o+1, s+1 {
				dst[o] = dst[s]
			}
		}

		if pos <= len(src)-8 {
			bits |= binary.LittleEndian.Uint64(src[pos:]) << nb
			pos += int((63 - nb) >> 3)
			nb |= 56
		} else if bits, nb, pos, ok = refill(src, bits, nb, pos); !ok {
			return o, br.overran(bits, nb, pos)
		}
		e = lt[bits&(1<<litlenBits-1)]
	}
}

// refill is bitReader.refill on locals; it reports false if the stream
// has already consumed bits past the end of src.
func refill(src []byte, bits uint64, nb uint, pos int) (uint64, uint, int, bool) {
	br := bitReader{src: src, pos: pos, bits: bits, nb: nb}
	br.refill()
	return br.bits, br.nb, br.pos, !br.overrun()
}

// overran stores the locals back and returns the truncation error.
func (br *bitReader) overran(bits uint64, nb uint, pos int) error {
	br.bits, br.nb, br.pos = bits, nb, pos
	return br.fail(ErrTruncated, "")
}
