package udfview

import (
	"cmp"
	"encoding/binary"
)

// A file's data is described by allocation descriptors (ECMA-167 4/14.14),
// recorded after its file entry's extended attributes. Each gives an extent:
// a length of at most 2^30-1 bytes whose top two bits say what the extent
// is, and where it starts.
//
//	short_ad (8 bytes):     length, block (in the file entry's partition)
//	long_ad (16 bytes):     length, block, partition reference, 6 bytes
//	                        implementation use
//	extended_ad (20 bytes): length, recorded length, information length,
//	                        block, partition reference, 2 bytes unused
//
// The extent types: 0 recorded and allocated, 1 allocated but not recorded,
// 2 neither (a hole), 3 the next extent of allocation descriptors: an
// allocation extent descriptor (tag 258) holding more of them. The list ends
// at a zero length or at the end of the recorded descriptors. A file entry
// can instead embed its data in place of the descriptors.

// Allocation descriptor kinds, from the ICB tag flags (ECMA-167 4/14.6.8).
const (
	adShort    = 0
	adLong     = 1
	adExtended = 2
	adEmbedded = 3
)

// Extent types, the top two bits of an extent length.
const (
	extRecorded    = 0
	extAllocated   = 1 // allocated, not recorded: reads as zeros
	extUnallocated = 2 // a hole: reads as zeros
	extNext        = 3 // continues in an allocation extent descriptor
)

const (
	// maxExtents bounds the allocation descriptors of one file.
	maxExtents = 1 << 20
	// aedHeader is the size of an allocation extent descriptor before its
	// descriptors: tag, previous location, length of descriptors.
	aedHeader = 24
)

// lbAddr is a logical block address (ECMA-167 4/7.1): a block of a
// partition, named by its partition reference number (its index in the
// logical volume's partition maps).
type lbAddr struct {
	lbn  uint32
	part uint16
}

// compare orders addresses by partition, then block.
func (a lbAddr) compare(b lbAddr) int {
	if a.part != b.part {
		return cmp.Compare(a.part, b.part)
	}
	return cmp.Compare(a.lbn, b.lbn)
}

// longAD is a long_ad: extent length (type bits included) and location.
type longAD struct {
	length uint32
	loc    lbAddr
}

func parseLongAD(b []byte) longAD {
	return longAD{
		length: binary.LittleEndian.Uint32(b[0:]),
		loc:    lbAddr{lbn: binary.LittleEndian.Uint32(b[4:]), part: binary.LittleEndian.Uint16(b[8:])},
	}
}

func (a longAD) bytes() int64 { return int64(a.length & 0x3fffffff) }
func (a longAD) kind() uint8  { return uint8(a.length >> 30) }

// extent is one run of a file's data.
type extent struct {
	pos    int64 // offset in the file of the extent's first byte
	length int64 // bytes
	loc    lbAddr
	kind   uint8 // extRecorded, extAllocated or extUnallocated
}

// adSize is the size of one allocation descriptor of kind k.
func adSize(k int) int {
	switch k {
	case adShort:
		return 8
	case adLong:
		return 16
	}
	return 20
}

// parseAD decodes one allocation descriptor of kind k; short ones are in
// partition part.
func parseAD(b []byte, k int, part uint16) longAD {
	switch k {
	case adShort:
		return longAD{
			length: binary.LittleEndian.Uint32(b[0:]),
			loc:    lbAddr{lbn: binary.LittleEndian.Uint32(b[4:]), part: part},
		}
	case adLong:
		return parseLongAD(b)
	}
	// extended_ad: the extent length is the allocated one; the recorded
	// length says how much of it holds data, the rest reads as zeros.
	return longAD{
		length: binary.LittleEndian.Uint32(b[0:]),
		loc:    lbAddr{lbn: binary.LittleEndian.Uint32(b[12:]), part: binary.LittleEndian.Uint16(b[16:])},
	}
}

// extents decodes the allocation descriptors ads of kind k (of a file entry
// in partition part, at image offset off), following allocation extent
// descriptors through im. Loops in the chain and more than maxExtents
// descriptors are errors.
func (im *Image) extents(ads []byte, k int, part uint16, off int64) ([]extent, error) {
	var out []extent
	var pos int64
	seen := map[lbAddr]bool{}
	count := 0
	for {
		var next *longAD
		for len(ads) >= adSize(k) {
			ad := parseAD(ads, k, part)
			ads = ads[adSize(k):]
			if ad.bytes() == 0 {
				break
			}
			if count++; count > maxExtents {
				return nil, formatErr(off, "more than %d allocation descriptors", maxExtents)
			}
			if ad.kind() == extNext {
				next = &ad
				break
			}
			if ad.kind() == extRecorded {
				if err := im.checkExtent(ad.loc, ad.bytes(), off); err != nil {
					return nil, err
				}
			}
			out = append(out, extent{pos: pos, length: ad.bytes(), loc: ad.loc, kind: ad.kind()})
			pos += ad.bytes()
		}
		if next == nil {
			return out, nil
		}
		if seen[next.loc] {
			return nil, formatErr(off, "allocation extent descriptors loop back to block %d of partition %d", next.loc.lbn, next.loc.part)
		}
		seen[next.loc] = true
		buf, aoff, err := im.readDescriptor(next.loc, tagAED, nil)
		if err != nil {
			return nil, err
		}
		n := int64(binary.LittleEndian.Uint32(buf[20:]))
		if n > min(next.bytes(), im.bs)-aedHeader {
			return nil, formatErr(aoff+20, "allocation extent descriptor holds %d bytes of descriptors, more than its extent", n)
		}
		ads, off = buf[aedHeader:aedHeader+n], aoff
	}
}
