package inflate

import "math/bits"

// Table geometry. A primary table is indexed by the next tableBits bits of
// input; codes longer than that continue in a subtable placed after the
// primary part of the same array. The arrays are powers of two so that an
// index masked with len-1 needs no bounds check; the sizes are above the
// worst case of any complete or single-code tree (2342 entries for
// literal/length codes with an 11-bit primary table and 402 for distance
// codes with an 8-bit one, as computed by zlib's enough.c).
const (
	litlenBits      = 11
	distBits        = 8
	codelenBits     = 7
	litlenTableSize = 4096
	distTableSize   = 512
	codelenSize     = 1 << codelenBits

	maxCodeLen = 15  // longest literal/length or distance code
	numLitlen  = 288 // literal/length symbols, 286 and 287 invalid
	numDist    = 32  // distance symbols, 30 and 31 invalid
	numCodelen = 19  // code length symbols
	maxHLIT    = 286 // most literal/length code lengths a header may send
	maxHDIST   = 30  // most distance code lengths a header may send
)

// An entry is a uint32:
//
//	bits  0-7   n: bits of input the symbol takes at this level, its code
//	            and, for a length or distance, the extra bits after it
//	bits  8-11  l: bits of the code alone (for a subtable pointer: the
//	            subtable's index bits)
//	bits 12-15  flags
//	bits 16-31  value: literal byte, length or distance base, code length
//	            symbol, or the subtable's offset in the array
//
// A length or distance is value + the n-l extra bits after the code (see
// value), so one load gives everything the decoder needs for a symbol,
// and one shift by n consumes it whole.
const (
	flagBad = 1 << 12 // no symbol has this code, or the symbol is invalid
	flagEOB = 1 << 13 // end of block (symbol 256)
	flagSub = 1 << 14 // pointer to a subtable
	flagLit = 1 << 15 // literal byte
)

// Entry templates per symbol: flags and value, and for a length or
// distance the number of extra bits in bits 8-11 (entry turns a template
// into an entry).
var (
	litlenInfo  [numLitlen]uint32
	distInfo    [numDist]uint32
	codelenInfo [numCodelen]uint32
)

// Fixed-Huffman tables (RFC 1951 section 3.2.6), built once.
var (
	fixedLitlen [litlenTableSize]uint32
	fixedDist   [distTableSize]uint32
)

func init() {
	for s := range 256 {
		litlenInfo[s] = flagLit | uint32(s)<<16
	}
	litlenInfo[256] = flagEOB
	// Lengths 3-10 take no extra bits; then each group of four codes
	// doubles the step, up to 227+31; code 285 is 258 exactly.
	base := uint32(3)
	for s := 257; s < 285; s++ {
		x := uint32(0)
		if s >= 265 {
			x = uint32(s-261) / 4
		}
		litlenInfo[s] = x<<8 | base<<16
		base += 1 << x
	}
	litlenInfo[285] = 258 << 16
	litlenInfo[286], litlenInfo[287] = flagBad, flagBad

	base = 1
	for s := range 30 {
		x := uint32(0)
		if s >= 4 {
			x = uint32(s-2) / 2
		}
		distInfo[s] = x<<8 | base<<16
		base += 1 << x
	}
	distInfo[30], distInfo[31] = flagBad, flagBad

	for s := range numCodelen {
		codelenInfo[s] = uint32(s) << 16
	}

	var lens [numLitlen]uint8
	for s := range lens {
		switch {
		case s < 144:
			lens[s] = 8
		case s < 256:
			lens[s] = 9
		case s < 280:
			lens[s] = 7
		default:
			lens[s] = 8
		}
	}
	var dl [numDist]uint8
	for s := range dl {
		dl[s] = 5
	}
	if !build(fixedLitlen[:], litlenBits, lens[:], litlenInfo[:]) ||
		!build(fixedDist[:], distBits, dl[:], distInfo[:]) {
		panic("inflate: fixed Huffman tables do not build")
	}
}

// build fills table with the decoding entries of the canonical Huffman
// code whose code lengths are lens (lens[s] for symbol s, 0 = unused),
// using a primary table of tableBits bits. info gives each symbol's entry
// template. It reports false if the code is over-subscribed or incomplete;
// like zlib and compress/flate it accepts a code with no symbols (every
// lookup then hits flagBad) and one with a single code of one bit (the
// other one-bit code is flagBad).
func build(table []uint32, tableBits uint, lens []uint8, info []uint32) bool {
	var count [maxCodeLen + 1]int
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	maxLen := maxCodeLen
	for maxLen > 0 && count[maxLen] == 0 {
		maxLen--
	}
	primary := table[:1<<tableBits]
	if maxLen == 0 {
		for i := range primary {
			primary[i] = flagBad
		}
		return true
	}
	left := 1
	for l := 1; l <= maxLen; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false // over-subscribed
		}
	}
	if left > 0 {
		if maxLen != 1 || count[1] != 1 {
			return false // incomplete
		}
		for i := range primary {
			primary[i] = flagBad
		}
	}

	// Symbols sorted by code length, then by value: canonical order.
	var offs [maxCodeLen + 2]int
	for l := 1; l <= maxLen; l++ {
		offs[l+1] = offs[l] + count[l]
	}
	var sorted [numLitlen]uint16
	for s, l := range lens {
		if l != 0 {
			sorted[offs[l]] = uint16(s)
			offs[l]++
		}
	}
	n := offs[maxLen] // number of symbols with a code

	code := 0 // the next canonical code, most significant bit first
	curLen := 0
	prefix := -1           // primary index of the current subtable
	next := 1 << tableBits // where the next subtable goes
	var sub []uint32
	// A code of l bits fills every primary entry whose low l bits are the
	// code: rather than store each one, the codes of each length are
	// stored in the first 1<<l entries and that part of the table is then
	// doubled, copying it above itself, before the codes one bit longer:
	// one store per code and one copy of the table in all.
	filled := uint(0) // primary[:1<<filled] holds the codes of up to filled bits
	grow := func(to uint) {
		for ; filled < to; filled++ {
			copy(primary[1<<filled:2<<filled], primary[:1<<filled])
		}
	}
	for _, s := range sorted[:n] {
		l := int(lens[s])
		code <<= l - curLen
		curLen = l
		rev := int(bits.Reverse16(uint16(code)) >> (16 - l)) // as read, LSB first
		if uint(l) <= tableBits {
			grow(uint(l))
			primary[rev] = entry(info[s], uint(l))
		} else {
			grow(tableBits)
			if p := rev & (1<<tableBits - 1); p != prefix {
				// A new subtable: wide enough for the longest code
				// that shares this prefix, given the codes left.
				prefix = p
				w := l - int(tableBits)
				room := 1 << w
				for w+int(tableBits) < maxLen {
					room -= count[w+int(tableBits)]
					if room <= 0 {
						break
					}
					w++
					room <<= 1
				}
				if next+1<<w > len(table) {
					return false // cannot happen for a complete code
				}
				sub = table[next : next+1<<w]
				primary[p] = flagSub | uint32(w)<<8 | uint32(next)<<16 | uint32(tableBits)
				next += 1 << w
			}
			e := entry(info[s], uint(l)-tableBits)
			for i := rev >> tableBits; i < len(sub); i += 1 << (l - int(tableBits)) {
				sub[i] = e
			}
		}
		count[l]--
		code++
	}
	grow(tableBits)
	return true
}

// entry returns the entry of the symbol with template info whose code
// takes l bits at this level.
func entry(info uint32, l uint) uint32 {
	x := info >> 8 & 15
	return info&^(15<<8) | uint32(l)<<8 | (uint32(l) + x)
}

// value returns the length or distance of entry e, whose code is at the
// bottom of bits: the base plus the extra bits that follow the code.
func value(e uint32, bits uint64) int {
	return int(e>>16) + int(bits&(1<<(e&0xff)-1)>>(e>>8&15))
}
