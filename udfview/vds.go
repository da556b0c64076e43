package udfview

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Where the volume starts (ECMA-167 part 2 and 3):
//
//   - The volume recognition sequence, from byte 32768, one descriptor per
//     2048 bytes (or per block, if blocks are larger): BEA01, then NSR02
//     (UDF 1.02/1.50) or NSR03 (2.00 and later), then TEA01.
//   - The anchor volume descriptor pointer, at logical block 256 and again
//     at N-256 and N-1 (N the number of blocks). It is the only structure at
//     a fixed place, so it also tells the block size: the size at which a
//     valid anchor tag sits at block 256 (or N-256, N-1) is the one.
//   - The anchor points at the main and the reserve volume descriptor
//     sequence (VDS): primary volume, partition, logical volume and
//     implementation use descriptors, ended by a terminating descriptor. A
//     volume descriptor pointer continues a sequence elsewhere.

const (
	vrsStart        = 32768
	maxVRSDescs     = 64  // volume structure descriptors scanned
	maxVDSBlocks    = 256 // blocks of one volume descriptor sequence read
	maxVDSPointers  = 8   // volume descriptor pointers followed
	maxPartitionMap = 64  // partition maps in a logical volume
)

// blockSizes are tried in this order when looking for the anchor.
var blockSizes = []int64{2048, 512, 1024, 4096}

// findVRS scans the volume recognition sequence and returns the NSR
// identifier found ("NSR02", "NSR03") or "".
func findVRS(read readFunc, size int64) string {
	for _, stride := range []int64{2048, 4096} {
		var buf [7]byte
		for i := int64(0); i < maxVRSDescs; i++ {
			off := vrsStart + i*stride
			if off+int64(len(buf)) > size {
				break
			}
			if n, _ := read(buf[:], off); n < len(buf) {
				break
			}
			id := string(buf[1:6])
			switch id {
			case "NSR02", "NSR03":
				return id
			case "BEA01", "CD001", "CDW02", "BOOT2", "TEA01":
				continue
			}
			if buf[0] == 0 && id == "\x00\x00\x00\x00\x00" {
				break
			}
		}
	}
	return ""
}

// anchor is an anchor volume descriptor pointer.
type anchor struct {
	main, reserve extentAD // where the two volume descriptor sequences are
	block         int64    // where the anchor was found
}

// extentAD is an extent_ad (ECMA-167 3/7.1): a length in bytes and a
// starting block.
type extentAD struct {
	length   uint32
	location uint32
}

func parseExtentAD(b []byte) extentAD {
	return extentAD{binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint32(b[4:])}
}

// findAnchor finds the anchor and with it the block size. A read that
// fails for another reason than the image's end (a damaged chunk of a
// compressed image) is returned as it is: that is a damaged disc, not one
// without UDF.
func findAnchor(read readFunc, size int64) (anchor, int64, error) {
	buf := make([]byte, 512)
	for _, bs := range blockSizes {
		n := size / bs
		for _, blk := range []int64{256, n - 256, n - 1} {
			if blk < 256 || blk >= n {
				continue
			}
			if m, err := read(buf, blk*bs); m < len(buf) {
				if err != nil && !errors.Is(err, io.EOF) {
					return anchor{}, 0, fmt.Errorf("udfview: reading the anchor candidate at block %d (byte %d): %w", blk, blk*bs, err)
				}
				continue
			}
			if _, err := checkTag(buf, tagAnchor, blk, blk*bs); err != nil {
				continue
			}
			return anchor{
				main:    parseExtentAD(buf[16:]),
				reserve: parseExtentAD(buf[24:]),
				block:   blk,
			}, bs, nil
		}
	}
	return anchor{}, 0, ErrNotUDF
}

// volumeDescriptors is what a volume descriptor sequence holds, the
// prevailing descriptor of each kind (the highest volume descriptor
// sequence number).
type volumeDescriptors struct {
	pvd, lvd, iuvd []byte
	pvdSeq, lvdSeq uint32
	pds            map[uint16][]byte // by partition number
	pdSeq          map[uint16]uint32
}

// readVDS reads the volume descriptor sequence of extent x.
func (im *Image) readVDS(x extentAD) (*volumeDescriptors, error) {
	vd := &volumeDescriptors{pds: make(map[uint16][]byte), pdSeq: make(map[uint16]uint32)}
	bs := im.bs
	pointers := 0
	for {
		blocks := min(int64(x.length)/bs, maxVDSBlocks)
		next := extentAD{}
	scan:
		for i := int64(0); i < blocks; i++ {
			blk := int64(x.location) + i
			buf := make([]byte, bs)
			if err := im.readFull(buf, blk*bs); err != nil {
				return nil, err
			}
			if allZero(buf[:tagSize]) {
				break scan // unrecorded rest of the extent
			}
			t, err := checkTag(buf, 0, blk, blk*bs)
			if err != nil {
				return nil, err
			}
			seq := binary.LittleEndian.Uint32(buf[16:])
			switch t.ident {
			case tagPVD:
				if vd.pvd == nil || seq >= vd.pvdSeq {
					vd.pvd, vd.pvdSeq = buf, seq
				}
			case tagLVD:
				if vd.lvd == nil || seq >= vd.lvdSeq {
					vd.lvd, vd.lvdSeq = buf, seq
				}
			case tagPD:
				num := binary.LittleEndian.Uint16(buf[22:])
				if _, ok := vd.pds[num]; !ok || seq >= vd.pdSeq[num] {
					vd.pds[num], vd.pdSeq[num] = buf, seq
				}
			case tagIUVD:
				if vd.iuvd == nil {
					vd.iuvd = buf
				}
			case tagVDP:
				next = parseExtentAD(buf[20:])
				break scan
			case tagTD:
				break scan
			}
		}
		if next.length == 0 {
			break
		}
		if pointers++; pointers > maxVDSPointers {
			return nil, formatErr(int64(next.location)*bs, "more than %d volume descriptor pointers", maxVDSPointers)
		}
		x = next
	}
	switch {
	case vd.pvd == nil:
		return nil, formatErr(int64(x.location)*bs, "volume descriptor sequence has no primary volume descriptor")
	case vd.lvd == nil:
		return nil, formatErr(int64(x.location)*bs, "volume descriptor sequence has no logical volume descriptor")
	case len(vd.pds) == 0:
		return nil, formatErr(int64(x.location)*bs, "volume descriptor sequence has no partition descriptor")
	}
	return vd, nil
}

// lvdInfo is the part of the logical volume descriptor (ECMA-167 3/10.6)
// used here.
type lvdInfo struct {
	id        string
	blockSize uint32
	domain    string
	impl      string // the writer's implementation identifier
	fsd       longAD // where the file set descriptor is
	maps      [][]byte
}

func (im *Image) parseLVD(b []byte, off int64) (lvdInfo, error) {
	lv := lvdInfo{
		id:        decodeDString(b[84:212]),
		blockSize: binary.LittleEndian.Uint32(b[212:]),
		domain:    regid(b[216:248]),
		impl:      regid(b[272:304]),
		fsd:       parseLongAD(b[248:]),
	}
	if int64(lv.blockSize) != im.bs {
		return lv, unsupportedErr(off+212, "logical block size %d differs from the anchor's %d", lv.blockSize, im.bs)
	}
	mtl := int64(binary.LittleEndian.Uint32(b[264:]))
	nmaps := binary.LittleEndian.Uint32(b[268:])
	if mtl > int64(len(b))-440 || nmaps > maxPartitionMap {
		return lv, formatErr(off+264, "partition map table of %d bytes and %d maps does not fit the descriptor", mtl, nmaps)
	}
	table := b[440 : 440+mtl]
	for i := uint32(0); i < nmaps; i++ {
		if len(table) < 2 || int(table[1]) < 2 || int(table[1]) > len(table) {
			return lv, formatErr(off+440, "partition map %d runs past the map table", i)
		}
		lv.maps = append(lv.maps, table[:table[1]])
		table = table[table[1]:]
	}
	if len(lv.maps) == 0 {
		return lv, formatErr(off+268, "logical volume has no partition map")
	}
	return lv, nil
}

// integrity reads the logical volume integrity sequence (ECMA-167 3/10.10)
// and fills in the counts and revisions of UDF 2.2.6.4 from its last
// descriptor. A missing or damaged sequence is not an error: it only
// describes the volume.
func (im *Image) integrity(lvd []byte) {
	x := parseExtentAD(lvd[432:])
	var last []byte
	for hops := 0; x.length >= uint32(im.bs) && hops < maxVDSBlocks; hops++ {
		buf := make([]byte, im.bs)
		blk := int64(x.location)
		if im.readFull(buf, blk*im.bs) != nil {
			break
		}
		if _, err := checkTag(buf, tagLVID, blk, blk*im.bs); err != nil {
			break
		}
		last = buf
		next := parseExtentAD(buf[32:])
		if next.length == 0 {
			x.length -= uint32(im.bs)
			x.location++
			continue
		}
		x = next
	}
	if last == nil {
		return
	}
	im.info.Recorded = decodeTimestamp(last[16:28])
	np := int64(binary.LittleEndian.Uint32(last[72:]))
	liu := int64(binary.LittleEndian.Uint32(last[76:]))
	iu := 80 + 8*np
	if np > im.bs || liu < 46 || iu+liu > im.bs {
		return
	}
	u := last[iu:]
	im.info.Files = int64(binary.LittleEndian.Uint32(u[32:]))
	im.info.Dirs = int64(binary.LittleEndian.Uint32(u[36:]))
	im.info.MinReadRevision = binary.LittleEndian.Uint16(u[40:])
	im.info.MinWriteRevision = binary.LittleEndian.Uint16(u[42:])
	im.info.MaxWriteRevision = binary.LittleEndian.Uint16(u[44:])
	im.info.HasCounts = true
}

// udfRevision reads the UDF revision from a domain identifier's suffix
// (UDF 2.1.5.3: a uint16 BCD revision such as 0x0201).
func udfRevision(domain []byte) uint16 {
	if !bytes.HasPrefix(domain[1:], []byte("*OSTA UDF Compliant")) {
		return 0
	}
	return binary.LittleEndian.Uint16(domain[24:])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
