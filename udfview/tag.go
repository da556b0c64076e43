package udfview

import "encoding/binary"

// Every UDF descriptor starts with a 16-byte descriptor tag (ECMA-167
// 3/7.2):
//
//	0  uint16 tag identifier (which descriptor follows)
//	2  uint16 descriptor version (2 for NSR02, 3 for NSR03)
//	4  uint8  tag checksum: sum of bytes 0-3 and 5-15, modulo 256
//	6  uint16 tag serial number
//	8  uint16 descriptor CRC: CRC-ITU-T of the CRC-length bytes after the tag
//	10 uint16 descriptor CRC length
//	12 uint32 tag location: the logical block the descriptor is recorded in
//
// A descriptor is used only once its tag checks out, so a block of stale or
// foreign data is never mistaken for one.

const tagSize = 16

// Tag identifiers (ECMA-167 3/7.2.1 and 4/7.2.1).
const (
	tagPVD    = 1   // primary volume descriptor
	tagAnchor = 2   // anchor volume descriptor pointer
	tagVDP    = 3   // volume descriptor pointer
	tagIUVD   = 4   // implementation use volume descriptor
	tagPD     = 5   // partition descriptor
	tagLVD    = 6   // logical volume descriptor
	tagTD     = 8   // terminating descriptor
	tagLVID   = 9   // logical volume integrity descriptor
	tagFSD    = 256 // file set descriptor
	tagFID    = 257 // file identifier descriptor
	tagAED    = 258 // allocation extent descriptor
	tagIE     = 259 // indirect entry
	tagFE     = 261 // file entry
	tagEAHD   = 262 // extended attribute header descriptor
	tagEFE    = 266 // extended file entry
)

// tag is a parsed descriptor tag.
type tag struct {
	ident    uint16
	version  uint16
	crc      uint16
	crcLen   uint16
	location uint32
}

func parseTag(b []byte) tag {
	return tag{
		ident:    binary.LittleEndian.Uint16(b[0:]),
		version:  binary.LittleEndian.Uint16(b[2:]),
		crc:      binary.LittleEndian.Uint16(b[8:]),
		crcLen:   binary.LittleEndian.Uint16(b[10:]),
		location: binary.LittleEndian.Uint32(b[12:]),
	}
}

// tagChecksum is the tag checksum of the 16-byte tag b.
func tagChecksum(b []byte) byte {
	var sum byte
	for i := 0; i < tagSize; i++ {
		if i != 4 {
			sum += b[i]
		}
	}
	return sum
}

// checkTag checks the descriptor at the start of b: its checksum, its
// identifier (want, or any if want is 0), its CRC over the body (which
// must lie inside b) and, if loc >= 0, its recorded location. off is the
// image offset of b, for errors.
func checkTag(b []byte, want uint16, loc int64, off int64) (tag, error) {
	if len(b) < tagSize {
		return tag{}, formatErr(off, "descriptor of %d bytes is shorter than its tag", len(b))
	}
	t := parseTag(b)
	if tagChecksum(b) != b[4] {
		return t, formatErr(off, "descriptor tag checksum %#02x, want %#02x", b[4], tagChecksum(b))
	}
	if want != 0 && t.ident != want {
		return t, formatErr(off, "descriptor tag %d, want %d", t.ident, want)
	}
	if int(t.crcLen) > len(b)-tagSize {
		return t, formatErr(off, "descriptor CRC length %d runs past the descriptor's %d bytes", t.crcLen, len(b)-tagSize)
	}
	if got := crcITU(b[tagSize : tagSize+int(t.crcLen)]); got != t.crc {
		return t, formatErr(off, "descriptor CRC %#04x, want %#04x", t.crc, got)
	}
	if loc >= 0 && int64(t.location) != loc {
		return t, formatErr(off, "descriptor tag says block %d, found at block %d", t.location, loc)
	}
	return t, nil
}

// crcTables hold CRC-ITU-T (polynomial x^16 + x^12 + x^5 + 1, initial
// value 0, no reflection), the CRC of ECMA-167 3/7.2.6, eight bytes at a
// time ("slicing by 8"): crcTables[k][x] is the CRC of byte x followed by
// k zero bytes. The CRC is linear, so that of eight bytes is the xor of
// their contributions, the running CRC folded into the first two. A walk
// of a UDF disc checks the CRC of every file entry and every identifier,
// where one table lookup a byte cost 5% of the daemon's time in a cold
// find.
var crcTables = func() (t [8][256]uint16) {
	for i := range t[0] {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[0][i] = c
	}
	for k := 1; k < len(t); k++ {
		for i := range t[k] {
			c := t[k-1][i]
			t[k][i] = c<<8 ^ t[0][c>>8]
		}
	}
	return t
}()

func crcITU(b []byte) uint16 {
	var c uint16
	t := &crcTables
	for ; len(b) >= 8; b = b[8:] {
		c = t[7][b[0]^byte(c>>8)] ^ t[6][b[1]^byte(c)] ^
			t[5][b[2]] ^ t[4][b[3]] ^ t[3][b[4]] ^ t[2][b[5]] ^ t[1][b[6]] ^ t[0][b[7]]
	}
	for _, x := range b {
		c = c<<8 ^ t[0][byte(c>>8)^x]
	}
	return c
}
