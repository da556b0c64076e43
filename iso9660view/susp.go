package iso9660view

import (
	"encoding/binary"
)

// The System Use Sharing Protocol (SUSP, IEEE P1281) fills the system use
// area of a directory record with entries:
//
//	offset  size  field
//	0       2     signature ("SP", "CE", "ER", "ST", "PD", and the Rock Ridge
//	              ones: "PX", "PN", "SL", "NM", "TF", "CL", "PL", "RE", "ZF")
//	2       1     length of the entry, header included
//	3       1     entry version
//	4       ...   data
//
// When they do not fit, a CE entry points to a continuation area elsewhere
// on the disc (block, offset, length, all both-endian 32-bit); continuation
// areas may chain. The SP entry in the root's "." record marks SUSP as in use
// and gives a number of bytes to skip at the start of every other system use
// area. Hostile discs can chain continuation areas in a loop or point them
// past the image, so the walk is bounded in hops and total bytes.
const (
	maxCEHops      = 64        // continuation areas per record
	maxSUSPBytes   = 256 << 10 // system use bytes per record, continuations included
	suspHeaderSize = 4
)

// suspEntry is one SUSP entry; data excludes the 4-byte header.
type suspEntry struct {
	sig  string
	ver  byte
	data []byte
}

// suspWalker walks system use areas, following continuation areas. It keeps
// the last continuation block it read, since mastering tools pack the
// continuation areas of neighbouring records into the same block.
type suspWalker struct {
	im       *Image
	cacheBlk int64
	cache    []byte
}

func newSUSPWalker(im *Image) *suspWalker { return &suspWalker{im: im, cacheBlk: -1} }

// walk calls fn for each entry of the system use area su, which starts at
// image offset off, skipping skip bytes first. It stops at an ST entry or
// when fn returns false. Structural problems (a CE past the image, a loop)
// are returned after the entries read so far have been delivered.
func (w *suspWalker) walk(su []byte, off int64, skip int, fn func(e suspEntry) bool) error {
	if skip > len(su) {
		return nil
	}
	area, areaOff := su[skip:], off+int64(skip)
	total := len(area)
	var visited []int64
	for hop := 0; ; hop++ {
		ce := int64(-1)
		var ceLen int64
		for len(area) >= suspHeaderSize {
			n := int(area[2])
			if n < suspHeaderSize || n > len(area) {
				// Padding or garbage after the last entry. Zero bytes are
				// legal filler; anything else ends the area too, the way
				// the kernel does.
				break
			}
			e := suspEntry{sig: string(area[:2]), ver: area[3], data: area[suspHeaderSize:n]}
			switch e.sig {
			case "ST":
				return nil
			case "CE":
				if len(e.data) >= 24 {
					blk := int64(binary.LittleEndian.Uint32(e.data[0:4]))
					ceOff := int64(binary.LittleEndian.Uint32(e.data[8:12]))
					ceLen = int64(binary.LittleEndian.Uint32(e.data[16:20]))
					ce = blk*w.im.blockSize + ceOff
				}
			default:
				if !fn(e) {
					return nil
				}
			}
			area, areaOff = area[n:], areaOff+int64(n)
		}
		if ce < 0 {
			return nil
		}
		if hop >= maxCEHops {
			return formatErr(areaOff, "more than %d chained continuation areas", maxCEHops)
		}
		for _, v := range visited {
			if v == ce {
				return formatErr(ce, "continuation area loop")
			}
		}
		visited = append(visited, ce)
		if ceLen == 0 {
			return nil
		}
		total += int(ceLen)
		if ceLen > maxSUSPBytes || total > maxSUSPBytes {
			return formatErr(ce, "continuation areas total more than %d bytes", maxSUSPBytes)
		}
		if ce < 0 || ce+ceLen > w.im.size {
			return formatErr(areaOff, "continuation area of %d bytes at byte %d lies past the end of the image (%d bytes)", ceLen, ce, w.im.size)
		}
		b, err := w.read(ce, ceLen)
		if err != nil {
			return err
		}
		area, areaOff = b, ce
	}
}

// read returns length bytes at image offset off, through the one-block cache
// when the range lies inside a single block.
func (w *suspWalker) read(off, length int64) ([]byte, error) {
	bs := w.im.blockSize
	blk := off / bs
	if (off+length-1)/bs != blk {
		b := make([]byte, length)
		return b, w.im.readFull(b, off)
	}
	if blk != w.cacheBlk {
		if w.cache == nil {
			w.cache = make([]byte, bs)
		}
		n := bs
		if blk*bs+n > w.im.size {
			n = w.im.size - blk*bs
		}
		w.cacheBlk = -1
		if err := w.im.readFull(w.cache[:n], blk*bs); err != nil {
			return nil, err
		}
		w.cacheBlk = blk
	}
	start := off - blk*bs
	return w.cache[start : start+length], nil
}

// spSkip checks a root "." system use area for the SP entry that announces
// SUSP and returns its skip length.
func spSkip(su []byte) (skip int, ok bool) {
	if len(su) >= 7 && su[0] == 'S' && su[1] == 'P' && su[2] >= 7 && su[4] == 0xBE && su[5] == 0xEF {
		return int(su[6]), true
	}
	return 0, false
}
